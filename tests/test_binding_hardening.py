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
