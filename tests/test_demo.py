# SPDX-License-Identifier: MIT
"""The demo (examples/demo/app.py, what scripts/demo.sh runs): started as
a real uvicorn server on a free loopback port and driven over HTTP through
login, counter and logout, with a restart in between that keeps the
session; plus its development secret file.
"""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import load_file, require_or_skip
from tests.served import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo" / "app.py"


@pytest.fixture(autouse=True)
def _needs_the_demo_dependencies() -> None:
    for name in ("fastapi", "uvicorn", "httpx"):
        try:
            __import__(name)
        except ImportError:
            require_or_skip(f"{name} is not installed (the [demo] extra)")


def start_demo(secret_file: Path, port: int | None = None) -> ServerProcess:
    """``python examples/demo/app.py`` on a free port, as demo.sh runs it
    (with the secret file moved out of the repository)."""
    port = port or free_port()
    return ServerProcess(
        [sys.executable, str(DEMO)],
        cwd=ROOT,
        env={"PORT": str(port), "IRON_FAST_DEV_SECRET_FILE": str(secret_file)},
        port=port,
    )


def counter(page: str) -> int | None:
    found = re.search(r'<output id="count">(\d+)</output>', page)
    return int(found.group(1)) if found else None


def test_login_counter_restart_logout(tmp_path: Path) -> None:
    import httpx

    secret_file = tmp_path / "dev-secret"
    # Keeps cookies and follows redirects, as a browser does.
    browser = httpx.Client(timeout=10.0, follow_redirects=True)
    demo = start_demo(secret_file)
    try:
        page = browser.get(demo.url + "/").text
        assert "not for production" in page.lower()
        assert 'action="/login"' in page and counter(page) is None
        answer = browser.post(
            demo.url + "/login",
            data={"name": "Ada <script>"},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        line = answer.headers["set-cookie"]
        assert line.startswith("iron_fast_demo=Fe26.2*1*")
        assert line.endswith(
            "; Max-Age=1209540; Path=/; HttpOnly; SameSite=Lax"
        )
        page = browser.get(demo.url + "/").text
        assert "Ada &lt;script&gt;" in page and counter(page) == 0
        for expected in (1, 2):
            page = browser.post(demo.url + "/count").text
            assert counter(page) == expected
    finally:
        first_log = demo.stop()
    assert "NOT FOR PRODUCTION" in first_log
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text()

    demo = start_demo(secret_file)  # a restart: same secret, same session
    try:
        page = browser.get(demo.url + "/").text
        assert "Ada &lt;script&gt;" in page and counter(page) == 2
        assert counter(browser.post(demo.url + "/count").text) == 3
        answer = browser.post(demo.url + "/logout", follow_redirects=False)
        assert answer.headers["set-cookie"].startswith(
            "iron_fast_demo=; Max-Age=0;"
        )
        page = browser.get(demo.url + "/").text
        assert 'action="/login"' in page and counter(page) is None
    finally:
        second_log = demo.stop()
        browser.close()
    assert secret_file.read_text() == secret
    assert "generated a development password" in first_log
    assert "generated a development password" not in second_log


def load_demo() -> ModuleType:
    return load_file("iron_fast_demo", DEMO)


def test_dev_secret_file(tmp_path: Path) -> None:
    demo = load_demo()
    assert demo.DEFAULT_SECRET_FILE == ROOT / ".iron-fast-dev-secret"
    path = tmp_path / "secret"
    secret = demo.dev_secret(path)
    assert len(secret) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert demo.dev_secret(path) == secret  # kept, not regenerated
    path.chmod(0o644)
    assert demo.dev_secret(path) == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("short\n")
    with pytest.raises(SystemExit, match="32"):
        demo.dev_secret(path)


def test_default_secret_file_is_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "/.iron-fast-dev-secret" in ignored


def test_demo_script_runs_the_demo() -> None:
    script = (ROOT / "scripts" / "demo.sh").read_text().strip()
    assert script.splitlines()[-1].startswith(
        "exec .venv/bin/python examples/demo/app.py"
    )
    assert (ROOT / "examples" / "seal_demo.py").is_file()


def test_a_busy_port_gives_a_hint() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        run = subprocess.run(
            [sys.executable, str(DEMO)],
            cwd=ROOT,
            env={**os.environ, "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode == 1
    assert f"port {port} is already in use" in run.stderr
    assert f"PORT={port + 1} bash scripts/demo.sh" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_page_explains_itself_and_has_a_favicon(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    app = load_demo().create_app(tmp_path / "secret", node=False)
    with TestClient(app) as client:
        page = client.get("/").text
        assert 'name="viewport"' in page and 'rel="icon"' in page
        assert "no session store" in page and "no session cookie" in page
        for path in ("/favicon.ico", "/favicon.svg"):
            icon = client.get(path)
            assert icon.status_code == 200
            assert icon.headers["content-type"] == "image/svg+xml"
        client.post("/login", data={"name": "Ada"})
        page = client.get("/").text
        assert "Restart the server: you stay logged in." in page
        assert "password id</dt><dd>1 " in page
        assert "sealed at</dt>" in page and "(in 13 d 23 h)" in page
        assert "Off: IRON_FAST_DEMO_NODE=0." in client.get("/node").text
        answer = client.post("/logout", follow_redirects=False)
        assert answer.headers["location"] == "/?logged_out"
        page = client.get("/?logged_out").text
        assert "You are logged out" in page and "no session cookie" in page
