# SPDX-License-Identifier: MIT
"""IronSessionInterface through Flask's own test client: flask.session
unchanged (permanent, modified, SESSION_COOKIE_*), iron-session's exact
cookie, bad cookies, rotation, the size limit and chunks."""

from __future__ import annotations

import runpy
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from iron_fast import ConfigError, CookieTooLarge, seal_data, unseal_data
from iron_fast.errors import IronFastWarning
from tests.bad_cookies import bad_cookies
from tests.conftest import require_or_skip

PASSWORD = "flask-test-password-0123456789-abcdef"
OLD = "old-secret-old-secret-old-secret-old"
NEW = "new-secret-new-secret-new-secret-new"
NAME = "session"
ATTRIBUTES = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
EXPIRED = "; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"


@pytest.fixture(scope="module", autouse=True)
def _flask() -> None:
    try:
        import flask  # noqa: F401
    except ImportError:
        require_or_skip(
            "Flask is not installed (pip install iron-fast[flask])"
        )


def make_app(interface: Any = None, **config: Any) -> Any:
    from flask import Flask, request, session

    from iron_fast.flask import IronSessionInterface

    app = Flask(__name__)
    app.config.update(IRON_SESSION_PASSWORD=PASSWORD, TESTING=True)
    app.config.update(config)
    app.session_interface = interface or IronSessionInterface()

    @app.get("/login")
    def login() -> Any:
        session["user"] = request.args["user"]
        if "permanent" in request.args:
            session.permanent = True
        return {"user": session["user"]}

    @app.get("/count")
    def count() -> Any:
        session["count"] = session.get("count", 0) + 1
        return dict(session)

    @app.get("/read")
    def read() -> Any:
        return dict(session)

    @app.get("/logout")
    def logout() -> Any:
        session.clear()
        return "bye"

    @app.post("/put")
    def put() -> Any:
        for key, value in (request.json or {}).items():
            if value is None:
                session.pop(key, None)
            else:
                session[key] = value
        return "ok"

    @app.get("/nested")
    def nested() -> Any:
        session.setdefault("items", []).append(1)
        session.modified = True  # Flask's rule for nested changes
        return dict(session)

    @app.get("/destroy")
    def destroy() -> Any:
        session.destroy()  # the IronSession API works too
        return "gone"

    return app


def set_cookies(response: Any) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def seal_in(response: Any, name: str = NAME) -> str:
    for line in set_cookies(response):
        if line.startswith(f"{name}="):
            return line.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {set_cookies(response)}")


def with_cookie(client: Any, value: str, name: str = NAME) -> Any:
    client.set_cookie(name, value)
    return client


def test_login_counter_logout() -> None:
    client = make_app().test_client()
    assert client.get("/login?user=ada").json == {"user": "ada"}
    assert client.get("/count").json == {"user": "ada", "count": 1}
    response = client.get("/count")
    assert response.json == {"user": "ada", "count": 2}
    assert unseal_data(seal_in(response), password=PASSWORD) == {
        "user": "ada",
        "count": 2,
    }
    response = client.get("/logout")
    assert set_cookies(response) == [f"{NAME}={EXPIRED}"]
    assert client.get("/read").json == {}


def test_cookie_attributes_are_iron_sessions() -> None:
    response = make_app().test_client().get("/count")
    (line,) = set_cookies(response)
    assert line == f"{NAME}={seal_in(response)}{ATTRIBUTES}"
    assert seal_in(response).startswith("Fe26.2*1*")
    assert response.headers["Vary"] == "Cookie"


def test_unmodified_requests_send_no_cookie() -> None:
    client = make_app().test_client()
    assert set_cookies(client.get("/read")) == []
    client.get("/count")
    response = client.get("/read")
    assert response.json == {"count": 1}
    assert set_cookies(response) == []
    assert response.headers["Vary"] == "Cookie"
    # Clearing an empty session is no change either.
    assert set_cookies(client.get("/logout")) == [f"{NAME}={EXPIRED}"]
    assert set_cookies(client.get("/logout")) == []


def test_vary_cookie_only_when_the_view_used_the_session() -> None:
    app = make_app()
    app.add_url_rule("/untouched", view_func=lambda: "no session here")
    client = app.test_client()
    client.get("/count")
    # As Flask's own interface: a view that never reads the session
    # does not vary by cookie, even when the request sent one.
    response = client.get("/untouched")
    assert "Vary" not in response.headers
    assert set_cookies(response) == []
    assert client.get("/read").headers["Vary"] == "Cookie"


def test_nested_change_needs_modified_as_in_flask() -> None:
    client = make_app().test_client()
    client.get("/nested")
    assert client.get("/nested").json == {"items": [1, 1]}


def test_session_destroy_from_a_view() -> None:
    client = make_app().test_client()
    client.get("/count")
    assert set_cookies(client.get("/destroy")) == [f"{NAME}={EXPIRED}"]
    assert client.get("/read").json == {}


def test_permanent_uses_permanent_session_lifetime() -> None:
    app = make_app(PERMANENT_SESSION_LIFETIME=timedelta(hours=1))
    client = app.test_client()
    (line,) = set_cookies(client.get("/login?user=ada&permanent=1"))
    assert line.endswith(
        "; Max-Age=3540; Path=/; HttpOnly; Secure; SameSite=Lax"
    )
    # SESSION_REFRESH_EACH_REQUEST: a permanent session is re-sent.
    (line,) = set_cookies(client.get("/read"))
    assert "Max-Age=3540" in line
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    assert set_cookies(client.get("/read")) == []


def test_flask_settings_shape_the_cookie() -> None:
    app = make_app(
        SESSION_COOKIE_NAME="app",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_PATH="/shop",
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
        IRON_SESSION_TTL=3600,
    )
    client = app.test_client()
    response = client.get("/count")
    (line,) = set_cookies(response)
    assert line == (
        f"app={seal_in(response, 'app')}; Max-Age=3540; "
        "Domain=example.com; Path=/shop; HttpOnly; Secure; Partitioned; "
        "SameSite=Strict"
    )


def test_cookie_options_win_over_config() -> None:
    from iron_fast.flask import IronSessionInterface

    interface = IronSessionInterface(
        cookie_name="shared", cookie_options={"secure": False}, ttl=120
    )
    app = make_app(interface, IRON_SESSION_COOKIE_OPTIONS={"path": "/x"})
    with pytest.warns(IronFastWarning, match="secure"):
        (line,) = set_cookies(app.test_client().get("/count"))
    assert line.startswith("shared=Fe26.2*")
    assert line.endswith("; Max-Age=60; Path=/; HttpOnly; SameSite=Lax")


def test_bad_configuration() -> None:
    from iron_fast.flask import IronSessionInterface

    with pytest.raises(TypeError, match="secret_key"):
        IronSessionInterface(secret_key="x")
    # No password: Flask's rule for a missing secret key, a session that
    # reads as empty and refuses writes, naming the setting.
    app = make_app(IRON_SESSION_PASSWORD=None)
    assert app.test_client().get("/read").get_json() == {}
    with pytest.raises(RuntimeError, match="IRON_SESSION_PASSWORD"):
        app.test_client().get("/count")
    app = make_app(IRON_SESSION_PASSWORD="short")
    with pytest.raises(ConfigError, match="32"):
        app.test_client().get("/read")


# -- bad cookies -----------------------------------------------------------


BAD_COOKIES = bad_cookies(PASSWORD, OLD)


@pytest.mark.parametrize("kind", sorted(BAD_COOKIES))
def test_bad_cookie_gives_an_empty_session(kind: str) -> None:
    reasons: list[str] = []
    hook: Callable[[str, Exception], None] = lambda r, e: reasons.append(r)  # noqa: E731
    client = make_app(IRON_SESSION_ON_UNSEAL_ERROR=hook).test_client()
    cookie, reason = BAD_COOKIES[kind]
    response = with_cookie(client, cookie).get("/read")
    assert response.status_code == 200
    assert response.json == {}
    assert set_cookies(response) == []
    assert reasons == [reason]
    assert client.get("/count").json == {"count": 1}


def test_bad_cookie_in_production_mode_is_still_a_200() -> None:
    app = make_app(TESTING=False)
    client = with_cookie(app.test_client(), "%%%garbage%%%")
    assert client.get("/count").status_code == 200


# -- rotation and size -----------------------------------------------------


def test_rotation_reads_old_and_reseals_with_newest() -> None:
    client = make_app(IRON_SESSION_PASSWORD={1: OLD, 2: NEW}).test_client()
    with_cookie(client, seal_data({"count": 5}, password={1: OLD}))
    assert client.get("/read").json == {"count": 5}
    response = client.get("/count")
    assert response.json == {"count": 6}
    assert seal_in(response).startswith("Fe26.2*2*")
    assert unseal_data(seal_in(response), password={2: NEW}) == {"count": 6}


def test_too_large_fails_with_the_clear_error() -> None:
    client = make_app().test_client()
    with pytest.raises(CookieTooLarge, match="chunk=True"):
        client.post("/put", json={"blob": "x" * 5000})


def test_chunked_round_trip() -> None:
    client = make_app(IRON_SESSION_CHUNK=True).test_client()
    response = client.post("/put", json={"blob": "x" * 5000})
    lines = set_cookies(response)
    assert [line.split("=", 1)[0] for line in lines] == [
        "session.0",
        "session.1",
    ]
    assert all(line.endswith(ATTRIBUTES) for line in lines)
    assert all(len(line.encode()) <= 4096 for line in lines)
    assert client.get("/count").json == {"blob": "x" * 5000, "count": 1}
    response = client.post("/put", json={"blob": None})
    assert set_cookies(response) == [
        f"{NAME}={seal_in(response)}{ATTRIBUTES}",
        f"{NAME}.0={EXPIRED}",
        f"{NAME}.1={EXPIRED}",
    ]
    assert client.get("/read").json == {"count": 1}
    # Logout expires every cookie the browser holds.
    client.post("/put", json={"blob": "y" * 5000})
    assert sorted(set_cookies(client.get("/logout"))) == [
        f"{NAME}.0={EXPIRED}",
        f"{NAME}.1={EXPIRED}",
        f"{NAME}={EXPIRED}",
    ]


def test_config_is_built_once_per_set_of_settings() -> None:
    from iron_fast.flask import IronSessionInterface

    interface = IronSessionInterface()
    app = make_app(interface)
    client = app.test_client()
    client.get("/count")
    configs = interface.configs(app)
    client.get("/count")
    assert interface.configs(app)[0] is configs[0]
    other = make_app(interface, SESSION_COOKIE_NAME="other")
    assert interface.configs(other)[0].cookie_name == "other"


def test_settings_changed_in_place_take_effect() -> None:
    # The adapter remembers the configuration compiled from the same
    # setting values; a dict changed in place is not the same value.
    cookie_options = {"samesite": "lax"}
    passwords = {1: PASSWORD}
    app = make_app(
        IRON_SESSION_COOKIE_OPTIONS=cookie_options,
        IRON_SESSION_PASSWORD=passwords,
    )
    client = app.test_client()
    (line,) = set_cookies(client.get("/count"))
    assert line.endswith("SameSite=Lax")
    cookie_options["samesite"] = "strict"
    passwords[2] = OLD * 2
    (line,) = set_cookies(client.get("/count"))
    assert line.endswith("SameSite=Strict")
    assert line.startswith("session=Fe26.2*2*")


def test_settings_changed_after_the_first_request_take_effect() -> None:
    # Flask reads its settings on every request; tests and apps that
    # reconfigure rely on it.
    app = make_app()
    client = app.test_client()
    (line,) = set_cookies(client.get("/count"))
    assert line.endswith("SameSite=Lax")
    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    (line,) = set_cookies(client.get("/count"))
    assert line.endswith("SameSite=Strict")
    app.config["IRON_SESSION_PASSWORD"] = {1: PASSWORD, 2: OLD * 2}
    (line,) = set_cookies(client.get("/count"))
    assert line.split("*")[1] == "2"  # sealed with the new newest id
    assert client.get("/read").get_json()["count"] == 3


def test_modified_stays_true_after_the_save() -> None:
    from flask import session

    app = make_app()
    seen: list[bool] = []

    @app.after_request
    def after(response: Any) -> Any:
        seen.append(session.modified)
        return response

    @app.teardown_request
    def teardown(error: Any) -> None:
        seen.append(session.modified)

    app.test_client().get("/count")
    assert seen == [True, True]


def test_allow_insecure_is_read_from_the_app_config() -> None:
    import warnings

    from iron_fast.errors import IronFastWarning

    app = make_app(
        IRON_SESSION_COOKIE_OPTIONS={"secure": False},
        IRON_SESSION_ALLOW_INSECURE=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", IronFastWarning)
        (line,) = set_cookies(app.test_client().get("/count"))
    assert "Secure" not in line


def test_example_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_COOKIE_PASSWORD", PASSWORD)
    monkeypatch.delenv("COOKIE_SECURE", raising=False)
    path = Path(__file__).resolve().parent.parent / "examples/flask_app.py"
    client = runpy.run_path(str(path))["app"].test_client()
    response = client.post("/login", data={"name": "Ada <3"})
    assert response.status_code == 303
    (line,) = set_cookies(response)
    assert line.startswith("iron_fast_example=Fe26.2*1*")
    assert line.endswith(ATTRIBUTES)
    assert "Hello, Ada &lt;3. Count: 0" in client.get("/").text
    client.post("/count")
    assert "Count: 1" in client.get("/").text
    client.post("/logout")
    assert "Log in" in client.get("/").text


def test_flash_messages_survive_the_round_trip() -> None:
    from flask import flash, get_flashed_messages

    app = make_app()

    @app.get("/flash")
    def do_flash() -> Any:
        flash("saved", "info")
        return "ok"

    @app.get("/flashed")
    def flashed() -> Any:
        return {"messages": get_flashed_messages(with_categories=True)}

    client = app.test_client()
    client.get("/flash")
    assert client.get("/flashed").json == {"messages": [["info", "saved"]]}
    assert client.get("/flashed").json == {"messages": []}


def test_data_that_is_not_json_fails_clearly() -> None:
    from datetime import datetime

    from flask import session

    from iron_fast import SerializationError

    app = make_app()

    @app.get("/when")
    def when() -> Any:
        session["at"] = datetime(2024, 1, 1)  # Flask's tagged JSON would
        return "ok"  # take it; iron-session's JSON cannot

    with pytest.raises(SerializationError, match="at"):
        app.test_client().get("/when")
