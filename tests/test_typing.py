# SPDX-License-Identifier: MIT
"""What type checkers see of the installed package: ``py.typed`` and the
stub of the compiled core ship with it, the stub documents everything and
names what the module exports, the public API is annotated, and the typed
examples in docs/examples run. (``scripts/check_types.sh`` runs mypy
--strict and stubtest; this runs wherever the suite runs, including
against a built wheel.)"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import iron_fast
from iron_fast import _core

PACKAGE = Path(iron_fast.__file__).parent
STUB = PACKAGE / "_core.pyi"
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def _stub() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"))


def test_the_package_is_marked_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()


def test_the_stub_ships_beside_the_compiled_module() -> None:
    assert STUB.is_file()
    assert Path(_core.__file__).parent == PACKAGE


def test_the_stub_exports_what_the_module_exports() -> None:
    declared = None
    for node in _stub().body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__"
            for target in node.targets
        ):
            declared = ast.literal_eval(node.value)
    assert declared is not None, "_core.pyi has no __all__"
    assert sorted(declared) == sorted(_core.__all__)


def _documented(body: list[ast.stmt], where: str) -> list[str]:
    missing = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            name = f"{where}{node.name}"
            private = node.name.startswith("_") and not (
                node.name.startswith("__") and node.name.endswith("__")
            )
            dunder = node.name.startswith("__")
            if ast.get_docstring(node) is None and not (private or dunder):
                missing.append(name)
            if isinstance(node, ast.ClassDef):
                missing += _documented(node.body, f"{name}.")
    return missing


def test_every_public_name_in_the_stub_has_a_docstring() -> None:
    assert _documented(_stub().body, "") == []


def _public_callables() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name in iron_fast.__all__:
        value = getattr(iron_fast, name)
        module = getattr(value, "__module__", "") or ""
        # The compiled core is typed by its stub (stubtest checks that).
        if module == "iron_fast._core" or not callable(value):
            continue
        if inspect.isclass(value):
            if issubclass(value, BaseException):
                continue
            for attr, member in vars(value).items():
                # Only what the class itself defines (typing.Protocol
                # plants an __init__ of its own, for instance).
                if not (
                    inspect.isfunction(member)
                    and member.__qualname__.startswith(f"{value.__name__}.")
                ):
                    continue
                if attr == "__init__" or not attr.startswith("_"):
                    found.append((f"{name}.{attr}", member))
        elif inspect.isfunction(value):
            found.append((name, value))
    return found


@pytest.mark.parametrize(
    ("name", "function"),
    _public_callables(),
    ids=[name for name, _ in _public_callables()],
)
def test_the_public_api_is_annotated(name: str, function: Any) -> None:
    annotations = getattr(function, "__annotations__", {})
    signature = inspect.signature(function)
    unannotated = [
        parameter
        for parameter in signature.parameters
        if parameter not in ("self", "cls") and parameter not in annotations
    ]
    assert unannotated == [], f"{name}: {unannotated} lack annotations"
    assert "return" in annotations, f"{name} has no return annotation"


@pytest.mark.parametrize(
    "example",
    sorted(EXAMPLES.glob("*.py")),
    ids=lambda path: path.name,
)
def test_the_typed_examples_run(example: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(example)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ["seal_data", "unseal_data", "sealer_for"])
def test_help_shows_the_docstring_the_reference_shows(name: str) -> None:
    """The functional API is compiled: help() reads the binding's
    docstring, the API reference reads the stub's. They are one text."""
    stub = next(
        node
        for node in _stub().body
        if isinstance(node, ast.FunctionDef) and node.name == name
    )
    assert inspect.getdoc(getattr(iron_fast, name)) == ast.get_docstring(stub)
