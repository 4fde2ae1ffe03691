# SPDX-License-Identifier: MIT
"""Run the benchmarks and rewrite BENCHMARKS.md (and its chart) from the
JSON they print; the targets are the table ``TARGETS``.

    .venv/bin/python benches/report.py [--quick] [--parts server,...]
        [--reuse] [--render-only]

Every part's JSON is kept in target/benchmarks.json: ``--render-only``
renders it again, ``--reuse`` keeps the parts not run this time.
benches/README.md says what each part measures and how.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from statistics import median
from typing import Any

BENCHES = Path(__file__).resolve().parent
ROOT = BENCHES.parent
SAVED = ROOT / "target" / "benchmarks.json"
CHART = BENCHES / "benchmarks.png"
PARTS = ("suites", "node", "interleaved", "floor", "threads", "server")
SIZES = ("100B", "1KB", "3.5KB")
UTC = dt.timezone.utc
API, NEW = "iron_fast.seal_data", ":new-cookie"
LABELS = {  # implementation -> what the tables call it
    API: "iron_fast `seal_data`/`unseal_data`",
    API + NEW: "iron_fast `unseal_data`, a seal not seen before",
    "iron_fast.Sealer": "iron_fast `Sealer` (compiled once, reused)",
    "iron_fast.Sealer" + NEW: "iron_fast `Sealer.unseal`, a seal not seen "
    "before",
    "reference": "pure-Python reference (`benches/reference.py`)",
    "fernet": "cryptography Fernet + json",
    "itsdangerous": "itsdangerous `URLSafeTimedSerializer` (signs only)",
    "node:iron-session-9": "Node iron-session 9 (`sealData`/`unsealData`)",
    "node:iron-session-8": "Node iron-session 8 (`sealData`/`unsealData`)",
}
PACKAGES = (
    "cryptography itsdangerous starlette flask werkzeug django aiohttp "
    "aiohttp-session litestar quart pytest-benchmark uvicorn uvloop "
    "httptools gunicorn"
).split()

# Every target, one row each: what is promised, the figure it is judged on
# (a key of ``figures()``), "<=" or ">=", the bound, and who set it.
TARGETS = [
    ("`seal_data`, 100 B: µs", "µs seal", "<=", 5, "issue 5"),
    ("`unseal_data`, a seal not seen before, 100 B: µs", "µs unseal new",
     "<=", 4, "issue 5"),
    ("`unseal_data`, the same seal again, 100 B: µs", "µs unseal cached",
     "<=", 4, "issue 5"),
    ("`seal_data`: times faster than the pure-Python reference",
     "reference / seal", ">=", 10, "issue 5"),
    ("`seal_data`: times faster than Fernet + json", "fernet / seal", ">=",
     4, "issue 5"),
    ("`unseal_data`, a seal not seen before: times faster than the "
     "pure-Python reference", "reference / unseal new", ">=", 10, "issue 5"),
    ("`unseal_data`, a seal not seen before: times faster than Fernet + "
     "json", "fernet / unseal new", ">=", 4, "issue 5"),
    ("`unseal_data`, the same seal again: times faster than the "
     "pure-Python reference", "reference / unseal cached", ">=", 10,
     "issue 5"),
    ("`unseal_data`, the same seal again: times faster than Fernet + json",
     "fernet / unseal cached", ">=", 4, "issue 5"),
    ("`seal_data`, 100 B: x the native floor", "seal / floor", "<=", 1.5,
     "issue 5"),
    ("`unseal_data`, a seal not seen before: x the native floor",
     "unseal / floor", "<=", 1.5, "issue 5"),
    ("Starlette, in process: µs `IronSessionMiddleware` adds",
     "starlette +µs", "<=", 15, "docs/design.md"),
    ("Flask, in process: µs `IronSessionInterface` adds", "flask +µs", "<=",
     40, "docs/design.md"),
    ("Starlette, in process: `IronSessionMiddleware`'s overhead / "
     "`SessionMiddleware`'s, a new cookie", "starlette share new", "<=",
     0.25, "issue 5"),
    ("Starlette, in process: the same, the user's next request",
     "starlette share next", "<=", 0.25, "issue 5"),
    ("Starlette, in process: the same, a new cookie, over an app with no "
     "session middleware", "starlette share bare", "<=", 0.25, "issue 20"),
    ("Flask, in process: `IronSessionInterface`'s overhead / the default "
     "session's, a new cookie", "flask share new", "<=", 1 / 3, "issue 5"),
    ("Flask, in process: the same, the user's next request",
     "flask share next", "<=", 1 / 3, "issue 5"),
    ("Litestar, in process: `IronCookieBackendConfig`'s overhead / "
     "`CookieBackendConfig`'s, a new cookie", "litestar share new", "<=",
     0.25, "issue 16"),
    ("Quart, in process: `IronSessionInterface`'s overhead / the default "
     "session's, a new cookie", "quart share new", "<=", 0.25, "issue 16"),
    ("Revocation, a local cache hit: µs it adds to reading a session",
     "revocation hit +µs", "<=", 2, "issue 15"),
    ("2 threads: throughput / 1 thread's, or where the GIL stays held / "
     "the stdlib json's own ratio; the lowest size", "threads", ">=", 0.95,
     "issue 5"),
    ("Starlette under uvicorn, modify: iron_fast req/s / no session's",
     "starlette iron_fast modify / starlette bare modify", ">=", 0.85,
     "issue 20"),
    ("Starlette under uvicorn, modify: iron_fast req/s / "
     "`SessionMiddleware`'s", "starlette iron_fast modify / starlette "
     "native modify", ">=", 2, "issue 20"),
    ("Starlette under uvicorn, read only: iron_fast req/s / no session's",
     "starlette iron_fast read / starlette bare read", ">=", 0.95,
     "issue 20"),
    ("Flask under gunicorn, modify: iron_fast req/s / no session's",
     "flask iron_fast modify / flask bare modify", ">=", 0.85, "issue 20"),
    ("Flask under gunicorn, modify: iron_fast req/s / the default "
     "session's", "flask iron_fast modify / flask native modify", ">=", 1.6,
     "issue 20"),
    ("Under a server, modify: Starlette + iron_fast req/s / Node + "
     "iron-session 9's", "starlette iron_fast modify / node iron-session-9 "
     "modify", ">=", 15, "issue 20"),
]  # fmt: skip

# -- running the parts ---------------------------------------------------


class PartFailedError(Exception):
    """A part's command failed: its command, status and the end of what
    it wrote to stderr (which is otherwise captured and lost)."""

    def __init__(self, command: list[str], status: int, stderr: str) -> None:
        tail = "\n".join(stderr.rstrip().splitlines()[-30:])
        super().__init__(
            f"{shlex.join(command)} exited with status {status}:\n{tail}"
        )


def _output_of(command: list[str], stdin: str | None = None) -> str:
    print("+", shlex.join(command), flush=True)
    done = subprocess.run(
        command, cwd=ROOT, input=stdin, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise PartFailedError(command, done.returncode, done.stderr)
    return done.stdout


def _json_of(command: list[str], stdin: str | None = None) -> Any:
    return json.loads(_output_of(command, stdin))


def _script(name: str, *args: str) -> Any:
    return _json_of([sys.executable, str(BENCHES / name), *args])


def _run_suites(quick: bool) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "suites.json"
        subprocess.run(
            [
                sys.executable, "-m", "pytest", "benches/", "--benchmark-only",
                f"--benchmark-json={out}",
                f"--benchmark-max-time={0.2 if quick else 2.0}",
                "--benchmark-min-time=0.00005", "--benchmark-warmup=on",
                "-o", "addopts=", "-p", "no:cacheprovider", "-q",
            ],
            cwd=ROOT, check=True,
        )  # fmt: skip
        return json.loads(out.read_text(encoding="utf-8"))


def _run_node(quick: bool) -> Any:
    if shutil.which("node") is None:
        return {"skipped": "node is not installed"}
    if not (ROOT / "tests/interop/node_modules/iron-session-9").is_dir():
        return {"skipped": "run npm ci in tests/interop"}
    sys.path.insert(0, str(BENCHES))
    from payloads import PAYLOADS
    from test_bench_seal import PASSWORD, TTL

    request = {"password": PASSWORD, "ttl": TTL, "payloads": PAYLOADS}
    request["seconds"] = 0.3 if quick else 1.5
    command = ["node", str(BENCHES / "node_bench.mjs")]
    return _json_of(command, json.dumps(request))


def _cargo(*args: str) -> str:
    return _output_of(["cargo", "bench", "--quiet", "--bench", "floor", *args])


def _run_floor() -> Any:
    if shutil.which("cargo") is None:
        return {"skipped": "cargo is not installed"}
    lines = (re.match(r"(\S.*?)\s{2,}([0-9.]+) ns$", line.strip())
             for line in _cargo().splitlines())  # fmt: skip
    rustc = subprocess.run(["rustc", "--version"], capture_output=True)
    ns = {match[1]: float(match[2]) for match in lines if match}
    return {"ns": ns, "rustc": rustc.stdout.decode().strip()}


def _floor_windows(quick: bool) -> Callable[[], None] | None:
    """A function that runs one window of the floor pairs into
    ``windows``: the report spreads them over its run, so the gap is pooled
    from the machine's states over minutes, not one state."""
    if shutil.which("cargo") is None:
        return None
    messages = _cargo("--no-run", "--message-format=json").splitlines()
    binary = next(
        m["executable"]
        for m in map(json.loads, messages)
        if m.get("executable") and m["target"]["name"] == "floor"
    )
    seconds = "--seconds=2" if quick else "--seconds=8"
    windows.clear()
    return lambda: windows.append(
        _script("interleaved.py", "--floor-only", f"--floor={binary}", seconds)
    )


windows: list[Any] = []


def run(parts: list[str], quick: bool, results: dict[str, Any]) -> list[str]:
    """Run ``parts`` into ``results``; the parts that failed. A failed
    part does not stop the others (a full run takes a quarter of an
    hour), and its earlier figures are dropped rather than shown as
    this run's: its targets then read "not measured"."""
    load_before = os.getloadavg()
    window = _floor_windows(quick) if "floor" in parts else None
    steps: dict[str, Callable[[], Any]] = {
        "suites": lambda: _run_suites(quick),
        "node": lambda: _run_node(quick),
        "interleaved": lambda: _script(
            "interleaved.py", f"--seconds={2 if quick else 8}"
        ),
        "floor": _run_floor,
        "threads": lambda: _script(
            "threads.py", "--seconds=0.1", f"--repeat={3 if quick else 41}"
        ),
        "server": lambda: _script(
            "server/run.py", f"--seconds={1 if quick else 3}",
            f"--rounds={1 if quick else 3}",
        ),
    }  # fmt: skip
    failed = []
    for part in parts:
        if window is not None and part != "floor":
            window()
        try:
            results[part] = steps[part]()
        except (PartFailedError, subprocess.CalledProcessError) as error:
            print(f"report: the {part} part failed: {error}", file=sys.stderr)
            failed.append(part)
            results.pop(part, None)
            results.get("when", {}).pop(part, None)
            continue
        results.setdefault("when", {})[part] = f"{dt.datetime.now(UTC):%H:%M}"
    if window is not None and "floor" not in failed:
        window()
        from interleaved import floor_figures

        results["floor"]["pairs"] = floor_figures(windows)
    results["env"] = _environment(load_before)
    return failed


def _environment(load_before: tuple[float, ...]) -> dict[str, Any]:
    def first(path: str, prefixes: tuple[str, ...]) -> str:
        try:
            with open(path, encoding="utf-8") as lines:
                for line in lines:
                    if line.startswith(prefixes):
                        return line.split(":" if ":" in line else "=", 1)[1]
        except OSError:
            pass
        return platform.machine()

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    git = ["git", "describe", "--always", "--dirty", "--abbrev=12"]
    return {
        "command": shlex.join(["benches/report.py", *sys.argv[1:]]),
        "date": f"{dt.datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        "revision": subprocess.run(git, cwd=ROOT, capture_output=True)
        .stdout.decode()
        .strip(),
        "cpu": first("/proc/cpuinfo", ("model name",)).strip(),
        "cores": len(os.sched_getaffinity(0)),
        "load": [list(load_before), list(os.getloadavg())],
        "os": first("/etc/os-release", ("PRETTY_NAME",)).strip().strip('"')
        + f", {platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} "
        f"{platform.python_version()}",
        "versions": {name: version(name) for name in ["iron-fast", *PACKAGES]},
    }


# -- the figures -----------------------------------------------------------


def medians(results: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    """pytest-benchmark's and Node's stats, by (op, size, implementation)
    and by ("request", framework, variant)."""
    out: dict[tuple[str, ...], Any] = {}
    for bench in results.get("suites", {}).get("benchmarks", ()):
        params, name = bench["params"], bench["name"].split("[")[0]
        if name == "test_request":
            key = ("request", params["framework"], params["variant"])
        elif "size" in params:
            op = name.removeprefix("test_").removesuffix("_new_cookie")
            key = (op, params["size"], params["impl"])
        else:  # a suite with no target (test_bench_config.py, ...)
            key = (bench["group"] or "", "", bench["name"])
        out[key] = {**bench["stats"], **bench["extra_info"]}
    for run in results.get("node", {}).get("results", ()):
        key = (run["op"], run["size"], f"node:{run['lib']}")
        out[key] = {"median": run["median_s"], "rounds": run["rounds"]}
        out[key]["token_chars"] = run.get("token_chars")
    return out


def figures(results: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """Every value a target can be judged on, with how it was measured."""
    found: dict[str, tuple[float, str]] = {}
    stats, ops = medians(results), results.get("interleaved", {}).get("ops")
    for case, op, impl in CASES:
        if (op, "100B", impl) in stats:
            value = stats[op, "100B", impl]["median"]
            found[f"µs {case}"] = (value * 1e6, "pytest-benchmark median")
        for other in ("reference", "fernet") if ops else ():
            times = ops["median_s"]
            found[f"{other} / {case}"] = (
                ops["factors"][f"{op} {other} / {op} {impl}"],
                f"{_us(times[f'{op} {other}'])} µs vs "
                f"{_us(times[f'{op} {impl}'])} µs, by turns",
            )
    pairs = results.get("floor", {}).get("pairs")
    for op in ("seal", "unseal") if pairs else ():
        low, high = pairs["gap_quartiles"][op]
        found[f"{op} / floor"] = (
            pairs["gap"][op],
            f"{_us(pairs['python_s'][op])} µs vs {_us(pairs['floor_s'][op])}"
            f" µs, quartiles {low:.2f}-{high:.2f}, {pairs['rounds']} rounds",
        )
    requests = results.get("interleaved", {}).get("requests", {})
    for fw, app in requests.items():
        for flow, base, variant in SHARES:
            added = app.get(f"overhead_s vs {base}", {})
            if variant in added:
                ours, native = added[variant], added["native"]
                found[f"{fw} share {flow}"] = (
                    ours / native,
                    f"+{_us(ours)} µs vs +{_us(native)} µs over `{base}`",
                )
        ours = app["overhead_s vs none"]["iron_fast"]
        found[f"{fw} +µs"] = (ours * 1e6, "a new cookie, over `none`")
    read = {
        case: stats.get(("revocation", "", f"test_revocation_check[{case}]"))
        for case in ("none", "redis-hit", "redis-round-trip")
    }
    if read["none"] and read["redis-hit"]:
        trip = read["redis-round-trip"]
        found["revocation hit +µs"] = (
            (read["redis-hit"]["median"] - read["none"]["median"]) * 1e6,
            f"{_us(read['redis-hit']['median'])} vs "
            f"{_us(read['none']['median'])} µs per read"
            + (f"; a Redis round trip {_us(trip['median'])}" if trip else ""),
        )
    cases = results.get("threads", {}).get("cases")
    if cases:
        worst = min(cases, key=_thread_score)
        found["threads"] = (
            _thread_score(worst),
            f"{worst['op']} {worst['size']}: {worst['ratio']:.2f}, stdlib "
            f"json {worst['gil_bound_ratio']:.2f}",
        )
    apps = results.get("server", {}).get("apps", {})
    for _, key, *_ in TARGETS:
        a, _, b = key.partition(" / ")
        if a in apps and b in apps:
            rounds = zip(apps[a]["runs"], apps[b]["runs"])
            found[key] = (
                median(x / y for x, y in rounds),
                f"{apps[a]['req_s']:,.0f} vs {apps[b]['req_s']:,.0f} req/s; "
                f"CPU {_us(apps[a]['cpu_s'])} vs {_us(apps[b]['cpu_s'])} µs "
                "per request",
            )
    return found


CASES = [  # name in TARGETS, op, implementation
    ("seal", "seal", API),
    ("unseal new", "unseal", API + NEW),
    ("unseal cached", "unseal", API),
]
SHARES = [  # flow, baseline, variant
    ("new", "none", "iron_fast"),
    ("next", "none", "iron_fast:next"),
    ("bare", "bare", "iron_fast"),
]


def _thread_score(case: dict[str, float]) -> float:
    return max(case["ratio"], case["ratio_to_gil_bound"])


# -- the report ------------------------------------------------------------


def _us(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1e6:.2f}" if seconds < 1e-4 else f"{seconds * 1e6:.1f}"


def _table(
    header: list[str], rows: list[list[Any]], text: int = 1
) -> list[str]:
    """A Markdown table, its first ``text`` columns left-aligned."""
    align = ["---"] * text + ["---:"] * (len(header) - text)
    lines = ["| " + " | ".join(header) + " |", f"|{'|'.join(align)}|"]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return [*lines, ""]


def _targets(results: dict[str, Any]) -> tuple[list[str], int]:
    found, rows, missed = figures(results), [], 0
    for what, key, how, bound, source in TARGETS:
        value, detail = found.get(key, (None, "not measured in this run"))
        met = value is not None and (
            value <= bound if how == "<=" else value >= bound
        )
        missed += not met
        shown = "—" if value is None else f"{value:.2f}"
        if value is not None and not met and float(shown) == bound:
            shown = f"{value:.3f}"  # rounded, a miss would read as the bound
        mark = (
            "✅ met"
            if met
            else "❌ not met"
            if value is not None
            else "not measured"
        )
        rows.append([what, f"{'≤' if how == '<=' else '≥'} {bound:.3g}",
                     shown, detail, source, mark])  # fmt: skip
    header = ["target", "bound", "measured", "how", "set by", "verdict"]
    return _table(header, rows), missed


def _sizes(stats: dict[tuple[str, ...], Any]) -> list[str]:
    head = ["implementation"] + [f"{o} {s}" for o in ("seal", "unseal")
                                 for s in SIZES]  # fmt: skip
    rows = []
    for impl, label in LABELS.items():
        cells = [stats.get((o, s, impl), {}).get("median")
                 for o in ("seal", "unseal") for s in SIZES]  # fmt: skip
        if any(cells):
            rows.append([label, *map(_us, cells)])
    chart = f"![µs per call by payload size](benches/{CHART.name})"
    title = "## Seal and unseal: median µs per call"
    return [title, "", *_table(head, rows), chart, ""]


def _requests(results: dict[str, Any]) -> list[str]:
    variants = ("bare", "none", "native", "iron_fast", "iron_fast:next")
    rows = []
    for fw, app in results.get("interleaved", {}).get("requests", {}).items():
        added = app["overhead_s vs none"]
        cells = [
            _us(app["median_s"].get(v))
            + (f" (+{_us(added[v])})" if v in added else "")
            for v in variants
        ]
        rows.append([fw, app["rounds"], *cells])
    header = ["framework", "rounds", *variants]
    return ["## In process: µs per request (added to `none`)", "",
            *_table(header, rows)]  # fmt: skip


def _server(results: dict[str, Any]) -> list[str]:
    server = results.get("server", {})
    if "apps" not in server:
        return ["## Under a server", "", server.get("skipped", "Not run."), ""]
    rows = [
        [*name.split(), f"{app['req_s']:,.0f}", f"{app['p50_s'] * 1e3:.2f}",
         f"{app['p99_s'] * 1e3:.2f}", _us(app["cpu_s"])]
        for name, app in server["apps"].items()
    ]  # fmt: skip
    header = ["app", "session", "mode", "req/s", "p50 ms", "p99 ms",
              "server CPU µs per request"]  # fmt: skip
    return [
        "## Under a server: requests per second",
        "",
        f"{server['wrk']}, {server['connections']} connections, "
        f"{server['rounds']} rounds of {server['seconds']} s per app "
        "(medians; ratios in the targets are medians of the rounds' ratios).",
        "",
        *_table(header, rows, text=3),
    ]


def _floor(
    results: dict[str, Any], stats: dict[tuple[str, ...], Any]
) -> list[str]:
    floor = results.get("floor", {})
    if "ns" not in floor:
        return ["## Native floor", "", floor.get("skipped", "Not run."), ""]
    rows = []
    for op in ("seal", "unseal"):
        for size, size_b in zip(SIZES, (100, 1024, 3584)):
            ns = floor["ns"].get(f"{op} {size_b} B")
            impl = API + (NEW if op == "unseal" else "")
            ours = stats.get((op, size, impl), {}).get("median")
            ratio = f"{ours / ns / 1e-9:.2f}x" if ours and ns else "—"
            rows.append(
                [f"{op} {size}", _us(ns and ns * 1e-9), _us(ours), ratio]
            )
    lines = [
        "## Native floor",
        "",
        floor["rustc"],
        "",
        *_table(["operation", "floor µs", "`seal_data` µs", "x floor"], rows),
    ]
    windows = [
        [f"{dt.datetime.fromtimestamp(w['started'], UTC):%H:%M:%S}",
         w["rounds"], _us(w["floor_s"]["seal"]), f"{w['gap']['seal']:.2f}x",
         _us(w["floor_s"]["unseal"]), f"{w['gap']['unseal']:.2f}x"]
        for w in floor.get("pairs", {}).get("windows", [])
    ]  # fmt: skip
    header = ["floor pairs' window (UTC)", "rounds", "floor seal µs",
              "gap", "floor unseal µs", "gap"]  # fmt: skip
    lines += _table(header, windows)
    primitives = [
        [name, f"{ns:.0f}"]
        for name, ns in floor["ns"].items()
        if not name.startswith(("seal", "unseal"))
    ]
    return lines + _table(["primitive", "ns"], primitives)  # fmt: skip


def _threads(results: dict[str, Any]) -> list[str]:
    cases = results.get("threads", {}).get("cases", [])
    rows = [[c["op"], c["size"], f"{c['ops_per_s_1_thread']:,.0f}",
             f"{c['ops_per_s_2_threads']:,.0f}", f"{c['ratio']:.2f}",
             f"{c['gil_bound_ratio']:.2f}", f"{c['ratio_to_gil_bound']:.2f}"]
            for c in cases]  # fmt: skip
    header = ["op", "size", "1 thread ops/s", "2 threads ops/s", "ratio",
              "stdlib json's ratio", "ratio / json's"]  # fmt: skip
    return ["## Two threads", "", *_table(header, rows, text=2)]


def _options(stats: dict[tuple[str, ...], Any]) -> list[str]:
    """PBKDF2 iterations (h3 2.x seals with 8192) and revocation: what
    each opt-in option costs a read."""
    rows = []
    for count in ("1", "8192"):
        cold, hit = (
            stats.get(("unseal_iterations", "100B", f"iterations={count}:{s}"))
            for s in ("cold", "cached")
        )
        if cold and hit:
            rows.append([f"unseal 100 B, {count} iteration(s)",
                         _us(cold["median"]), _us(hit["median"])])  # fmt: skip
    for case in ("none", "memory", "redis-hit", "redis-round-trip"):
        read = stats.get(("revocation", "", f"test_revocation_check[{case}]"))
        if read:
            rows.append([f"read a session, revocation: {case}", "",
                         _us(read["median"])])  # fmt: skip
    if not rows:
        return []
    header = ["case", "a seal not seen before µs", "again, or per read µs"]
    return [
        "## Options: PBKDF2 iterations and revocation",
        "",
        "A `Sealer` at 8192 iterations derives two keys for a seal it has "
        "not seen; its verified-seal cache answers the user's next request "
        "without deriving any. Revocation: `codec.load` of a genuine "
        "cookie, with no store, `MemoryRevocation`, `RedisRevocation` "
        "answering from its local cache, and asking Redis every time "
        "(`cache_ttl=0`, one pipelined round trip on loopback).",
        "",
        *_table(header, rows),
    ]


def _every(stats: dict[tuple[str, ...], Any]) -> list[str]:
    rows = [
        [" ".join(key[:2]), LABELS.get(key[2], key[2]), _us(s["median"]),
         _us(s.get("iqr")), s["rounds"], s.get("token_chars") or ""]
        for key, s in sorted(stats.items())
    ]  # fmt: skip
    header = ["case", "implementation", "median µs", "IQR µs", "rounds",
              "token chars"]  # fmt: skip
    return ["## Every benchmark", "", *_table(header, rows, text=2)]


def render(results: dict[str, Any]) -> str:
    env, stats = results["env"], medians(results)
    node = results.get("node", {})
    targets, missed = _targets(results)
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    load = " before, ".join(
        " / ".join(f"{x:.2f}" for x in w) for w in env["load"]
    )
    return "\n".join([
        "# iron_fast benchmarks",
        "",
        "Generated by `.venv/bin/python benches/report.py` (about 15 "
        "minutes); do not edit by hand. The server part alone, its "
        "section rewritten: `.venv/bin/python benches/report.py --parts "
        "server --reuse`. How each figure is measured: "
        "[benches/README.md](benches/README.md).",
        "",
        f"* command: `{env['command']}`; {env['date']}; revision "
        f"{env['revision']}; parts finished (UTC): "
        + ", ".join(f"{k} {v}" for k, v in results.get("when", {}).items()),
        f"* {env['cpu']}, {env['cores']} cores, shared; load average "
        f"(1/5/15 min) {load} after",
        f"* {env['os']}; {env['python']}; {versions}",
        f"* Node {node.get('node', '(not run)')} "
        + ", ".join(f"{k} {v}" for k, v in node.get("packages", {}).items()),
        "",
        f"**{missed} target(s) not met or not measured.**" if missed
        else "**Every target is met in this run.**",
        "",
        "## Targets",
        "",
        *targets,
        *_sizes(stats),
        *_requests(results),
        *_server(results),
        *_floor(results, stats),
        *_threads(results),
        *_options(stats),
        *_every(stats),
    ]).rstrip() + "\n"  # fmt: skip


def chart(results: dict[str, Any]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return print("matplotlib is missing: no chart", file=sys.stderr)
    stats = medians(results)
    if "suites" not in results:
        return None  # keep the chart of the last run that had the figures
    figure, axes = plt.subplots(1, 2, figsize=(12, 5))
    for axis, op in zip(axes, ("seal", "unseal")):
        for impl, label in LABELS.items():
            ys = [stats.get((op, s, impl), {}).get("median") for s in SIZES]
            if all(ys):
                axis.plot([100, 1024, 3584], [y * 1e6 for y in ys], "o-",
                          label=label.replace("`", ""))  # fmt: skip
        axis.set(xscale="log", yscale="log", title=op, xlabel="JSON bytes",
                 ylabel="µs per call (median)")  # fmt: skip
    axes[0].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(CHART, dpi=100)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--render-only", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    keep = args.reuse or args.render_only
    results = json.loads(SAVED.read_text(encoding="utf-8")) if keep else {}
    failed: list[str] = []
    if not args.render_only:
        failed = run(args.parts.split(","), args.quick, results)
        SAVED.parent.mkdir(exist_ok=True)
        SAVED.write_text(json.dumps(results), encoding="utf-8")
    chart(results)
    args.output.write_text(render(results), encoding="utf-8")
    print(f"wrote {args.output} and {CHART} (figures: {SAVED})")
    if failed:
        print(f"report: failed parts: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
