# SPDX-License-Identifier: MIT
"""pytest-benchmark: the Flask (and Quart) adapter's configuration on
every request, where Flask reads its settings: remembered while the
settings hold the same values, against compiling them each time through
``config_for`` (group ``flask-settings``)."""

from __future__ import annotations

from typing import Any

import pytest

from iron_fast.session_config import config_for

PASSWORD = "bench-password-0123456789-abcdefghij"


@pytest.mark.parametrize("how", ["remembered", "compiled"])
def test_flask_settings(benchmark: Any, how: str) -> None:
    flask = pytest.importorskip("flask")
    from iron_fast.flask import IronSessionInterface

    app = flask.Flask(__name__)
    app.config["IRON_SESSION_PASSWORD"] = PASSWORD
    interface = IronSessionInterface()
    assert interface.config(app) is config_for(interface._options_of(app))

    def remembered() -> None:
        interface.config(app)

    def compiled() -> None:
        config_for(interface._options_of(app))

    benchmark.group = "flask-settings"
    benchmark(remembered if how == "remembered" else compiled)
