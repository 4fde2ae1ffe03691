# SPDX-License-Identifier: MIT
"""The compiled binding under hostile but legal Python input: no Rust panic
reaches Python, never-raising paths never raise, and every refusal names
its cause (issue 19 items 3 and 4, issue 17's nesting limit)."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest

import iron_fast
from iron_fast import _core

PW = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0"


class _MutatingStr(str):
    """A str holding a lone surrogate (so the writer asks it to encode
    itself) whose encode() runs ``action`` first."""

    action: Any = None

    def encode(self, *args: Any, **kwargs: Any) -> bytes:  # type: ignore[override]
        if self.action is not None:
            self.action()
        return str.encode(self, *args, **kwargs)


def _writers() -> list[Any]:
    sealer = iron_fast.Sealer(PW)
    return [
        _core.to_json,
        sealer.seal,
        lambda data: iron_fast.seal_data(data, password=PW),
    ]


@pytest.mark.parametrize("where", ["value", "key"])
@pytest.mark.parametrize("change", ["grow", "shrink", "replace"])
def test_a_dict_changed_while_written_is_an_ordinary_error(
    where: str, change: str
) -> None:
    """A str subclass whose encode() changes the dict being written made
    PyO3's dict iterator panic (PanicException, a BaseException, with a
    Rust backtrace). It is now the RuntimeError CPython's iterator raises;
    the JSON writer is reached through to_json, Sealer.seal, seal_data.
    A panic, not being an Exception, would fail any of these checks."""
    for write in _writers():
        for ordered in (False, True):  # "0" sends the dict the sorted way
            data: dict[Any, Any] = {"0": 0} if ordered else {}
            text = _MutatingStr("\ud800")
            if where == "value":
                data.update(a=text, b=1, c=2)
            else:
                data.update({text: 1, "b": 1, "c": 2})

            def act(data: dict[Any, Any] = data) -> None:
                if change == "grow":
                    data.update((f"k{i}", i) for i in range(20))
                elif change == "shrink":
                    data.pop("c", None)
                else:  # same size, other keys
                    data.pop("c", None)
                    data["d"] = 3

            text.action = act
            if change == "replace" or ordered:
                # Same size (CPython's iterator does not notice either), or
                # the members were all read before any Python code ran.
                assert write(data)
            else:
                with pytest.raises(RuntimeError, match="changed size"):
                    write(data)


def test_a_dict_resized_by_another_thread_while_written() -> None:
    """Another thread changes the dict while encode() has released the
    GIL: an ordinary exception or a written value, never a panic."""
    data: dict[str, Any] = {}
    started, resized = threading.Event(), threading.Event()

    def resize() -> None:
        started.wait()
        data.update((f"k{i}", i) for i in range(100))
        resized.set()

    def wait_for_the_other_thread() -> None:
        started.set()
        resized.wait(5)

    text = _MutatingStr("\udfff")
    text.action = wait_for_the_other_thread
    data.update(a=text, b=1)
    other = threading.Thread(target=resize)
    other.start()
    with pytest.raises(RuntimeError, match="changed size during iteration"):
        iron_fast.seal_data(data, password=PW)
    other.join()


def test_lists_changed_while_written_are_written_as_they_are_then() -> None:
    """A list is walked by index against its current length: changing it
    from encode() is no error and no panic (as for json.dumps)."""
    items: list[Any] = []
    text = _MutatingStr("\ud800")
    text.action = items.clear
    items.extend([text, 1, 2])
    assert _core.to_json(items) == '["\\ud800"]'


def test_no_panic_is_reachable_from_the_writer_in_a_subprocess() -> None:
    """The same, from a fresh interpreter: stderr carries no Rust panic
    message (a PanicException prints one even when caught)."""
    import subprocess

    script = (
        "import iron_fast\n"
        "class S(str):\n"
        "    def encode(self, *a, **k):\n"
        "        d.clear()\n"
        "        return str.encode(self, *a, **k)\n"
        "d = {'a': S('\\ud800'), 'b': 1}\n"
        "try:\n"
        f"    iron_fast.seal_data(d, password={PW!r})\n"
        "except RuntimeError as err:\n"
        "    print('refused:', err)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "panicked" not in done.stderr
    assert "refused: dictionary changed size during iteration" in done.stdout


def _genuine_seal_of(plaintext: bytes) -> str:
    """A seal of exactly ``plaintext``, made with this password by the
    pure-Python format (iron_fast's writer would refuse some of these)."""
    from tests.test_reference import ref

    password_id, secret = ref._sealing_secret(PW)
    return str(
        ref._seal_plaintext(
            plaintext,
            password_id,
            secret,
            ttl=3600,
            now_ms=_now_ms(),
            encryption_salt="a" * 64,
            hmac_salt="b" * 64,
            iv=bytes(16),
        )
    )


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)


def _refused_everywhere(token: str, why: str) -> None:
    """The never-raising paths give an empty session; the strict one
    raises BadSeal saying why; from a fresh Sealer and from the cache."""
    sealers = [iron_fast.Sealer(PW), iron_fast.Sealer(PW, cache_size=0)]
    for sealer in sealers * 2:  # the second round may hit the cache
        assert sealer.unseal_or_none(token) == (None, "invalid")
        with pytest.raises(iron_fast.BadSeal, match=why):
            sealer.unseal(token)
    assert iron_fast.unseal_data(token, password=PW) == {}
    with pytest.raises(iron_fast.BadSeal, match=why):
        iron_fast.unseal(token, password=PW)


LONG = 10**4400  # more digits than Python's default int_max_str_digits


def test_a_seal_holding_an_integer_too_long_to_read_is_refused() -> None:
    """A process running with ``-X int_max_str_digits=0`` writes an int of
    4,401 digits; one with the default limit raised ValueError from the
    never-raising paths (a 500 in every adapter). It is now an invalid
    seal: empty session, BadSeal from the strict path."""
    default = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        sealer = iron_fast.Sealer(PW)
        token = sealer.seal({"n": LONG})
        assert sealer.unseal(token) == {"n": LONG}  # readable without limit
    finally:
        sys.set_int_max_str_digits(default)
    assert sealer.unseal_or_none(token) == (None, "invalid")  # cached seal
    _refused_everywhere(token, "integer longer than Python reads")
    with pytest.raises(ValueError, match="integer longer than Python reads"):
        _core.from_json("9" * 4400)


def test_an_integer_too_long_to_write_is_a_serialization_error() -> None:
    """seal_data({"n": 10**4400}) raised a bare ValueError; now the
    writer's SerializationError naming the path."""
    sealer = iron_fast.Sealer(PW)
    for write in (
        lambda data: iron_fast.seal_data(data, password=PW),
        sealer.seal,
        _core.to_json,
    ):
        with pytest.raises(
            iron_fast.SerializationError,
            match=r'data\["a"\]\[1\] is an int with more digits',
        ):
            write({"a": [0, LONG]})


@pytest.mark.parametrize(
    "number", ["1e400", "-1e400", "1E309", "123456789e301"]
)
def test_a_seal_holding_a_number_beyond_a_float_is_refused(
    number: str,
) -> None:
    """A genuine seal of ``{"n": 1e400}`` (JSON.parse reads Infinity) read
    as ``inf``, which the next save refuses: every adapter answered 500
    after reading it. Such a seal is now invalid everywhere, so reading
    then saving stays safe."""
    token = _genuine_seal_of(f'{{"n":{number},"ok":1}}'.encode())
    _refused_everywhere(token, "number beyond the range of a float")
    with pytest.raises(ValueError, match="beyond the range of a float"):
        _core.from_json(number)
    # The largest finite doubles still read, and write back as they came.
    edge = _genuine_seal_of(b'{"n":1.7976931348623157e308,"m":5e-324}')
    value = iron_fast.unseal(edge, password=PW)
    assert value == {"n": 1.7976931348623157e308, "m": 5e-324}
    assert _core.to_json(value) == '{"n":1.7976931348623157e+308,"m":5e-324}'


def test_nesting_deeper_than_the_limit_says_so_on_both_paths() -> None:
    """Data nested deeper than 512 levels is refused with a message that
    says so, not "not valid JSON" (issue 17's documented edge)."""
    ok: Any = []
    for _ in range(511):
        ok = [ok]
    assert iron_fast.unseal(iron_fast.seal(ok, password=PW), password=PW) == ok
    with pytest.raises(
        iron_fast.SerializationError, match="nested deeper than 512 levels"
    ):
        iron_fast.seal_data([ok], password=PW)
    deep = "[" * 513 + "]" * 513
    token = _genuine_seal_of(deep.encode())
    _refused_everywhere(token, "nested deeper than 512 levels")
    with pytest.raises(ValueError, match="nested deeper than 512 levels"):
        _core.from_json(deep)
