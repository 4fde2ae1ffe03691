# SPDX-License-Identifier: MIT
"""The ``iron-fast`` command, run as a user runs it: in a subprocess,
through ``python -m iron_fast`` and the installed console script, with
good and bad input for every subcommand."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import iron_fast
from iron_fast import _core
from tests.conftest import require_or_skip
from tests.vectors_util import load

PASSWORD = "cli-test-password-0123456789-abcdefghijklmnop"
OTHER_PASSWORD = "another-cli-password-0123456789-abcdefghijkl"
EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_SECRET = 0, 1, 2, 3
URL_SAFE = set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)


def _vector(name: str) -> dict[str, Any]:
    for case in load("unseal.json")["cases"]:
        if case["name"] == name:
            return dict(case)
    raise LookupError(name)


def _console_script() -> str:
    scripts = Path(sys.executable).parent
    found = shutil.which("iron-fast", path=str(scripts))
    if found is None:
        require_or_skip(
            f"the iron-fast console script is not in {scripts}: reinstall "
            "the package (maturin develop / pip install)"
        )
    assert found is not None
    return found


class Result:
    def __init__(self, proc: subprocess.CompletedProcess[bytes]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout.decode("utf-8")
        self.err = proc.stderr.decode("utf-8")

    def __repr__(self) -> str:
        return f"Result({self.code}, out={self.out!r}, err={self.err!r})"


def run(
    *args: str,
    stdin: str | bytes = b"",
    password: str | None = PASSWORD,
    env: dict[str, str] | None = None,
    script: bool = False,
) -> Result:
    """Run the command; ``password`` goes in $IRON_FAST_PASSWORD."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("IRON_FAST_PASSWORD")
    }
    if password is not None:
        environ["IRON_FAST_PASSWORD"] = password
    environ.update(env or {})
    command = (
        [_console_script()] if script else [sys.executable, "-m", "iron_fast"]
    )
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [*command, *args],
        input=data,
        capture_output=True,
        env=environ,
        timeout=60,
        check=False,
    )
    return Result(proc)


def ok(*args: str, **kwargs: Any) -> str:
    result = run(*args, **kwargs)
    assert result.code == EXIT_OK, result
    return result.out


def fails(code: int, *args: str, **kwargs: Any) -> Result:
    result = run(*args, **kwargs)
    assert result.code == code, result
    assert result.out == "", result
    assert result.err.strip(), "a failure must say why"
    assert "Traceback" not in result.err, result
    return result


# -- help, version, entry points ---------------------------------------


@pytest.mark.parametrize("command", [[], ["keygen"], ["seal"], ["unseal"]])
def test_help_lists_password_sources_and_exit_codes(
    command: list[str],
) -> None:
    out = ok(*command, "--help")
    assert out.startswith("usage: iron-fast")
    assert "IRON_FAST_PASSWORD" in out
    assert "--password-file" in out or not command
    assert "exit status" in out


def test_inspect_help() -> None:
    out = ok("inspect", "--help")
    assert "usage: iron-fast inspect" in out
    assert "exit status" in out


def test_version() -> None:
    assert ok("--version") == f"iron-fast {iron_fast.__version__}\n"


def test_no_command_is_a_usage_error() -> None:
    result = fails(EXIT_USAGE)
    assert "usage:" in result.err


def test_unknown_command() -> None:
    fails(EXIT_USAGE, "encrypt")


def test_console_script_matches_module() -> None:
    sealed = ok("seal", '{"via": "script"}', script=True).strip()
    assert ok("unseal", sealed) == '{"via":"script"}\n'
    assert ok("--version", script=True) == ok("--version")


# -- keygen ---------------------------------------------------------------


def test_keygen_prints_a_strong_password() -> None:
    first = ok("keygen", password=None).strip()
    second = ok("keygen", password=None).strip()
    assert len(first) == 43
    assert set(first) <= URL_SAFE
    assert first != second
    assert not first.startswith(("-", "{"))
    # Usable as it is.
    iron_fast.Sealer(first)


def test_keygen_length() -> None:
    assert len(ok("keygen", "--length", "64").strip()) == 64
    assert len(ok("keygen", "--length", "32").strip()) == 32


@pytest.mark.parametrize("length", ["31", "0", "-5", "many"])
def test_keygen_refuses_a_weak_length(length: str) -> None:
    result = fails(EXIT_USAGE, "keygen", "--length", length)
    assert "--length" in result.err


def test_keygen_rotate_from_a_single_password() -> None:
    rotated = json.loads(ok("keygen", "--rotate"))
    assert list(rotated) == ["1", "2"]
    assert rotated["1"] == PASSWORD
    assert len(rotated["2"]) == 43
    # The new id seals, the old seal still opens.
    old_seal = iron_fast.seal_data({"n": 1}, password=PASSWORD)
    sealer = iron_fast.Sealer(rotated)
    assert sealer.password_id == "2"
    assert sealer.unseal(old_seal) == {"n": 1}


def test_keygen_rotate_a_map_from_a_file(tmp_path: Path) -> None:
    current = {"1": PASSWORD, "9": OTHER_PASSWORD, "10": PASSWORD + "x"}
    secret_file = tmp_path / "secret.json"
    secret_file.write_text(json.dumps(current) + "\n")
    rotated = json.loads(
        ok("keygen", "--rotate", "--password-file", str(secret_file))
    )
    # Numeric order, the new one under the highest id + 1 (not "9" + 1).
    assert list(rotated) == ["1", "9", "10", "11"]
    kept = json.loads(
        ok(
            "keygen",
            "--rotate",
            "--keep",
            "1",
            "--password-file",
            str(secret_file),
        )
    )
    assert list(kept) == ["10", "11"]
    only_new = json.loads(
        ok(
            "keygen",
            "--rotate",
            "--keep",
            "0",
            "--password-file",
            str(secret_file),
        )
    )
    assert list(only_new) == ["11"]


def test_keygen_keep_needs_rotate() -> None:
    fails(EXIT_USAGE, "keygen", "--keep", "1")


def test_keygen_keep_must_not_be_negative() -> None:
    fails(EXIT_USAGE, "keygen", "--rotate", "--keep", "-1")


def test_keygen_rotate_needs_a_usable_password() -> None:
    result = fails(EXIT_SECRET, "keygen", "--rotate", password="short")
    assert "short" not in result.err.replace("too short", "")
    fails(EXIT_SECRET, "keygen", "--rotate", password=None)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_keygen_output_file(tmp_path: Path) -> None:
    target = tmp_path / "secret.txt"
    result = run("keygen", "--output", str(target))
    assert result.code == EXIT_OK, result
    assert result.out == ""
    password = target.read_text().strip()
    assert len(password) == 43
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # Never silently replaced...
    fails(EXIT_USAGE, "keygen", "--output", str(target))
    assert target.read_text().strip() == password
    # ...unless asked: rotate in place.
    ok(
        "keygen",
        "--rotate",
        "--password-file",
        str(target),
        "--output",
        str(target),
        "--force",
    )
    rotated = json.loads(target.read_text())
    assert rotated["1"] == password
    assert list(rotated) == ["1", "2"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret.txt"]


def test_keygen_output_into_a_missing_directory(tmp_path: Path) -> None:
    fails(EXIT_USAGE, "keygen", "--output", str(tmp_path / "no" / "file"))


# -- seal and unseal ----------------------------------------------------


def test_seal_argument_then_unseal() -> None:
    sealed = ok("seal", '{"user": {"id": 1, "name": "Ada"}}').strip()
    assert sealed.startswith("Fe26.2*1*")
    assert sealed.endswith("~2")
    assert iron_fast.unseal(sealed, password=PASSWORD) == {
        "user": {"id": 1, "name": "Ada"}
    }
    assert ok("unseal", sealed) == '{"user":{"id":1,"name":"Ada"}}\n'


def test_seal_from_stdin_and_unseal_from_stdin() -> None:
    data = '{"é": "naïve ☃ 😀", "big": 12345678901234567890, "x": 1.5}\n'
    sealed = ok("seal", stdin=data)
    assert ok("unseal", stdin=sealed) == (
        '{"é":"naïve ☃ 😀","big":12345678901234567890,"x":1.5}\n'
    )
    assert ok("unseal", "-", stdin=sealed) == ok("unseal", sealed.strip())
    assert ok("seal", "-", stdin=data).startswith("Fe26.2*")


def test_unseal_pretty() -> None:
    sealed = ok("seal", '{"a": [1, 2], "b": null}').strip()
    assert json.loads(ok("unseal", "--pretty", sealed)) == {
        "a": [1, 2],
        "b": None,
    }
    assert "\n  " in ok("unseal", "--pretty", sealed)


def test_seal_ttl() -> None:
    before = time.time() * 1000
    sealed = ok("seal", "--ttl", "3600", "{}").strip()
    expiration = int(sealed.split("*")[5])
    assert before + 3_600_000 <= expiration <= time.time() * 1000 + 3_600_000
    forever = ok("seal", "--ttl", "0", "{}").strip()
    assert forever.split("*")[5] == ""


def test_seal_opens_in_the_library_with_a_password_map() -> None:
    rotation = json.dumps({"1": PASSWORD, "2": OTHER_PASSWORD})
    sealed = ok("seal", '{"n": 2}', password=rotation).strip()
    assert sealed.split("*")[1] == "2"
    assert iron_fast.unseal_data(
        sealed, password={1: PASSWORD, 2: OTHER_PASSWORD}
    ) == {"n": 2}
    assert ok("unseal", sealed, password=rotation) == '{"n":2}\n'


@pytest.mark.parametrize("name", ["v8_ttl_0", "v9_ttl_0"])
def test_unseal_a_node_cookie(name: str) -> None:
    case = _vector(name)
    out = ok("unseal", case["seal"], password=case["password"])
    assert out == case["plaintext_json"] + "\n"


def test_password_env_and_file(tmp_path: Path) -> None:
    sealed = ok(
        "seal",
        "--password-env",
        "MY_SECRET",
        "{}",
        password=None,
        env={"MY_SECRET": PASSWORD},
    ).strip()
    secret_file = tmp_path / "secret"
    # A final newline (echo, editors) is not part of the secret.
    secret_file.write_text(PASSWORD + "\r\n")
    assert (
        ok(
            "unseal",
            "--password-file",
            str(secret_file),
            sealed,
            password=None,
        )
        == "{}\n"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"a":', "invalid JSON"),
        ('{"a": NaN}', "invalid JSON"),
        ("{'a': 1}", "invalid JSON"),
        ("", "no JSON data"),
        ("   \n", "no JSON data"),
    ],
)
def test_seal_bad_json(data: str, message: str) -> None:
    result = fails(EXIT_USAGE, "seal", stdin=data)
    assert message in result.err


def test_seal_stdin_not_utf8() -> None:
    result = fails(EXIT_USAGE, "seal", stdin=b'{"a": "\xff"}')
    assert "UTF-8" in result.err


@pytest.mark.parametrize("ttl", ["-1", "1.5", "soon"])
def test_seal_bad_ttl(ttl: str) -> None:
    result = fails(EXIT_USAGE, "seal", "--ttl", ttl, "{}")
    assert "--ttl" in result.err


@pytest.mark.parametrize("command", ["seal", "unseal"])
@pytest.mark.parametrize("flag", ["--password", "--secret"])
def test_a_secret_on_the_command_line_is_refused(
    command: str, flag: str
) -> None:
    result = fails(EXIT_USAGE, command, flag, "hunter2-hunter2", "{}")
    assert "command line" in result.err
    assert "hunter2" not in result.err


def test_password_sources_are_exclusive(tmp_path: Path) -> None:
    fails(
        EXIT_USAGE,
        "seal",
        "--password-env",
        "X",
        "--password-file",
        str(tmp_path / "f"),
        "{}",
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (None, "IRON_FAST_PASSWORD"),
        ("", "IRON_FAST_PASSWORD"),
        ("too-short-secret", "at least 32"),
        ('{"1": "x', "not a valid JSON password map"),
        ("{}", "non-empty JSON object"),
        ('{"1": 12345}', "must be a JSON string"),
        ('{"1": "' + "s" * 40 + '", "x-y": "' + "t" * 40 + '"}', "id"),
    ],
)
@pytest.mark.parametrize("command", ["seal", "unseal"])
def test_bad_password(
    command: str, password: str | None, message: str
) -> None:
    result = fails(EXIT_SECRET, command, "{}", password=password)
    assert message in result.err
    # Messages name the problem, never the secret.
    if password and len(password) > 8:
        assert password not in result.err


def test_password_file_problems(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = fails(EXIT_SECRET, "seal", "--password-file", str(missing), "{}")
    assert str(missing) in result.err
    empty = tmp_path / "empty"
    empty.write_text("\n")
    fails(EXIT_SECRET, "seal", "--password-file", str(empty), "{}")
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff" * 40)
    fails(EXIT_SECRET, "seal", "--password-file", str(binary), "{}")


def test_unseal_with_another_password() -> None:
    sealed = ok("seal", "{}").strip()
    result = fails(EXIT_REFUSED, "unseal", sealed, password=OTHER_PASSWORD)
    assert "(invalid)" in result.err


def test_unseal_tampered() -> None:
    sealed = ok("seal", '{"admin": false}').strip()
    fields = sealed.split("*")
    fields[4] = fields[4][:-2] + ("AA" if fields[4][-2:] != "AA" else "BB")
    result = fails(EXIT_REFUSED, "unseal", "*".join(fields))
    assert "(invalid)" in result.err


def test_unseal_expired() -> None:
    sealer = iron_fast.Sealer(PASSWORD)
    long_ago = int(time.time() * 1000) - 86_400_000
    expired = sealer._seal_with(
        {"n": 1},
        ttl=60,
        now_ms=long_ago,
        encryption_salt="a" * 64,
        hmac_salt="b" * 64,
        iv=bytes(16),
    )
    result = fails(EXIT_REFUSED, "unseal", expired)
    assert "(expired)" in result.err
    # A generous skew lets it through, as iron's timestampSkewSec does.
    assert ok("unseal", "--skew", "172800", expired) == '{"n":1}\n'


def test_unseal_unknown_password_id() -> None:
    sealed = ok(
        "seal", "{}", password=json.dumps({"7": OTHER_PASSWORD})
    ).strip()
    result = fails(EXIT_REFUSED, "unseal", sealed)
    assert "(unknown-password)" in result.err


@pytest.mark.parametrize(
    "seal", ["garbage", "Fe26.2*1*abc", "Fe26.2" + "*" * 7]
)
def test_unseal_garbage(seal: str) -> None:
    fails(EXIT_REFUSED, "unseal", seal)


def test_unseal_nothing() -> None:
    result = fails(EXIT_USAGE, "unseal", stdin="\n")
    assert "no seal" in result.err


# -- inspect ------------------------------------------------------------


def test_inspect_needs_no_password() -> None:
    case = _vector("v8_rotation_map_1_2")
    info = json.loads(ok("inspect", "--json", case["seal"], password=None))
    ciphertext = len(case["plaintext_json"].encode()) // 16 * 16
    assert info == {
        "format": "Fe26.2",
        "marker": "2",
        "password_id": "2",
        "expires_ms": case["expiration_ms"],
        "expires_at": info["expires_at"],
        "expired": case["expiration_ms"] <= time.time() * 1000,
        "seal_length": len(case["seal"]),
        "ciphertext_bytes": ciphertext + 16,
        "plaintext_bytes": [ciphertext, ciphertext + 15],
    }
    low, high = info["plaintext_bytes"]
    assert low <= len(case["plaintext_json"].encode()) <= high
    assert info["expires_at"].endswith("Z")


def test_inspect_text() -> None:
    sealed = ok("seal", "--ttl", "7200", '{"n": 1}').strip()
    out = ok("inspect", sealed, password=None)
    assert "password id:  1" in out
    assert "valid for another 1 h 59 min" in out
    assert "~2" in out
    assert f"{len(sealed)} characters" in out
    assert "16 bytes" in out
    assert ok("inspect", stdin=sealed + "\n", password=None) == out


def test_inspect_never_expires_and_expired() -> None:
    forever = ok("seal", "--ttl", "0", "{}").strip()
    assert "never" in ok("inspect", forever, password=None)
    assert json.loads(ok("inspect", "--json", forever))["expires_at"] is None
    sealer = iron_fast.Sealer(PASSWORD)
    expired = sealer._seal_with(
        {},
        ttl=60,
        now_ms=int(time.time() * 1000) - 3 * 86_400_000,
        encryption_salt="a" * 64,
        hmac_salt="b" * 64,
        iv=bytes(16),
    )
    out = ok("inspect", expired, password=None)
    assert "expired 2 d 23 h ago" in out
    assert json.loads(ok("inspect", "--json", expired))["expired"] is True


def test_inspect_a_tampered_seal_still_shows() -> None:
    sealed = ok("seal", "{}").strip()
    fields = sealed.split("*")
    fields[1] = "99"
    out = ok("inspect", "*".join(fields), password=None)
    assert "password id:  99" in out


def _seal_of(
    *,
    pid: str = "1",
    iv: str = "A" * 22,
    ciphertext: str = "A" * 22,
    expiration: str = "",
    mac: str = "A" * 43,
) -> str:
    return f"Fe26.2*{pid}*s*{iv}*{ciphertext}*{expiration}*s*{mac}"


@pytest.mark.parametrize(
    ("seal", "message"),
    [
        ("hello", "not an iron seal"),
        ("Fe26.1*1*a*b*c**d*e", "unsupported seal version"),
        ("Fe26.2*1*abc", "8 '*'-separated fields"),
        (_seal_of(iv="AAAA"), "IV"),
        (_seal_of(ciphertext="AAAA"), "ciphertext"),
        (_seal_of(ciphertext="A+/A" * 6), "ciphertext"),
        (_seal_of(expiration="x"), "expiration"),
        (_seal_of(expiration="-5"), "expiration"),
        (_seal_of(mac="AAAA"), "HMAC"),
        (_seal_of(mac="@" * 43), "HMAC"),
        (_seal_of(pid="a-b"), "password id"),
    ],
)
def test_inspect_refuses_what_is_not_a_seal(seal: str, message: str) -> None:
    result = fails(EXIT_REFUSED, "inspect", seal, password=None)
    assert message in result.err


def test_inspect_accepts_a_minimal_well_formed_seal() -> None:
    seal = _seal_of(pid="")
    info = json.loads(ok("inspect", "--json", seal, password=None))
    assert info["password_id"] == ""
    assert info["marker"] is None
    assert info["ciphertext_bytes"] == 16


def test_inspect_nothing() -> None:
    fails(EXIT_USAGE, "inspect", "", password=None)


# -- inspect reads a seal as the core does (issue 14) ---------------------


def _fields_token(pid: str, expiration: str) -> str:
    return _seal_of(pid=pid, expiration=expiration).replace(
        "*s*", "*" + "a" * 64 + "*"
    )


def test_inspect_refuses_the_leading_zero_the_core_refuses() -> None:
    # The core checks the expiration before it looks the password id up,
    # so an unknown id tells which check refused the token.
    sealer = iron_fast.Sealer(PASSWORD)
    far = "9" * 14
    plain, zero = _fields_token("7", far), _fields_token("7", "0" + far)
    assert sealer.unseal_or_none(plain) == (None, "unknown-password")
    assert sealer.unseal_or_none(zero) == (None, "invalid")
    assert _core.seal_fields(plain)["expires_ms"] == int(far)
    with pytest.raises(ValueError, match="expiration"):
        _core.seal_fields(zero)
    result = fails(EXIT_REFUSED, "inspect", zero, password=None)
    assert "expiration" in result.err


_B64 = st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)


@st.composite
def _tokens(draw: st.DrawFn) -> str:
    """A genuine seal with fields replaced by plausible or odd text."""
    fields = _SEALER.seal({"n": 1}, ttl=draw(st.sampled_from([0, 60]))).split(
        "*"
    )
    for index in draw(st.sets(st.integers(0, 7), max_size=3)):
        fields[index] = draw(
            st.one_of(
                _B64,
                st.from_regex(r"0?[0-9]{0,40}", fullmatch=True),
                st.sampled_from(
                    ["", "Fe26.2", "Fe26.1", "default", "a-b", "~"]
                ),
                st.text(max_size=8),
            )
        )
    return "*".join(fields)


_SEALER = iron_fast.Sealer(PASSWORD)
_KEYS = [
    iron_fast.Sealer(PASSWORD, cache_size=0),
    iron_fast.Sealer(bytes(32), cache_size=0),
]


@settings(max_examples=400, deadline=None)
@given(_tokens())
def test_a_token_inspect_refuses_no_password_opens(token: str) -> None:
    try:
        fields = _core.seal_fields(token)
    except ValueError:
        for sealer in _KEYS:
            assert sealer.unseal_or_none(token)[1] is not None, token
        return
    assert set(fields) >= {"password_id", "expires_ms", "ciphertext_bytes"}


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["1", "2", "default", "a_b"]),
    st.integers(0, 2**40),
    st.booleans(),
)
def test_inspect_reads_every_genuine_seal(
    pid: str, ttl: int, raw: bool
) -> None:
    secret: bytes | str = bytes(range(32)) if raw else PASSWORD
    sealer = iron_fast.Sealer({pid: secret})
    sealed = sealer._seal_with(
        {"n": 1},
        ttl=ttl,
        now_ms=1_000,
        encryption_salt="" if raw else "e" * 64,
        hmac_salt="" if raw else "h" * 64,
        iv=bytes(16),
        password_id=pid,
    )
    fields = _core.seal_fields(sealed)
    assert fields["password_id"] == pid
    assert fields["expires_ms"] == (1_000 + ttl * 1000 if ttl else None)
    assert fields["encryption_salt_length"] == (0 if raw else 64)
    assert fields["marker"] == "2"


# -- no traceback, whatever the input (issue 19, item 6) -------------------


def _no_traceback(result: Result, code: int) -> None:
    assert result.code == code, result
    assert "Traceback" not in result.err, result
    assert len(result.err.strip().splitlines()) <= 2, result


@pytest.mark.parametrize("digits", [16, 17, 20, 39, 40, 400])
def test_inspect_a_far_expiration(digits: int) -> None:
    token = _fields_token("1", "9" * digits)
    result = run("inspect", token, password=None)
    _no_traceback(result, EXIT_OK)
    assert "after the year 9999" in result.out
    info = json.loads(ok("inspect", "--json", token, password=None))
    assert info["expires_at"] is None
    assert info["expires_ms"] == min(10**digits - 1, 2**127 - 1)


def test_inspect_a_seal_made_with_ttl_2_to_the_40() -> None:
    sealed = _SEALER.seal({}, ttl=2**40)
    result = run("inspect", sealed, password=None)
    _no_traceback(result, EXIT_OK)
    assert "after the year 9999" in result.out


def test_unseal_pretty_of_a_lone_surrogate() -> None:
    sealed = _SEALER.seal({"s": "\ud800"})
    for flags in (["--pretty"], []):
        result = run("unseal", *flags, sealed)
        _no_traceback(result, EXIT_OK)
        assert json.loads(result.out) == {"s": "\ud800"}


def test_unseal_a_number_python_cannot_hold() -> None:
    from tests.test_reference import ref

    infinite = ref._seal_plaintext(
        b'{"x":1e400}',
        "1",
        PASSWORD,
        ttl=0,
        now_ms=0,
        encryption_salt="e" * 64,
        hmac_salt="h" * 64,
        iv=bytes(16),
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-X",
            "int_max_str_digits=0",
            "-c",
            "import sys, iron_fast; print(iron_fast.seal_data("
            "{'n': 10**4300}, password=sys.argv[1]))",
            PASSWORD,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for sealed in (infinite, proc.stdout.strip()):
        for flags in (["--pretty"], []):
            result = run("unseal", *flags, sealed)
            assert result.code in (EXIT_REFUSED, EXIT_USAGE), result
            _no_traceback(result, result.code)


def test_keygen_rotates_a_5000_digit_id() -> None:
    long_id = "9" * 5000
    current = json.dumps({long_id: PASSWORD})
    rotated = json.loads(ok("keygen", "--rotate", password=current))
    assert list(rotated) == [long_id, "1" + "0" * 5000]
    assert iron_fast.Sealer(rotated).password_id == "1" + "0" * 5000


@pytest.mark.parametrize(
    "args",
    [
        ["seal", "--ttl", str(2**64), "{}"],
        ["seal", "--ttl", str(2**63), "{}"],
        ["seal", "--ttl", "9" * 5000, "{}"],
        ["unseal", "--skew", str(2**64), "x"],
        ["keygen", "--length", str(2**64)],
        ["keygen", "--rotate", "--keep", str(2**64)],
    ],
)
def test_numbers_beyond_64_bits(args: list[str]) -> None:
    result = fails(EXIT_USAGE, *args)
    assert args[1] in result.err


def test_a_ttl_of_63_bits_seals() -> None:
    sealed = ok("seal", "--ttl", str(2**63 - 1), "{}").strip()
    assert int(sealed.split("*")[5]) > 2**63


# -- no secret repeated from the command line (issue 19, item 7) ----------


@pytest.mark.parametrize(
    "args",
    [
        ["seal", "--passwor=TOPSECRET", "{}"],
        ["seal", "--password-f=TOPSECRET", "{}"],
        ["unseal", "--password-fil", "TOPSECRET", "x"],
        ["keygen", "--rotate", "--passw=TOPSECRET"],
        ["keygen", "--rotate=TOPSECRET"],
        ["inspect", "--json=TOPSECRET", "x"],
        ["--version=TOPSECRET"],
        ["TOPSECRET"],
        ["seal", "{}", "TOPSECRET"],
        ["unseal", "x", "--", "TOPSECRET"],
        ["seal", "--secrets=TOPSECRET", "{}"],
        ["seal", "--ttl", "TOPSECRET", "{}"],
        ["keygen", "-oTOPSECRET", "--length=TOPSECRET"],
    ],
)
def test_an_argument_that_may_be_a_secret_is_never_repeated(
    args: list[str],
) -> None:
    result = fails(EXIT_USAGE, *args)
    assert "TOPSECRET" not in result.err
    assert "TOPSECRET" not in result.out


def test_an_unrecognized_option_is_named_without_its_value() -> None:
    result = fails(EXIT_USAGE, "seal", "--passwor=TOPSECRET", "{}")
    assert "unrecognized arguments: --passwor=…" in result.err


def test_a_password_file_name_that_looks_like_a_secret_is_not_repeated() -> (
    None
):
    secret = "k" * 40
    result = fails(EXIT_SECRET, "seal", "--password-file", secret, "{}")
    assert secret not in result.err
    result = fails(EXIT_SECRET, "seal", "--password-env", secret, "{}")
    assert secret not in result.err


# -- fuzz: main() in process, never an uncaught exception ------------------

_DOCUMENTED = {EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_SECRET}
_WORDS = [
    "keygen",
    "seal",
    "unseal",
    "inspect",
    "-",
    "--",
    "-o",
    "--output",
    "--rotate",
    "--keep",
    "--length",
    "--force",
    "--ttl",
    "--skew",
    "--pretty",
    "--json",
    "--password",
    "--secret",
    "--password-env",
    "--password-file",
    "--passwor",
    "--help",
    "--version",
    "{}",
    "0",
    "-1",
    str(2**64),
    "9" * 30,
    "1e400",
    '{"n": 1e400}',
    "nul\x00l",
    "\udcff",  # a byte of argv that is not UTF-8, as Python decodes it
]
_ARGUMENT = st.one_of(
    st.sampled_from(_WORDS),
    st.text(max_size=12),
    st.builds(
        "{}={}".format, st.sampled_from(_WORDS[4:25]), st.text(max_size=6)
    ),
    st.just(_SEALER.seal({"a": [1, "\ud800"]})),
    st.builds(
        _fields_token, st.sampled_from(["1", ""]), st.text("09", max_size=45)
    ),
)
# An environment variable holds no NUL.
_PASSWORDS = st.one_of(
    st.none(),
    st.just(PASSWORD),
    st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        max_size=40,
    ),
    st.builds(
        lambda key, value: json.dumps({key: value}),
        st.one_of(st.text(max_size=6), st.just("9" * 5000)),
        st.one_of(st.just(PASSWORD), st.integers(), st.text(max_size=4)),
    ),
)


@contextlib.contextmanager
def _chdir(directory: str) -> Iterator[None]:
    # contextlib.chdir is 3.11+; keygen --output may write here.
    before = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


@settings(max_examples=300, deadline=None)
@given(
    argv=st.lists(_ARGUMENT, max_size=6),
    stdin=st.one_of(
        st.binary(max_size=40), st.text(max_size=40).map(str.encode)
    ),
    password=_PASSWORDS,
)
def test_main_never_raises(
    argv: list[str], stdin: bytes, password: str | None
) -> None:
    import io
    import tempfile
    from unittest import mock

    from iron_fast.cli import main

    environ = {k: v for k, v in os.environ.items() if not k.startswith("IRON")}
    if password is not None:
        environ["IRON_FAST_PASSWORD"] = password
    # stderr's error handler is CPython's own for sys.stderr.
    streams = [
        io.TextIOWrapper(io.BytesIO(data), errors=errors)
        for data, errors in (
            (stdin, None),
            (b"", None),
            (b"", "backslashreplace"),
        )
    ]
    with (
        tempfile.TemporaryDirectory() as directory,
        _chdir(directory),
        mock.patch.dict(os.environ, environ, clear=True),
        mock.patch.multiple(
            sys, stdin=streams[0], stdout=streams[1], stderr=streams[2]
        ),
    ):
        try:
            code = main(argv)
        except SystemExit as done:  # pragma: no cover - main returns
            code = done.code
    assert code in _DOCUMENTED, (argv, code)


def test_inspect_shows_no_terminal_escape_from_the_marker() -> None:
    sealed = _SEALER.seal({}).replace("~2", "~\x1b]0;owned\x07")
    out = ok("inspect", sealed, password=None)
    assert "\x1b" not in out
    assert "<10 characters>" in out
