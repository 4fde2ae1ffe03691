# SPDX-License-Identifier: MIT
"""The Django engine (SESSION_ENGINE = "iron_fast.django") with its
middleware, through Django's own test client: session views, auth's
login()/logout(), Client.login()/force_login()/session, set_expiry(),
cycle_key(), flush(), the exact cookie, bad cookies, rotation, chunks.

Django settings: configured here once if nobody has (a minimal project
with an in-memory database), and everything this module needs on top is
applied with override_settings for its tests only.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from iron_fast import (
    CookieTooLarge,
    IronFastWarning,
    seal_data,
    unseal_data,
)
from tests.bad_cookies import bad_cookies
from tests.conftest import require_or_skip

PASSWORD = "django-test-password-0123456789-abcdef"
OLD = "old-secret-old-secret-old-secret-old"
NEW = "new-secret-new-secret-new-secret-new"
NAME = "sessionid"
ATTRIBUTES = "; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax"
EXPIRED = "; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"
MIDDLEWARE = [
    "iron_fast.django.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
SETTINGS = {
    "ROOT_URLCONF": __name__,
    "MIDDLEWARE": MIDDLEWARE,
    "SESSION_ENGINE": "iron_fast.django",
    "IRON_SESSION_PASSWORD": PASSWORD,
    "IRON_SESSION": {"on_unseal_error": f"{__name__}.record_reason"},
}
REASONS: list[str] = []
urlpatterns: list[Any] = []


def record_reason(reason: str, error: Exception) -> None:
    REASONS.append(reason)


# -- views (routes are built in the fixture: Django may be missing) ------


def view_login(request: Any) -> Any:
    from django.http import JsonResponse

    request.session.cycle_key()
    request.session["user"] = request.GET["user"]
    return JsonResponse({"user": request.session["user"]})


def view_count(request: Any) -> Any:
    from django.http import JsonResponse

    request.session["count"] = request.session.get("count", 0) + 1
    return JsonResponse(dict(request.session.items()))


def view_read(request: Any) -> Any:
    from django.http import JsonResponse

    return JsonResponse(dict(request.session.items()))


def view_logout(request: Any) -> Any:
    from django.http import HttpResponse

    request.session.flush()
    return HttpResponse("bye")


def view_put(request: Any) -> Any:
    from django.http import HttpResponse

    data = json.loads(request.body or b"{}")
    for key, value in data.items():
        if value is None:
            request.session.pop(key, None)
        else:
            request.session[key] = value
    if "expiry" in request.GET:
        request.session.set_expiry(json.loads(request.GET["expiry"]))
    status = int(request.GET.get("status", 200))
    return HttpResponse("ok", status=status)


def view_auth_login(request: Any) -> Any:
    from django.contrib.auth import authenticate, login
    from django.http import HttpResponse

    user = authenticate(
        request, username=request.POST["u"], password=request.POST["p"]
    )
    if user is None:
        return HttpResponse("no", status=403)
    login(request, user)
    return HttpResponse("in")


def view_whoami(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse(request.user.get_username() or "anonymous")


def view_auth_logout(request: Any) -> Any:
    from django.contrib.auth import logout
    from django.http import HttpResponse

    logout(request)
    return HttpResponse("out")


async def view_async_count(request: Any) -> Any:
    from django.http import JsonResponse

    count = await request.session.aget("count", 0)
    await request.session.aset("count", count + 1)
    return JsonResponse({"count": count + 1})


# -- set-up -----------------------------------------------------------------


@contextmanager
def django_project(**extra: Any) -> Iterator[None]:
    """Django configured for these views: settings.configure() once if
    nobody has, then this module's settings (and ``extra``) applied with
    override_settings until the block ends. test_adapters_interop uses
    it too, so that whichever module runs first configures the same."""
    try:
        import django
        from django.conf import settings
    except ImportError:
        require_or_skip(
            "Django is not installed (pip install iron-fast[django])"
        )
    from django.test.utils import override_settings
    from django.urls import path

    if not settings.configured:
        settings.configure(
            SECRET_KEY="tests-only-django-secret-key-not-for-production",
            INSTALLED_APPS=[
                "django.contrib.contenttypes",
                "django.contrib.auth",
            ],
            DATABASES={
                "default": {
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": ":memory:",
                }
            },
            USE_TZ=True,
            ALLOWED_HOSTS=["testserver"],
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        )
        django.setup()
    routes = {
        "login": view_login,
        "count": view_count,
        "read": view_read,
        "logout": view_logout,
        "put": view_put,
        "auth/login": view_auth_login,
        "auth/whoami": view_whoami,
        "auth/logout": view_auth_logout,
        "async/count": view_async_count,
    }
    urlpatterns[:] = [path(route, view) for route, view in routes.items()]
    with override_settings(**{**SETTINGS, **extra}):
        yield


@pytest.fixture(scope="module", autouse=True)
def _django() -> Iterator[None]:
    with django_project():
        yield


@pytest.fixture
def client() -> Any:
    from django.test import Client

    REASONS.clear()
    return Client()


@pytest.fixture(scope="module")
def user(_django: None) -> Any:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    if connection.settings_dict["NAME"] != ":memory:":
        pytest.skip("another module configured Django with a real database")
    call_command("migrate", verbosity=0, run_syncdb=True)
    return User.objects.create_user("ada", password="lovelace")


def lines(response: Any) -> dict[str, str]:
    """The Set-Cookie lines the handler would send, by cookie name."""
    return {
        name: morsel.OutputString()
        for name, morsel in response.cookies.items()
    }


def seal_of(response: Any, name: str = NAME) -> str:
    return response.cookies[name].value


def get(client: Any, route: str, cookie: str | None = None) -> Any:
    if cookie is not None:
        client.cookies[NAME] = cookie
    return client.get(f"/{route}")


def put(client: Any, data: dict[str, Any], query: str = "") -> Any:
    return client.post(
        f"/put{query}", json.dumps(data), content_type="application/json"
    )


# -- the basic flow --------------------------------------------------------


def test_login_counter_logout(client: Any) -> None:
    assert client.get("/login?user=ada").json() == {"user": "ada"}
    assert client.get("/count").json() == {"user": "ada", "count": 1}
    response = client.get("/count")
    assert response.json() == {"user": "ada", "count": 2}
    assert unseal_data(seal_of(response), password=PASSWORD) == {
        "user": "ada",
        "count": 2,
    }
    response = client.get("/logout")
    assert lines(response) == {NAME: f"{NAME}={EXPIRED}"}
    assert client.get("/read").json() == {}


def test_cookie_attributes_are_iron_sessions(client: Any) -> None:
    response = client.get("/count")
    line = lines(response)[NAME]
    assert line == f"{NAME}={seal_of(response)}{ATTRIBUTES}"
    assert seal_of(response).startswith("Fe26.2*1*")
    assert seal_of(response).endswith("~2")
    assert "Cookie" in response["Vary"]


def test_wsgi_sends_the_exact_line() -> None:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    sent: list[tuple[str, str]] = []
    environ = RequestFactory()._base_environ(PATH_INFO="/count")
    body = WSGIHandler()(environ, lambda status, headers: sent.extend(headers))
    assert json.loads(b"".join(body)) == {"count": 1}
    cookies = [value.strip() for key, value in sent if key == "Set-Cookie"]
    assert len(cookies) == 1
    assert cookies[0].startswith(f"{NAME}=Fe26.2*1*")
    assert cookies[0].endswith(f"~2{ATTRIBUTES}")


def test_unmodified_requests_send_no_cookie(client: Any) -> None:
    assert lines(client.get("/read")) == {}  # no cookie, nothing read
    client.get("/count")
    response = client.get("/read")
    assert response.json() == {"count": 1}
    assert lines(response) == {}
    assert "Cookie" in response["Vary"]


def test_save_every_request(client: Any) -> None:
    from django.test.utils import override_settings

    client.get("/count")
    with override_settings(SESSION_SAVE_EVERY_REQUEST=True):
        assert NAME in lines(client.get("/read"))


def test_no_save_on_5xx(client: Any) -> None:
    assert lines(put(client, {"a": 1}, "?status=500")) == {}
    assert NAME in lines(put(client, {"a": 1}, "?status=404"))


# -- bad cookies -----------------------------------------------------------


BAD_COOKIES: dict[str, tuple[str, str | None]] = {
    **bad_cookies(PASSWORD, OLD),
    "short": ("x", None),  # Django drops keys under 8 characters
}


@pytest.mark.parametrize("kind", sorted(BAD_COOKIES))
def test_bad_cookie_gives_an_empty_session(client: Any, kind: str) -> None:
    cookie, reason = BAD_COOKIES[kind]
    response = get(client, "read", cookie)
    assert response.status_code == 200
    assert response.json() == {}
    assert lines(response) == {}  # left alone, as iron-session does
    assert REASONS == ([reason] if reason else [])
    response = client.get("/count")  # and a fresh session replaces it
    assert response.json() == {"count": 1}
    assert NAME in lines(response)


def test_bad_cookie_never_errors_with_auth(client: Any, user: Any) -> None:
    for cookie, _reason in BAD_COOKIES.values():
        assert get(client, "auth/whoami", cookie).content == b"anonymous"


# -- rotation and size -----------------------------------------------------


def test_rotation_reads_old_and_reseals_with_newest(client: Any) -> None:
    from django.test.utils import override_settings

    old_cookie = seal_data({"count": 5}, password={1: OLD})
    with override_settings(IRON_SESSION_PASSWORD={1: OLD, 2: NEW}):
        assert get(client, "read", old_cookie).json() == {"count": 5}
        response = client.get("/count")
    assert response.json() == {"count": 6}
    assert seal_of(response).startswith("Fe26.2*2*")
    assert unseal_data(seal_of(response), password={2: NEW}) == {"count": 6}


def test_too_large_fails_with_the_clear_error(client: Any) -> None:
    with pytest.raises(CookieTooLarge, match="chunk=True"):
        put(client, {"blob": "x" * 5000})


def test_chunked_round_trip(client: Any) -> None:
    from django.test.utils import override_settings

    with override_settings(IRON_SESSION={"chunk": True}):
        response = put(client, {"blob": "x" * 5000})
        chunks = lines(response)
        assert sorted(chunks) == [f"{NAME}.0", f"{NAME}.1"]
        assert all(line.endswith(ATTRIBUTES) for line in chunks.values())
        assert all(len(line) <= 4096 for line in chunks.values())
        response = client.get("/count")
        assert response.json() == {"blob": "x" * 5000, "count": 1}
        # Shrinking back to one cookie expires the chunks.
        response = put(client, {"blob": None})
        assert lines(response) == {
            NAME: f"{NAME}={seal_of(response)}{ATTRIBUTES}",
            f"{NAME}.0": f"{NAME}.0={EXPIRED}",
            f"{NAME}.1": f"{NAME}.1={EXPIRED}",
        }
        assert client.get("/read").json() == {"count": 1}


# -- Django's session API --------------------------------------------------


def test_set_expiry(client: Any) -> None:
    response = put(client, {"a": 1}, "?expiry=300")
    assert lines(response)[NAME].endswith(
        "; Max-Age=240; Path=/; HttpOnly; Secure; SameSite=Lax"
    )
    # A browser-session cookie: its seal never expires (a warned hazard).
    with pytest.warns(IronFastWarning, match="never expire"):
        response = put(client, {"a": 2}, "?expiry=0")
    line = lines(response)[NAME]
    assert "Max-Age" not in line
    assert line.endswith("; Path=/; HttpOnly; Secure; SameSite=Lax")
    assert client.get("/read").json() == {"a": 2, "_session_expiry": 0}


@pytest.mark.parametrize(
    ("expiry", "max_age"),
    [(3600.5, 3540), (10**13, 4503599627310), (0.4, 1)],
)
def test_set_expiry_takes_what_django_takes(
    client: Any, expiry: float, max_age: int
) -> None:
    # Django's signed-cookie store takes a float and any large number:
    # whole seconds here, capped at what a seal's timestamp can hold.
    response = put(client, {"a": 1}, f"?expiry={expiry}")
    assert response.status_code == 200
    assert f"; Max-Age={max_age};" in lines(response)[NAME]
    assert client.get("/read").json()["a"] == 1


def test_settings_shape_the_cookie(client: Any) -> None:
    from django.test.utils import override_settings

    with override_settings(
        SESSION_COOKIE_NAME="app",
        SESSION_COOKIE_AGE=3600,
        SESSION_COOKIE_SECURE=False,
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_SAMESITE="Strict",
    ):
        with pytest.warns(IronFastWarning, match="secure"):
            line = lines(client.get("/count"))["app"]
    assert line.endswith(
        "; Max-Age=3540; Domain=example.com; Path=/; HttpOnly; SameSite=Strict"
    )
    with override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True):
        with pytest.warns(IronFastWarning, match="never expire"):
            line = lines(client.get("/count"))[NAME]
    assert line.endswith("~2; Path=/; HttpOnly; Secure; SameSite=Lax")
    with override_settings(
        IRON_SESSION={"ttl": 120, "cookie_options": {"path": "/app"}}
    ):
        line = lines(client.get("/count"))[NAME]
    assert line.endswith(
        "; Max-Age=60; Path=/app; HttpOnly; Secure; SameSite=Lax"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"IRON_SESSION_PASSWORD": None},
        {"IRON_SESSION_PASSWORD": "too short"},
        {"IRON_SESSION": {"password": PASSWORD}},
        {"IRON_SESSION": {"ttl": -1}},
        {"IRON_SESSION": {"colour": "blue"}},
    ],
)
def test_bad_settings_fail_at_startup(changes: dict[str, Any]) -> None:
    from django.core.exceptions import ImproperlyConfigured
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(**changes), pytest.raises(ImproperlyConfigured):
        Client().get("/read")


def test_cycle_key_keeps_data_with_a_new_seal(client: Any) -> None:
    first = seal_of(client.get("/count"))
    second = seal_of(client.get("/login?user=ada"))
    assert first != second
    assert unseal_data(second, password=PASSWORD) == {
        "count": 1,
        "user": "ada",
    }


def test_auth_login_and_logout(client: Any, user: Any) -> None:
    assert client.get("/auth/whoami").content == b"anonymous"
    response = client.post("/auth/login", {"u": "ada", "p": "lovelace"})
    assert response.content == b"in"
    data = unseal_data(seal_of(response), password=PASSWORD)
    assert data["_auth_user_id"] == str(user.pk)
    assert client.get("/auth/whoami").content == b"ada"
    response = client.get("/auth/logout")
    assert lines(response) == {NAME: f"{NAME}={EXPIRED}"}
    assert client.get("/auth/whoami").content == b"anonymous"


def test_login_over_another_users_session_flushes(
    client: Any, user: Any
) -> None:
    client.get("/count")
    client.post("/auth/login", {"u": "ada", "p": "lovelace"})
    assert "count" in client.get("/read").json()  # cycle_key kept it
    client.cookies[NAME] = seal_data(
        {"_auth_user_id": "999", "n": 1}, password=PASSWORD
    )
    response = client.post("/auth/login", {"u": "ada", "p": "lovelace"})
    data = unseal_data(seal_of(response), password=PASSWORD)
    assert "n" not in data  # flushed, then logged in afresh
    assert data["_auth_user_id"] == str(user.pk)


def test_test_client_login_helpers(user: Any) -> None:
    from django.test import Client

    client = Client()
    assert client.login(username="ada", password="lovelace")
    assert client.get("/auth/whoami").content == b"ada"
    client.logout()
    assert client.get("/auth/whoami").content == b"anonymous"
    client.force_login(user)
    assert client.get("/auth/whoami").content == b"ada"
    # The signed_cookies recipe: edit client.session, store its key.
    session = client.session
    session["count"] = 41
    session.save()
    client.cookies[NAME] = session.session_key
    assert client.get("/count").json()["count"] == 42


def test_async_views(client: Any) -> None:
    from django.test import AsyncClient

    async def run() -> list[Any]:
        async_client = AsyncClient()
        first = await async_client.get("/async/count")
        second = await async_client.get("/async/count")
        return [first, second]

    first, second = asyncio.run(run())
    assert json.loads(second.content) == {"count": 2}
    assert lines(first)[NAME].endswith(ATTRIBUTES)


def test_django_own_middleware_still_works_without_exact_cookie(
    client: Any,
) -> None:
    from django.core.exceptions import ImproperlyConfigured
    from django.test.utils import override_settings

    stock = ["django.contrib.sessions.middleware.SessionMiddleware"]
    with override_settings(MIDDLEWARE=stock):
        response = client.get("/count")
        assert client.get("/count").json() == {"count": 2}
    # ...and it cannot chunk: refused, rather than a cookie browsers drop.
    chunked = {"MIDDLEWARE": stock, "IRON_SESSION": {"chunk": True}}
    with override_settings(**chunked), pytest.raises(ImproperlyConfigured):
        client.get("/count")
    # Django wrote it (its attributes, its Max-Age); the value is a seal.
    assert unseal_data(seal_of(response), password=PASSWORD) == {"count": 1}
    assert "expires=" in response.cookies[NAME].OutputString()


def test_middleware_with_another_engine_is_djangos(client: Any) -> None:
    from django.test.utils import override_settings

    engine = "django.contrib.sessions.backends.signed_cookies"
    with override_settings(SESSION_ENGINE=engine):
        response = client.get("/count")
        assert client.get("/count").json() == {"count": 2}
    assert not seal_of(response).startswith("Fe26.2")


def test_importing_iron_fast_imports_no_framework() -> None:
    code = (
        "import sys, iron_fast, iron_fast.session\n"
        "names = ('django', 'flask', 'aiohttp', 'aiohttp_session', "
        "'starlette', 'fastapi')\n"
        "print([n for n in names if n in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


EXAMPLE_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import app  # configures Django (settings.configure) for itself
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()  # lets the test client's host in
from django.test import Client
client = Client()
out = []
response = client.post("/login", {"name": "Ada <3"})
out.append(response.status_code)
out.append(response.cookies["iron_fast_example"].OutputString())
out.append(client.get("/").content.decode())
client.post("/count")
out.append(client.get("/").content.decode())
client.post("/logout")
out.append(client.get("/").content.decode())
print(repr(out))
"""


def test_example_app() -> None:
    import ast
    import os
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "examples/django_app"
    env = {**os.environ, "SECRET_COOKIE_PASSWORD": PASSWORD}
    env.pop("COOKIE_SECURE", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", EXAMPLE_SCRIPT, str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, line, home, counted, out = ast.literal_eval(result.stdout)
    assert status == 303
    assert line.startswith("iron_fast_example=Fe26.2*1*")
    assert line.endswith(ATTRIBUTES)
    assert "Hello, Ada &lt;3. Count: 0" in home
    assert "Count: 1" in counted
    assert "Log in" in out


def test_cookie_lines_survive_pickling(client: Any) -> None:
    import pickle

    # Django's cache middleware pickles responses, cookies included.
    response = client.get("/count")
    copy = pickle.loads(pickle.dumps(response.cookies))
    assert copy[NAME].OutputString() == lines(response)[NAME]


def test_request_factory_pattern() -> None:
    from django.contrib.sessions.middleware import (
        SessionMiddleware as DjangoSessionMiddleware,
    )
    from django.http import HttpResponse
    from django.test import RequestFactory

    from iron_fast.django.middleware import SessionMiddleware

    # The unit-test recipe: a middleware attaches request.session.
    for middleware in (SessionMiddleware, DjangoSessionMiddleware):
        request = RequestFactory().get("/")
        middleware(lambda r: HttpResponse()).process_request(request)
        request.session["a"] = 1
        request.session.save()
        key = request.session.session_key
        assert unseal_data(key, password=PASSWORD) == {"a": 1}


def test_the_session_is_read_from_request_cookies() -> None:
    # Django documents request.COOKIES as what its middleware reads: a
    # RequestFactory test (or a cookie-rewriting middleware) sets it.
    from django.http import HttpResponse
    from django.test import RequestFactory

    from iron_fast.django.middleware import SessionMiddleware

    with django_project():
        seal = seal_data({"user": "ada"}, password=PASSWORD)
        request = RequestFactory().get("/")
        request.COOKIES[NAME] = seal
        middleware = SessionMiddleware(lambda r: HttpResponse())
        middleware.process_request(request)
        assert request.session["user"] == "ada"
        request.session.flush()
        response = middleware.process_response(request, HttpResponse())
        assert response.cookies[NAME].OutputString() == f"{NAME}={EXPIRED}"


def test_response_cookies_carry_the_attributes(client: Any) -> None:
    response = client.get("/count")
    morsel = response.cookies[NAME]
    assert morsel["max-age"] == "1209540"
    assert (morsel["path"], morsel["samesite"]) == ("/", "Lax")
    assert morsel["secure"] is True and morsel["httponly"] is True
    assert morsel.OutputString() == lines(response)[NAME]
    # Code that adjusts the cookie changes what is sent.
    morsel["samesite"] = "Strict"
    assert "SameSite=Strict" in morsel.OutputString()
    assert morsel.value == seal_of(response)


def test_allow_insecure_is_a_setting() -> None:
    import warnings

    from iron_fast import IronFastWarning
    from iron_fast.django.conf import session_config

    insecure = {"SESSION_COOKIE_SECURE": False}
    with django_project(**insecure, IRON_SESSION={"allow_insecure": True}):
        with warnings.catch_warnings():
            warnings.simplefilter("error", IronFastWarning)
            config = session_config()
    assert config.allow_insecure and not config.cookie_options["secure"]
