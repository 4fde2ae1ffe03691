# SPDX-License-Identifier: MIT
"""benches/report.py when a part fails: the others still run, the failed
part's old figures are dropped, and what its command wrote to stderr is
shown instead of being captured and lost."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import load_file

REPORT = Path(__file__).resolve().parent.parent / "benches" / "report.py"


def _report() -> ModuleType:
    return load_file("bench_report", REPORT)


def test_a_failed_command_shows_its_status_and_stderr() -> None:
    report = _report()
    failing = [
        sys.executable,
        "-c",
        "import sys; print('partial'); sys.stderr.write('the cause'); "
        "sys.exit(3)",
    ]
    with pytest.raises(report.PartFailedError) as raised:
        report._output_of(failing)
    assert "status 3" in str(raised.value)
    assert "the cause" in str(raised.value)
    assert report._output_of([sys.executable, "-c", "print(1)"]) == "1\n"


def test_a_failed_part_does_not_stop_the_others(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report()

    def script(name: str, *args: str) -> Any:
        if name.startswith("server/"):
            raise report.PartFailedError(["run.py"], 1, "wrk is missing")
        return {"ran": name}

    monkeypatch.setattr(report, "_script", script)
    # Figures of an earlier run, as --reuse loads them.
    results: dict[str, Any] = {
        "server": {"old": True},
        "when": {"server": "01:56"},
    }
    failed = report.run(["server", "threads"], False, results)
    assert failed == ["server"]
    assert results["threads"] == {"ran": "threads.py"}
    # Not shown as this run's: its targets read "not measured".
    assert "server" not in results
    assert "server" not in results["when"]
    assert "wrk is missing" in capsys.readouterr().err
