# SPDX-License-Identifier: MIT
"""Flask's own session tests with IronSessionInterface as every app's
session interface (a pytest plugin: ``-p shim_flask``)."""

from __future__ import annotations

import hashlib

import flask

from iron_fast.flask import IronSessionInterface


def _password(key: object) -> str:
    # Flask takes any secret key; iron-session wants 32+ characters.
    return hashlib.sha256(str(key).encode()).hexdigest()


class _MigratedInterface(IronSessionInterface):
    """What a migrating app configures: a password map made from
    SECRET_KEY and SECRET_KEY_FALLBACKS (the newest id seals, as the
    secret key does), taken afresh on every request as Flask does."""

    def _password_of(self, app: flask.Flask) -> object:
        if not app.secret_key:
            return None
        fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or []
        keys = [*fallbacks, app.secret_key]
        passwords = {i: _password(key) for i, key in enumerate(keys, 1)}
        app.config["IRON_SESSION_PASSWORD"] = passwords
        return passwords


flask.Flask.session_interface = _MigratedInterface(allow_insecure=True)
