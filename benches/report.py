# SPDX-License-Identifier: MIT
"""Run the seal/unseal benchmarks and rewrite BENCHMARKS.md from the run.

Usage (from anywhere)::

    .venv/bin/python benches/report.py [--max-time SECONDS] [--output PATH]

Every figure in the report comes from this run; only the targets (from
DESIGN.md "Performance targets") are constants.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

BENCHES = Path(__file__).resolve().parent
ROOT = BENCHES.parent
SUITE = BENCHES / "test_bench_seal.py"

OPERATIONS = ("seal", "unseal")
SIZES = ("100B", "1KB", "3.5KB")  # order of benches/payloads.py SIZES
BASELINE = "iron_fast.Sealer"
FUNCTIONAL = "iron_fast.seal_data"
REFERENCE = "reference"
LABELS = {
    "iron_fast.Sealer": "iron_fast `Sealer` (reused)",
    "iron_fast.seal_data": "iron_fast `seal_data`/`unseal_data`",
    "reference": "pure-Python reference (`benches/reference.py`)",
    "fernet": "cryptography Fernet + json",
    "itsdangerous": "itsdangerous `URLSafeTimedSerializer` (signed only)",
}

# DESIGN.md "Performance targets", 100-byte payload.
MILESTONE_SPEEDUP = 5.0
TARGET_SPEEDUP = 10.0
TARGET_US = {"seal": 5.0, "unseal": 4.0}
COOKIE_BYTES = 4096  # a browser's limit for one Set-Cookie


def _run_suite(json_path: Path, max_time: float) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(SUITE.relative_to(ROOT)),
        "--benchmark-only",
        f"--benchmark-json={json_path}",
        f"--benchmark-max-time={max_time}",
        # Rounds of >= 50 us: many calls per round for the fast cases, so
        # the timer's own cost stays out of the figures.
        "--benchmark-min-time=0.00005",
        "--benchmark-sort=name",
        "--benchmark-columns=median,iqr,rounds",
        "-o",
        "addopts=",  # project-wide options must not alter the run
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    subprocess.run(command, cwd=ROOT, check=True)
    return command


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith(("model name", "Model", "Hardware")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _os_name() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as release:
            for line in release:
                if line.startswith("PRETTY_NAME="):
                    name = line.split("=", 1)[1].strip().strip('"')
                    return f"{name}, {platform.system()} {platform.release()}"
    except OSError:
        pass
    return platform.platform()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _iron_fast_version() -> str:
    try:
        import iron_fast
    except ImportError:
        return "not importable"
    version = getattr(iron_fast, "__version__", None)
    if version is None:
        version = getattr(iron_fast._core, "__version__", None)
    return str(version or _version("iron_fast"))


def _git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "no commit yet"
    return out.stdout.strip()


def _cores() -> str:
    logical = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        return str(logical)
    if usable != logical:
        return f"{logical} ({usable} usable by this process)"
    return str(logical)


def _results(data: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    """(operation, size, implementation) -> the benchmark's record."""
    results = {}
    for bench in data["benchmarks"]:
        operation = bench["name"].split("[", 1)[0].removeprefix("test_")
        params = bench["params"]
        results[operation, params["size"], params["impl"]] = bench
    return results


def _us(seconds: float) -> str:
    micro = seconds * 1e6
    return f"{micro:.2f}" if micro < 100 else f"{micro:.1f}"


def _ratio(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def _mark(ok: bool) -> str:
    return "✅ yes" if ok else "❌ no"


def _median(results: dict[tuple[str, str, str], Any], *key: str) -> Any:
    bench = results.get(key)  # type: ignore[arg-type]
    return None if bench is None else bench["stats"]["median"]


def _summary(results: dict[tuple[str, str, str], Any]) -> list[str]:
    lines = [
        "## Summary: median µs per call",
        "",
        "| implementation | "
        + " | ".join(f"{op} {size}" for op in OPERATIONS for size in SIZES)
        + " |",
        "|---|" + "---:|" * (len(OPERATIONS) * len(SIZES)),
    ]
    for impl, label in LABELS.items():
        cells = []
        for op in OPERATIONS:
            for size in SIZES:
                median = _median(results, op, size, impl)
                cells.append("n/a" if median is None else _us(median))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _targets(results: dict[tuple[str, str, str], Any]) -> list[str]:
    lines = [
        "## Milestone and design targets (100 B payload)",
        "",
        f"Speed-up = reference median / iron_fast median. First milestone: "
        f"≥ {MILESTONE_SPEEDUP:g}x the reference. Design targets: seal "
        f"≤ {TARGET_US['seal']:g} µs, unseal ≤ {TARGET_US['unseal']:g} µs, "
        f"and ≥ {TARGET_SPEEDUP:g}x the reference.",
        "",
        "| operation | API | median µs | speed-up vs reference "
        f"| milestone ≥ {MILESTONE_SPEEDUP:g}x | time target "
        f"| ≥ {TARGET_SPEEDUP:g}x | all design targets |",
        "|---|---|---:|---:|---|---|---|---|",
    ]
    verdicts = []
    for op in OPERATIONS:
        reference = _median(results, op, "100B", REFERENCE)
        for impl in (BASELINE, FUNCTIONAL):
            median = _median(results, op, "100B", impl)
            if median is None or reference is None:
                continue
            speedup = reference / median
            milestone = speedup >= MILESTONE_SPEEDUP
            fast = median * 1e6 <= TARGET_US[op]
            tenfold = speedup >= TARGET_SPEEDUP
            lines.append(
                f"| {op} | `{impl}` | {_us(median)} | {_ratio(speedup)} "
                f"| {_mark(milestone)} "
                f"| {_mark(fast)} (≤ {TARGET_US[op]:g} µs) "
                f"| {_mark(tenfold)} | {_mark(fast and tenfold)} |"
            )
            if impl == BASELINE:
                verdicts.append((op, milestone, fast and tenfold))
    lines.append("")
    for op, milestone, targets in verdicts:
        lines.append(
            f"* **{op} 100 B** with a reused `Sealer`: first milestone "
            f"{'**met**' if milestone else '**not met**'}; design targets "
            f"{'**met**' if targets else '**not met**'}."
        )
    return [*lines, ""]


def _group_tables(results: dict[tuple[str, str, str], Any]) -> list[str]:
    lines = [
        "## Per operation and payload size",
        "",
        "`x iron_fast` = implementation median / iron_fast `Sealer` median "
        "(how many times slower than iron_fast). IQR = interquartile "
        "range, a noise indicator.",
        "",
    ]
    for op in OPERATIONS:
        for size in SIZES:
            base = _median(results, op, size, BASELINE)
            lines += [
                f"### {op} {size}",
                "",
                "| implementation | median µs | IQR µs | rounds "
                "| x iron_fast |" + (" token chars |" if op == "seal" else ""),
                "|---|---:|---:|---:|---:|"
                + ("---:|" if op == "seal" else ""),
            ]
            for impl, label in LABELS.items():
                bench = results.get((op, size, impl))
                if bench is None:
                    continue
                stats = bench["stats"]
                ratio = (
                    "n/a" if base is None else _ratio(stats["median"] / base)
                )
                row = (
                    f"| {label} | {_us(stats['median'])} "
                    f"| {_us(stats['iqr'])} | {stats['rounds']} | {ratio} |"
                )
                if op == "seal":
                    row += f" {bench['extra_info'].get('token_chars', '')} |"
                lines.append(row)
            lines.append("")
    return lines


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _render(
    data: dict[str, Any],
    argv: list[str],
    pytest_command: list[str],
    loads: tuple[str, str],
) -> str:
    results = _results(data)
    python = f"{platform.python_implementation()} {platform.python_version()}"
    pytest_cmd = shlex.join(
        [
            "--benchmark-json=<temp file>"
            if arg.startswith("--benchmark-json=")
            else arg
            for arg in ["python", *pytest_command[1:]]
        ]
    )
    lines = [
        "# iron_fast benchmarks",
        "",
        "Generated by `benches/report.py`; do not edit by hand, rerun it.",
        "",
        f"* command: `{shlex.join(argv)}` (ran `{pytest_cmd}`)",
        f"* date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"* revision: {_git_revision()}",
        f"* CPU: {_cpu_model()}, {_cores()} cores; load average "
        f"(1/5/15 min) {loads[0]} before the run, {loads[1]} after",
        f"* OS: {_os_name()}",
        f"* Python: {python}",
        f"* iron_fast {_iron_fast_version()}, cryptography "
        f"{_version('cryptography')}, itsdangerous "
        f"{_version('itsdangerous')}, pytest-benchmark "
        f"{_version('pytest-benchmark')}",
        "",
        "Payloads (`benches/payloads.py`): realistic session dicts whose "
        "compact JSON text is exactly 100, 1024 and 3584 bytes. Each "
        "implementation seals to a string and unseals back to the dict; "
        "itsdangerous only signs (no encryption). Times are the median of "
        "many rounds in one process, all implementations in the same run.",
        "",
    ]
    too_big = sorted(
        {
            size
            for (op, size, impl), bench in results.items()
            if impl == BASELINE
            and bench["extra_info"].get("token_chars", 0) > COOKIE_BYTES
        },
        key=SIZES.index,
    )
    if too_big:
        lines += [
            f"Note: the iron seal of the {', '.join(too_big)} payload is "
            f"longer than {COOKIE_BYTES} characters, so as one cookie a "
            "browser would refuse it; iron-session 9 stores it with "
            "`chunk: true`. It is measured anyway, as the large end.",
            "",
        ]
    lines += _targets(results)
    lines += _summary(results)
    lines += _group_tables(results)
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument(
        "--max-time",
        type=float,
        default=2.0,
        help="seconds per benchmark (pytest-benchmark --benchmark-max-time)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "BENCHMARKS.md",
        help="report to write (default: BENCHMARKS.md at the repo root)",
    )
    args = parser.parse_args()
    try:
        import iron_fast  # noqa: F401
    except ImportError as exc:
        print(
            f"iron_fast is not importable ({exc}); build it first "
            "(maturin develop --release)",
            file=sys.stderr,
        )
        return 1

    load_before = _load()
    with tempfile.TemporaryDirectory() as tmp:
        json_path = Path(tmp) / "benchmarks.json"
        pytest_command = _run_suite(json_path, args.max_time)
        data = json.loads(json_path.read_text(encoding="utf-8"))
    load_after = _load()

    argv = [
        ".venv/bin/python"
        if Path(sys.executable).parent.parent.resolve()
        == (ROOT / ".venv").resolve()
        else Path(sys.executable).name,
        "benches/report.py",
        *sys.argv[1:],
    ]
    text = _render(data, argv, pytest_command, (load_before, load_after))
    tmp_out = args.output.with_suffix(".md.tmp")
    tmp_out.write_text(text, encoding="utf-8")
    tmp_out.replace(args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
