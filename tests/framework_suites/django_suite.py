# SPDX-License-Identifier: MIT
"""Django's own session tests (``sessions_tests``: CookieSessionTests and
SessionMiddlewareTests) against ``iron_fast.django``: its SessionStore as
the cookie backend under test, its middleware as Django's.

Run from the ``tests`` folder of Django's source distribution:
``python django_suite.py``. Exit status 0 when only the tests listed in
``expected_failures.txt`` fail (each must fail: unittest counts an
unexpected success as a failure).
"""

from __future__ import annotations

import sys
import unittest
from pathlib import Path

import django
from django.conf import settings

EXPECTED = Path(__file__).with_name("expected_failures.txt")
LABELS = [
    "sessions_tests.tests.CookieSessionTests",
    "sessions_tests.tests.SessionMiddlewareTests",
]


def main() -> int:
    sys.path.insert(0, str(Path.cwd()))
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3"}},
        SECRET_KEY="django_tests_secret_key",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "sessions_tests",
        ],
        SESSION_ENGINE="iron_fast.django",
        # Django's tests take any SECRET_KEY; iron-session wants 32+.
        IRON_SESSION_PASSWORD="django-suite-password-0123456789-abcdef",
        USE_TZ=True,
    )
    django.setup()
    from django.test.runner import DiscoverRunner
    from sessions_tests import tests

    from iron_fast.django import SessionStore
    from iron_fast.django.middleware import SessionMiddleware

    tests.SessionMiddleware = SessionMiddleware  # type: ignore[misc]
    tests.CookieSessionTests.backend = SessionStore
    for label in _expected():
        _module, owner, name = label.rsplit(".", 2)
        case = getattr(tests, owner)
        setattr(case, name, unittest.expectedFailure(getattr(case, name)))
    failures = DiscoverRunner(verbosity=1).run_tests(LABELS)
    return 1 if failures else 0


def _expected() -> list[str]:
    found = []
    for line in EXPECTED.read_text().splitlines():
        entry = line.partition("#")[0]
        suite, _, label = entry.partition(":")
        if suite.strip() == "django":
            found.append(label.strip())
    return found


if __name__ == "__main__":
    sys.exit(main())
