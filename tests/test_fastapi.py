# SPDX-License-Identifier: MIT
"""iron_fast.fastapi: the session as a dependency, plain or validated by a
TypedDict or a pydantic model, under FastAPI's test client.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Any

import pytest

import iron_fast
from iron_fast import IronSession
from tests.conftest import load_file, require_or_skip

try:  # the [fastapi] extra is optional
    from fastapi import Depends, FastAPI
    from pydantic import BaseModel
    from typing_extensions import NotRequired, TypedDict

    from iron_fast.fastapi import (
        IronSessionMiddleware,
        Session,
        get_session,
        typed_session,
    )

    with warnings.catch_warnings():  # starlette 1.x prefers httpx2
        warnings.filterwarnings("ignore", "Using `httpx`")
        from fastapi.testclient import TestClient
except ImportError as error:
    MISSING: str | None = f"fastapi is not installed ({error})"
else:
    MISSING = None

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0"


@pytest.fixture(autouse=True)
def _needs_fastapi() -> None:
    if MISSING:
        require_or_skip(MISSING)


if MISSING is None:

    class Counter(TypedDict):
        user: NotRequired[str]
        count: NotRequired[int]

    class User(BaseModel):
        user: str
        count: int = 0
        tags: tuple[str, ...] = ()

    CounterSession = Annotated[Counter, Depends(typed_session(Counter))]
    UserSession = Annotated[User, Depends(typed_session(User))]


def make_app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(IronSessionMiddleware, password=PASSWORD)

    @app.get("/")
    def show(session: Session) -> dict[str, Any]:
        return {"type": type(session).__name__, "data": dict(session)}

    @app.post("/login")
    async def login(name: str, session: Session) -> dict[str, Any]:
        session.update(user=name, count=0)
        return dict(session)

    @app.post("/put")
    def put(data: dict[str, Any], session: Session) -> dict[str, Any]:
        session.update(data)
        return dict(session)

    @app.post("/count")
    def count(session: CounterSession) -> dict[str, Any]:
        session["count"] = session.get("count", 0) + 1  # saved as usual
        return {"same": isinstance(session, IronSession), **session}

    @app.get("/me")
    def me(user: UserSession) -> User:
        return user

    @app.post("/tag")
    def tag(user: UserSession, session: Session) -> User:
        user.tags += ("tagged",)
        session.update(user.model_dump(mode="json"))
        return user

    @app.post("/logout")
    def logout(session: Session) -> dict[str, Any]:
        session.destroy()
        return dict(session)

    return app


def client(app: Any) -> TestClient:
    return TestClient(app, base_url="https://testserver")


def test_session_dependency_login_counter_logout() -> None:
    browser = client(make_app())
    assert browser.get("/").json() == {"type": "IronSession", "data": {}}
    answer = browser.post("/login", params={"name": "Ada"})
    assert answer.json() == {"user": "Ada", "count": 0}
    assert answer.headers["set-cookie"].startswith("session=Fe26.2*1*")
    for expected in (1, 2):
        answer = browser.post("/count")
        assert answer.json() == {
            "same": True,
            "user": "Ada",
            "count": expected,
        }
    answer = browser.get("/")
    assert answer.json()["data"] == {"user": "Ada", "count": 2}
    assert "set-cookie" not in answer.headers
    answer = browser.post("/logout")
    assert answer.headers["set-cookie"].startswith("session=; Max-Age=0;")
    assert browser.get("/").json()["data"] == {}


def test_typed_dict_session_is_checked_strictly_without_leaking() -> None:
    browser = client(make_app())
    browser.post("/put", json={"count": "12345-secret"})
    answer = browser.post("/count")
    assert answer.status_code == 401
    assert "12345-secret" not in answer.text
    assert "set-cookie" not in answer.headers
    browser.post("/put", json={"count": 41})
    assert browser.post("/count").json()["count"] == 42


def test_model_session_validates_and_writes_back() -> None:
    browser = client(make_app())
    assert browser.get("/me").status_code == 401  # empty: user required
    browser.post("/login", params={"name": "Ada"})
    assert browser.get("/me").json() == {
        "user": "Ada",
        "count": 0,
        "tags": [],
    }
    browser.post("/tag")
    assert browser.get("/me").json()["tags"] == ["tagged"]
    assert browser.get("/").json()["data"]["tags"] == ["tagged"]


def test_model_session_never_echoes_the_cookie_contents() -> None:
    browser = client(make_app())
    cookie = iron_fast.seal_data({"user": ["sekrit"]}, password=PASSWORD)
    answer = browser.get("/me", headers={"cookie": f"session={cookie}"})
    assert answer.status_code == 401
    assert "sekrit" not in answer.text


def test_unreadable_cookie_under_fastapi_is_an_empty_session() -> None:
    browser = client(make_app())
    answer = browser.get("/", headers={"cookie": "session=Fe26.2*1*x*y"})
    assert (answer.status_code, answer.json()["data"]) == (200, {})
    assert browser.get("/me", headers={"cookie": "session=x"}).status_code == (
        401
    )


def test_dependency_without_the_middleware_says_so() -> None:
    app = FastAPI()

    @app.get("/")
    def show(session: Session) -> dict[str, Any]:
        return dict(session)

    with pytest.raises(RuntimeError, match="add_middleware"):
        TestClient(app).get("/")


def test_get_session_is_request_session() -> None:
    app = FastAPI()
    app.add_middleware(IronSessionMiddleware, password=PASSWORD)
    seen: list[bool] = []

    @app.get("/")
    def show(session: Annotated[IronSession, Depends(get_session)]) -> None:
        seen.append(isinstance(session, IronSession))

    TestClient(app).get("/")
    assert seen == [True]


def test_fastapi_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_COOKIE_PASSWORD", PASSWORD)
    path = ROOT / "examples" / "fastapi_app.py"
    module = load_file("fastapi_example", path)
    browser = client(module.app)
    assert browser.post("/count").status_code == 401
    answer = browser.post("/login", data={"name": "Ada"})
    assert answer.json() == {"session": {"user": "Ada", "count": 0}}
    assert browser.post("/count").json() == {"user": "Ada", "count": 1}
    assert browser.post("/count").json() == {"user": "Ada", "count": 2}
    assert browser.get("/").json() == {"session": {"user": "Ada", "count": 2}}
    assert browser.post("/logout").json() == {"ok": True}
    assert browser.get("/").json() == {"session": {}}
