# SPDX-License-Identifier: MIT
"""The iron_fast demo: a FastAPI page on http://127.0.0.1:8000 (PORT
overrides the port) where you log in with any name, click a counter and
log out. The session lives only in an iron-session cookie.

DEVELOPMENT ONLY. The password is generated on first start and kept in
``.iron-fast-dev-secret`` at the repository root (mode 0600;
IRON_FAST_DEV_SECRET_FILE overrides the path), so sessions survive
restarts; cookies are not ``Secure`` because this serves plain HTTP on
the loopback interface. A real deployment takes its password from a
secret store and keeps ``secure=True`` (the default).
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from iron_fast import SessionConfig
from iron_fast.fastapi import IronSessionMiddleware, Session

log = logging.getLogger("iron_fast.demo")

DEFAULT_SECRET_FILE = Path(__file__).resolve().parents[2] / (
    ".iron-fast-dev-secret"
)
NOT_FOR_PRODUCTION = (
    "the session password is a development secret generated on first "
    "start and kept in {path}, and cookies are not Secure (plain HTTP on "
    "127.0.0.1)"
)
PAGE = """<!doctype html>
<html lang="en"><meta charset="utf-8"><title>iron_fast demo</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 36em;
       margin: 2em auto; padding: 0 1em; }}
.banner {{ background: #fff3cd; border: 1px solid #e0b400;
          padding: .5em 1em; }}
form {{ display: inline-block; margin-right: .5em; }}
</style>
<p class="banner" role="alert">
<strong>Development demo, not for production:</strong> {notice}.</p>
<h1>iron_fast demo</h1>
{body}
</html>
"""


def dev_secret(path: Path) -> str:
    """The development password in ``path``, created on first use."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            # A secret others can read signs anyone in as anyone.
            path.chmod(0o600)
            log.warning("%s was readable by others: now mode 0600", path)
        secret = path.read_text(encoding="utf-8").strip()
        if len(secret) < 32:
            raise SystemExit(
                f"{path} does not hold a password of 32+ characters: "
                "delete it and start again to generate a new one"
            ) from None
        return secret
    secret = secrets.token_urlsafe(32)  # 43 characters, 256 bits
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(secret + "\n")
    log.warning("generated a development password in %s", path)
    return secret


def create_app(secret_file: Path | None = None) -> FastAPI:
    path = secret_file or Path(
        os.environ.get("IRON_FAST_DEV_SECRET_FILE") or DEFAULT_SECRET_FILE
    )
    notice = NOT_FOR_PRODUCTION.format(path=path.name)
    log.warning(
        "iron_fast demo, NOT FOR PRODUCTION: %s",
        NOT_FOR_PRODUCTION.format(path=path),
    )
    config = SessionConfig(
        password=dev_secret(path),
        cookie_name="iron_fast_demo",
        cookie_options={"secure": False},  # plain HTTP, loopback only
        allow_insecure=True,  # deliberate, as above: no IronFastWarning
    )
    app = FastAPI(title="iron_fast demo", docs_url=None, redoc_url=None)
    app.add_middleware(IronSessionMiddleware, config=config)
    banner = escape(notice)

    @app.get("/", response_class=HTMLResponse)
    def home(session: Session) -> str:
        user = session.get("user")
        if user is None:
            body = (
                '<form method="post" action="/login"><label>Name '
                '<input name="name" maxlength="64" required autofocus>'
                "</label> <button>Log in</button></form>"
            )
        else:
            body = (
                f"<p>Logged in as <strong>{escape(user)}</strong>.</p>"
                f'<p>Counter: <output id="count">{session.get("count", 0)}'
                "</output></p>"
                '<form method="post" action="/count"><button>+1</button>'
                '</form><form method="post" action="/logout">'
                "<button>Log out</button></form>"
            )
        return PAGE.format(notice=banner, body=body)

    @app.post("/login")
    async def login(request: Request, session: Session) -> RedirectResponse:
        # Parsed by hand: FastAPI's Form() needs python-multipart.
        fields = parse_qs((await request.body()).decode(), max_num_fields=5)
        name = fields.get("name", [""])[0].strip()[:64] or "anonymous"
        session.update(user=name, count=0)
        return RedirectResponse("/", status_code=303)

    @app.post("/count")
    def count(session: Session) -> RedirectResponse:
        if "user" in session:
            session["count"] = session.get("count", 0) + 1
        return RedirectResponse("/", status_code=303)

    @app.post("/logout")
    def logout(session: Session) -> RedirectResponse:
        session.destroy()
        return RedirectResponse("/", status_code=303)

    return app


def main() -> None:
    import uvicorn

    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s: %(message)s"
    )
    port = int(os.environ.get("PORT", "8000"))
    app = create_app()
    print(f"iron_fast demo on http://127.0.0.1:{port}/", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
