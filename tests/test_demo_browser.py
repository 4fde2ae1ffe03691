# SPDX-License-Identifier: MIT
"""The demo in a real browser: Debian's chromium, headless, driven by
Playwright. Logs in, counts, restarts the server, finds the session still
there, logs out and finds the cookie gone; a screenshot of each state goes
to artifacts/demo/ (git-ignored, kept by CI).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_or_skip
from tests.served import free_port
from tests.test_demo import ROOT, start_demo

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "demo"
COOKIE = "iron_fast_demo"
# Debian's chromium, as a CI runner without a display or network has it;
# Playwright never downloads a browser of its own here.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where the sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


def node_is_ready() -> bool:
    """What the demo needs for its Node panel (see NodeService)."""
    modules = (
        ROOT / "examples" / "shared_cookie" / "node_modules" / "iron-session",
        ROOT / "tests" / "interop" / "node_modules" / "iron-session-9",
    )
    return shutil.which("node") is not None and any(
        (m / "package.json").is_file() for m in modules
    )


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """A fresh headless chromium profile (a Playwright BrowserContext)."""
    if not CHROMIUM.is_file():
        require_or_skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("playwright is not installed (the [test] extra)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # chromium's --user-data-dir
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 900, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def session_cookies(context: Any) -> list[dict[str, Any]]:
    return [c for c in context.cookies() if c["name"] == COOKIE]


def test_the_demo_in_a_browser(tmp_path: Path, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    secret_file = tmp_path / "dev-secret"
    port = free_port()
    failed: list[str] = []
    page = browser.new_page()
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400
        else None,
    )  # fmt: skip
    with_node = node_is_ready()

    def shot(name: str, *, wait_for_node: bool = True) -> None:
        if wait_for_node:
            # The Node panel is filled by a fetch once the page has loaded.
            page.locator("#node h2").wait_for()
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    demo = start_demo(secret_file, port)
    try:
        page.goto(demo.url + "/")
        assert "encrypted, signed cookie" in page.inner_text(".lead")
        assert page.locator("meta[name=viewport]").count() == 1
        assert "no session cookie" in page.inner_text("#cookie")
        shot("1-logged-out")

        page.fill("input[name=name]", "Ada")
        page.get_by_role("button", name="Log in").click()
        assert page.inner_text("#count") == "0"
        assert page.inner_text("#restart").startswith(
            "Restart the server: you stay logged in."
        )
        cookie_text = page.inner_text("#cookie")
        for label in ("length", "cookies", "password id", "sealed at"):
            assert label in cookie_text
        assert re.search(r"expires\s+\d{4}-\d\d-\d\d .*\(in 13 d 23 h\)",
                         cookie_text)  # fmt: skip
        assert secret_file.read_text().strip() not in page.content()
        [cookie] = session_cookies(browser)
        assert cookie["httpOnly"] and cookie["value"].startswith("Fe26.2*1*")
        assert f"{len(cookie['value'])} characters" in cookie_text
        shot("2-logged-in")

        page.get_by_role("button", name="+1").click()
        page.get_by_role("button", name="+1").click()
        assert page.inner_text("#count") == "2"
        shot("3-counted")
    finally:
        first_log = demo.stop()
    assert "Traceback" not in first_log, first_log

    demo = start_demo(secret_file, port)  # the same server, restarted
    try:
        page.reload()
        assert "Logged in as Ada." in page.inner_text("body")
        assert page.inner_text("#count") == "2"
        page.locator("#node h2").wait_for()
        node_text = page.inner_text("#node")
        if with_node:
            shown = json.loads(page.inner_text("#node-session"))
            assert shown == {"user": "Ada", "count": 2}
        else:
            assert "Install Node" in node_text
        shot("4-after-restart")

        phone = browser.new_page()
        phone.set_viewport_size(PHONE)
        phone.goto(demo.url + "/")
        # Readable on a phone: nothing wider than the screen.
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        phone.locator("#node h2").wait_for()
        phone.screenshot(path=str(SHOTS / "5-phone.png"), full_page=True)
        phone.close()

        page.get_by_role("button", name="Log out").click()
        assert "You are logged out" in page.inner_text("#logged-out")
        assert session_cookies(browser) == []
        assert "no session cookie" in page.inner_text("#cookie")
        assert page.locator("input[name=name]").count() == 1
        shot("6-logged-out-again")
    finally:
        second_log = demo.stop()
    assert "Traceback" not in second_log, second_log
    # No 404 (the favicon included) nor any other failed request.
    assert failed == [], failed
    assert sorted(p.name for p in SHOTS.glob("*.png")) == [
        "1-logged-out.png",
        "2-logged-in.png",
        "3-counted.png",
        "4-after-restart.png",
        "5-phone.png",
        "6-logged-out-again.png",
    ]


def test_without_node_the_panel_says_how_to_enable_it(
    tmp_path: Path, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No node on PATH for the demo (Python is started by its full path).
    monkeypatch.setenv("PATH", str(tmp_path))
    demo = start_demo(tmp_path / "dev-secret")
    try:
        page = browser.new_page()
        page.goto(demo.url + "/")
        page.locator("#node h2").wait_for()
        text = page.inner_text("#node")
    finally:
        demo.stop()
    assert text.startswith(
        "The same cookie, read by iron-session 9 in Node\n\n"
        "Node is not installed. Install Node 20 or later"
    ), text
    assert "bash scripts/demo.sh" in text
