# SPDX-License-Identifier: MIT
"""Django, in one file, with iron_fast's session engine: log in, count
clicks, log out.

    export SECRET_COOKIE_PASSWORD="$(.venv/bin/iron-fast keygen)"
    COOKIE_SECURE=0 .venv/bin/python examples/django_app/app.py runserver

then open http://127.0.0.1:8000/ (COOKIE_SECURE=0: plain HTTP, for this
local development server only; run from the repository root).

The changes from Django's own sessions are the two lines marked "Was:";
``request.session`` (and auth's ``login()``/``logout()``, not used here
to stay database-free) work exactly as before.
"""

from __future__ import annotations

import os
import secrets
import sys
from html import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import path
from django.views.decorators.http import require_POST

if not settings.configured:
    settings.configure(
        DEBUG=os.environ.get("DJANGO_DEBUG") == "1",
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY")
        or secrets.token_urlsafe(50),  # used for CSRF only, not sessions
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[
            # Was: "django.contrib.sessions.middleware.SessionMiddleware"
            "iron_fast.django.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
        ],
        # Was: "django.contrib.sessions.backends.signed_cookies" (or db)
        SESSION_ENGINE="iron_fast.django",
        IRON_SESSION_PASSWORD=os.environ["SECRET_COOKIE_PASSWORD"],
        SESSION_COOKIE_NAME="iron_fast_example",
        # Secure is on by default, as in iron-session; off for plain HTTP.
        SESSION_COOKIE_SECURE=os.environ.get("COOKIE_SECURE") != "0",
        # COOKIE_SECURE=0 is deliberate (plain HTTP on 127.0.0.1 for
        # development): say so, and no IronFastWarning is printed.
        IRON_SESSION={
            "allow_insecure": os.environ.get("COOKIE_SECURE") == "0"
        },
    )


def home(request: HttpRequest) -> HttpResponse:
    user = request.session.get("user")
    csrf = (
        '<input type="hidden" name="csrfmiddlewaretoken" '
        f'value="{get_token(request)}">'
    )
    if user is None:
        body = (
            f'<form method="post" action="/login">{csrf}'
            '<input name="name" placeholder="your name" required> '
            "<button>Log in</button></form>"
        )
    else:
        count = request.session.get("count", 0)
        body = (
            f"<p>Hello, {escape(user)}. Count: {count}</p>"
            f'<form method="post" action="/count">{csrf}<button>+1</button>'
            f'</form><form method="post" action="/logout">{csrf}'
            "<button>Log out</button></form>"
        )
    return HttpResponse(f"<!doctype html><title>iron_fast</title>{body}")


@require_POST
def login(request: HttpRequest) -> HttpResponse:
    request.session.cycle_key()  # what auth's login() does too
    request.session["user"] = request.POST.get("name", "").strip()[:64]
    request.session["count"] = 0
    return HttpResponseRedirect("/", status=303)


@require_POST
def count(request: HttpRequest) -> HttpResponse:
    if "user" in request.session:
        request.session["count"] = request.session.get("count", 0) + 1
    return HttpResponseRedirect("/", status=303)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    request.session.flush()  # what auth's logout() does: expires it
    return HttpResponseRedirect("/", status=303)


urlpatterns = [
    path("", home),
    path("login", login),
    path("count", count),
    path("logout", logout),
]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
