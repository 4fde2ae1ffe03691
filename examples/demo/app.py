# SPDX-License-Identifier: MIT
"""The iron_fast demo: a FastAPI page on http://127.0.0.1:8000 (PORT
overrides the port) where you log in with any name, click a counter, restart
the server and are still logged in, then log out. The session lives only in
an iron-session cookie; the page shows that cookie as ``iron-fast inspect``
sees it and, when Node is installed, as iron-session reads it in Node.

    bash scripts/demo.sh                    # sets up .venv, then runs this
    .venv/bin/python examples/demo/app.py   # once .venv is set up

DEVELOPMENT ONLY. The password is generated on first start and kept in
``.iron-fast-dev-secret`` at the repository root (mode 0600;
IRON_FAST_DEV_SECRET_FILE overrides the path), so sessions survive
restarts; cookies are not ``Secure`` because this serves plain HTTP on
the loopback interface. A real deployment takes its password from a
secret store and keeps ``secure=True`` (the default).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import queue
import secrets
import shutil
import socket
import stat
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from iron_fast import HeaderCookieJar, SessionCodec, SessionConfig, seal_fields
from iron_fast.fastapi import IronSessionMiddleware, Session

log = logging.getLogger("iron_fast.demo")

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECRET_FILE = ROOT / ".iron-fast-dev-secret"
COOKIE_NAME = "iron_fast_demo"
SERVER_JS = ROOT / "examples" / "shared_cookie" / "server.mjs"
# Where an iron-session 9 for Node may be: the shared-cookie example's own
# `npm install`, or the copy scripts/bootstrap.sh installs for the tests.
IRON_SESSION_COPIES = (
    ROOT / "examples" / "shared_cookie" / "node_modules" / "iron-session",
    ROOT / "tests" / "interop" / "node_modules" / "iron-session-9",
)
NODE_START_TIMEOUT = 15.0
NOT_FOR_PRODUCTION = (
    "the session password is a development secret generated on first "
    "start and kept in {path}, and cookies are not Secure (plain HTTP on "
    "127.0.0.1)"
)
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#7a4b00"/>'
    '<text x="8" y="12.5" font-size="11" text-anchor="middle" '
    'font-family="sans-serif" fill="#fff">Fe</text></svg>'
)
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<title>iron_fast demo</title>
<style>
body {{ font: 17px/1.5 system-ui, sans-serif; max-width: 40em;
       margin: 1em auto; padding: 0 1em; color: #222; }}
h1 {{ margin: .3em 0; font-size: 1.6em; }}
h2 {{ font-size: 1.1em; margin: 0 0 .4em; }}
.banner {{ background: #fff3cd; border: 1px solid #e0b400;
          padding: .4em .8em; font-size: .85em; }}
.lead {{ font-size: 1.05em; }}
.ok {{ background: #e6f4ea; border-left: 4px solid #2e7d32;
      padding: .5em .8em; }}
.panel {{ border: 1px solid #ccc; border-radius: 6px; padding: .7em 1em;
         margin: 1em 0; background: #fafafa; }}
dl {{ display: grid; grid-template-columns: max-content 1fr;
     gap: .15em 1em; margin: 0; }}
dt {{ color: #555; }}
dd {{ margin: 0; overflow-wrap: anywhere; }}
code, pre {{ font: .9em ui-monospace, monospace; overflow-wrap: anywhere;
            white-space: pre-wrap; }}
form {{ display: inline-block; margin: 0 .5em .5em 0; }}
button, input {{ font: inherit; padding: .4em .9em; }}
#count {{ font-size: 1.6em; font-weight: bold; }}
</style></head>
<body>
<p class="banner" role="alert">
<strong>Development demo, not for production:</strong> {notice}.</p>
<h1>iron_fast demo</h1>
<p class="lead">This server keeps no session store: who you are and your
counter live only in one encrypted, signed cookie that your browser sends
back. Any server with the password can read it, including one that has just
restarted, or a Node service running iron-session.</p>
{body}
{cookie}
{node}
</body></html>
"""
NODE_SCRIPT = """<script>
fetch("/node").then(r => r.text()).then(html => {
  document.getElementById("node").innerHTML = html;
});
</script>"""


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


def _utc(ms: int) -> str:
    when = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(seconds: int) -> str:
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes = seconds // 60
    return f"{days} d {hours} h" if days else f"{hours} h {minutes} min"


def describe_cookie(
    codec: SessionCodec, jar: HeaderCookieJar, ttl: int
) -> list[tuple[str, str]]:
    """The session cookie as ``iron-fast inspect`` sees it, without the
    password: (label, value) rows, empty when the browser sent none."""
    parts = codec.sent_cookies(jar)
    seal = codec.request_seal(jar)
    if not seal:
        return []
    try:
        info = seal_fields(seal)
    except ValueError as error:
        return [("cookie", f"not an iron seal: {error}")]
    rows: list[tuple[str, str]] = [
        ("name", COOKIE_NAME),
        ("length", f"{len(seal)} characters"),
        ("cookies", f"{len(parts)} (no chunks: it fits one cookie)"
         if len(parts) == 1 else f"{len(parts)} chunks"),
        ("password id", f"{info['password_id']} (rotation seals with the "
         "highest id)"),
    ]  # fmt: skip
    expires_ms = info["expires_ms"]
    if expires_ms is None:
        rows.append(("expires", "never (ttl 0)"))
    else:
        now_ms = time.time_ns() // 1_000_000
        left = max(0, (expires_ms - now_ms) // 1000)
        rows += [
            ("sealed at", _utc(expires_ms - ttl * 1000)),
            ("expires", f"{_utc(expires_ms)} (in {_span(left)})"),
        ]
    # PKCS#7 pads the JSON text with 1 to 16 bytes.
    size = info["ciphertext_bytes"]
    rows += [
        ("JSON inside", f"{size - 16} to {size - 1} bytes, encrypted "
         "(AES-256-CBC)"),
        ("value", f"{seal[:24]}… (signed with HMAC-SHA256)"),
    ]  # fmt: skip
    return rows


def cookie_panel(config: SessionConfig, cookie_header: str | None) -> str:
    rows = describe_cookie(
        config.codec, HeaderCookieJar(cookie_header), config.ttl
    )
    if not rows:
        return (
            '<section class="panel" id="cookie"><h2>Your session cookie'
            "</h2><p>Your browser sent no session cookie.</p></section>"
        )
    items = "".join(
        f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"
        for label, value in rows
    )
    return (
        '<section class="panel" id="cookie"><h2>Your session cookie, as '
        "<code>iron-fast inspect</code> sees it</h2>"
        f"<dl>{items}</dl><p>It is HttpOnly, so the page's scripts cannot "
        "read it; the server shows it here. No password is needed for "
        "these fields, and none is shown.</p></section>"
    )


class NodeService:
    """examples/shared_cookie/server.mjs (iron-session 9 on node:http),
    started with the demo's password and cookie name on a free loopback
    port, or the reason it could not be started."""

    def __init__(self, password: str) -> None:
        self.url: str | None = None
        self.reason = ""
        self._proc: subprocess.Popen[str] | None = None
        node = shutil.which("node")
        module = next(
            (m for m in IRON_SESSION_COPIES if (m / "package.json").is_file()),
            None,
        )
        if node is None:
            self.reason = "Node is not installed"
            return
        if module is None:
            self.reason = "iron-session is not installed for Node"
            return
        exports = json.loads((module / "package.json").read_text())["exports"]
        entry = exports["."] if isinstance(exports, dict) else exports
        env = {
            **os.environ,
            "SECRET_COOKIE_PASSWORD": password,
            "COOKIE_NAME": COOKIE_NAME,
            "COOKIE_SECURE": "0",  # as the demo: plain HTTP on loopback
            "IRON_SESSION_MODULE": (module / str(entry)).resolve().as_uri(),
            "PORT": "0",  # any free port; the service prints which
            "EXIT_ON_STDIN_END": "1",  # dies with the demo, even on kill
        }
        self._proc = subprocess.Popen(
            [node, str(SERVER_JS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        stdout = self._proc.stdout
        assert stdout is not None
        threading.Thread(
            target=lambda: lines.put(stdout.readline()), daemon=True
        ).start()
        try:
            line = lines.get(timeout=NODE_START_TIMEOUT)
        except queue.Empty:
            line = ""
        url = line.strip().rpartition(" ")[2]
        if url.startswith("http://127.0.0.1:"):
            self.url = url
        else:
            self.reason = "the Node service did not start"
            self.stop()

    def read(self, cookie_header: str) -> str:
        """The session as the Node service reads it from this request's
        Cookie header: its JSON answer, as text."""
        assert self.url is not None
        request = urllib.request.Request(
            self.url + "/", headers={"cookie": cookie_header}
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            data = json.loads(answer.read())
        return json.dumps(data["session"], indent=2, ensure_ascii=False)

    def stop(self) -> None:
        if self._proc is None:
            return
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.terminate()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None


def node_panel(service: NodeService | None, cookie_header: str) -> str:
    title = "<h2>The same cookie, read by iron-session 9 in Node</h2>"
    if service is None or service.url is None:
        if service is None:
            return f"{title}<p>Off: IRON_FAST_DEMO_NODE=0.</p>"
        return (
            f"{title}<p>{escape(service.reason)}. Install Node 20 or later "
            "with npm and run <code>bash scripts/demo.sh</code> again: it "
            "installs iron-session, and this panel then shows your cookie "
            "as a Node service reads it.</p>"
        )
    if not cookie_header:
        return f"{title}<p>Log in first: there is no cookie to read.</p>"
    try:
        session = service.read(cookie_header)
    except (OSError, ValueError, KeyError) as error:
        reason = escape(str(error))
        return f"{title}<p>The Node service did not answer: {reason}</p>"
    return (
        f"{title}<p>This server sent your cookie, as it came, to "
        "<code>examples/shared_cookie/server.mjs</code> "
        f"({escape(service.url)}): "
        "a plain Node service using the real iron-session 9 with the same "
        "password. This is what it read:</p>"
        f'<pre id="node-session">{escape(session)}</pre>'
    )


def create_app(
    secret_file: Path | None = None, *, node: bool = True
) -> FastAPI:
    """The demo app. ``node=False`` (or IRON_FAST_DEMO_NODE=0) leaves the
    Node service out."""
    path = secret_file or Path(
        os.environ.get("IRON_FAST_DEV_SECRET_FILE") or DEFAULT_SECRET_FILE
    )
    notice = NOT_FOR_PRODUCTION.format(path=path.name)
    log.warning(
        "iron_fast demo, NOT FOR PRODUCTION: %s",
        NOT_FOR_PRODUCTION.format(path=path),
    )
    password = dev_secret(path)
    config = SessionConfig(
        password=password,
        cookie_name=COOKIE_NAME,
        cookie_options={"secure": False},  # plain HTTP, loopback only
        allow_insecure=True,  # deliberate, as above: no IronFastWarning
    )
    use_node = node and os.environ.get("IRON_FAST_DEMO_NODE") != "0"
    services: dict[str, NodeService] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if use_node:
            services["node"] = NodeService(password)
        try:
            yield
        finally:
            if "node" in services:
                services.pop("node").stop()

    app = FastAPI(
        title="iron_fast demo", docs_url=None, redoc_url=None,
        openapi_url=None, lifespan=lifespan,
    )  # fmt: skip
    app.add_middleware(IronSessionMiddleware, config=config)
    banner = escape(notice)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, session: Session) -> str:
        user = session.get("user")
        if user is None:
            bye = ""
            if "logged_out" in request.query_params:
                bye = (
                    '<p class="ok" id="logged-out">You are logged out: the '
                    "server told your browser to delete the cookie "
                    "(<code>Max-Age=0</code>), and it sent none back.</p>"
                )
            body = (
                f"{bye}<p>Log in with any name, click the counter, then "
                "restart the server.</p>"
                '<form method="post" action="/login"><label>Name '
                '<input name="name" maxlength="64" required autofocus>'
                "</label> <button>Log in</button></form>"
            )
        else:
            body = (
                f"<p>Logged in as <strong>{escape(user)}</strong>. "
                f'Counter: <output id="count">{session.get("count", 0)}'
                "</output></p>"
                '<form method="post" action="/count"><button>+1</button>'
                '</form><form method="post" action="/logout">'
                "<button>Log out</button></form>"
                '<p class="ok" id="restart"><strong>Restart the server: you '
                "stay logged in.</strong> Stop it with Ctrl+C, start it "
                "again (<code>bash scripts/demo.sh</code>) and reload this "
                "page: the counter is still here, because it was never on "
                "the server.</p>"
            )
        node = (
            '<section class="panel" id="node"><p>Asking the Node '
            f"service…</p></section>{NODE_SCRIPT}"
        )
        return PAGE.format(
            notice=banner,
            body=body,
            cookie=cookie_panel(config, request.headers.get("cookie")),
            node=node,
        )

    @app.get("/node", response_class=HTMLResponse)
    def node_view(request: Request) -> str:
        # Fetched by the page: the Node call stays off the main request.
        return node_panel(
            services.get("node"), request.headers.get("cookie", "")
        )

    @app.get("/favicon.svg")
    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(FAVICON, media_type="image/svg+xml")

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
        return RedirectResponse("/?logged_out", status_code=303)

    return app


def listen(port: int) -> socket.socket:
    """A socket bound to 127.0.0.1:port, or exit with a hint when the
    port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as error:
        sock.close()
        if error.errno != errno.EADDRINUSE:
            raise
        raise SystemExit(
            f"demo: port {port} is already in use (another demo still "
            f"running?). Pick another one: PORT={port + 1} bash "
            "scripts/demo.sh"
        ) from None
    sock.listen(128)
    return sock


def main() -> None:
    import uvicorn

    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s: %(message)s"
    )
    port = int(os.environ.get("PORT", "8000"))
    sock = listen(port)
    app = create_app()
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False)
    )
    print(
        f"demo: open http://127.0.0.1:{port}/ (Ctrl+C stops it)",
        flush=True,
    )
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
