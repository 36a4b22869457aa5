"""Real Chromium driving the real client against the real server on port 0.

The server runs as a subprocess (`python -m server serve`) with a small config
and a fresh SQLite file per test; staff tokens come from `staff add --json`.
Without /usr/bin/chromium the tier is skipped on a developer's machine and
fails in CI (CI=true), so a missing browser can never pass silently.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("KOHTAAMO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE = ROOT / "client" / "node_modules" / "axe-core" / "axe.min.js"
VENDOR = ROOT / "client" / "dist" / "vendor.js"
SLUG = "messut"
START_TIMEOUT_S = 20

CONFIG = """
[server]
host = "127.0.0.1"
port = 0
database = "kohtaamo.db"
tick_hz = 10
presence_hz = 4
grace_seconds = 5
room_size = [1000, 1000]

[media]
{media}

[[events]]
slug = "messut"
title = "Testimessut"
description = "A small fair for browser tests."
code = "{code}"

[[events.rooms]]
title = "Työllisyys"
theme = "Employment and entrepreneurship"
capacity = 4

[[events.rooms]]
title = "Asuminen"
theme = "Housing and neighbourhoods"
capacity = 4

[[events.rooms]]
title = "Kulttuuri"
theme = "Culture and the arts"
"""


def _missing_prerequisite() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not VENDOR.exists():
        return f"{VENDOR} is missing (npm --prefix client ci && npm --prefix client run build)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install playwright)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "join_code(code): the e2e event requires this join code")
    config.addinivalue_line("markers", "media(table): the body of [media] (default: off)")



@pytest.fixture(autouse=True)
def _prerequisites() -> None:
    """A missing browser, bundle or Playwright fails the tier; it is never skipped."""
    _require_prerequisites()


def _require_prerequisites() -> None:
    reason = _missing_prerequisite()
    if reason is None:
        return
    pytest.fail(f"e2e prerequisites missing: {reason} (./dev test installs them)")


@dataclass
class Process:
    """A running `kohtaamo serve` and the lines it printed."""

    proc: subprocess.Popen[str]
    url: str
    log: list[str]
    reader: threading.Thread

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM, then wait for the exit (kill past `timeout`); returns the exit code."""
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
            code = -9
        self.reader.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return code


def _launch(config: Path, db: Path, port: int = 0) -> Process:
    """Start `kohtaamo serve` and wait until it logs `listening on`."""
    proc = subprocess.Popen(
        _kohtaamo("serve", "--config", str(config), "--host", "127.0.0.1", "--port", str(port),
                  "--db", str(db)),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.append(line)
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    running = Process(proc, "", log, reader)
    while not running.url:
        try:
            line = lines.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            running.stop()
            pytest.fail("server did not log `listening on` in time:\n" + "".join(log))
        match = re.search(r"listening on (http://[\w.\-:\[\]]+)", line)
        if match:
            running.url = match.group(1).rstrip("/")
        elif proc.poll() is not None:
            pytest.fail("server exited before listening:\n" + "".join(log))
    return running


@dataclass
class Server:
    """A running server: its base URL, event slug and staff links."""

    url: str
    slug: str
    host_token: str
    moderator_token: str
    db: Path
    config: Path
    log: list[str] = field(default_factory=list)
    process: Process | None = None

    @property
    def event_url(self) -> str:
        return f"{self.url}/e/{self.slug}"

    def staff_url(self, token: str) -> str:
        return f"{self.event_url}#token={token}"

    def api(self, path: str) -> dict:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=5) as res:
            return json.load(res)

    def room_id(self, title: str) -> str:
        for room in self.api(f"/api/events/{self.slug}")["rooms"]:
            if room["title"] == title:
                return str(room["id"])
        raise KeyError(title)

    def lobby_title(self) -> str:
        rooms = self.api(f"/api/events/{self.slug}")["rooms"]
        lobby = next(r for r in rooms if r["kind"] == "lobby")
        # The pages under test read English: the lobby's English name (issue 12).
        return str((lobby.get("titles") or {}).get("en") or lobby["title"])

    def stop(self) -> int:
        """SIGTERM the server and wait for it to exit; returns its exit code."""
        assert self.process is not None
        return self.process.stop()

    def start(self) -> None:
        """Start the server again on the same port and database."""
        port = int(self.url.rsplit(":", 1)[1])
        self.process = _launch(self.config, self.db, port)
        self.log = self.process.log
        assert self.process.url == self.url


def _kohtaamo(*args: str) -> list[str]:
    return [sys.executable, "-m", "server", *args]


def _staff_add(role: str, name: str, config: Path, db: Path) -> str:
    out = subprocess.run(
        _kohtaamo("staff", "add", SLUG, "--role", role, "--name", name,
                  "--config", str(config), "--db", str(db), "--json"),
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=False,
    )
    if out.returncode != 0:
        pytest.fail(f"`kohtaamo staff add --json` failed:\n{out.stderr[-2000:]}")
    return str(json.loads(out.stdout.strip().splitlines()[-1])["token"])


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """Start `kohtaamo serve` on port 0 and stop it with SIGTERM after the test.

    `@pytest.mark.join_code("x")` gives the event a join code."""
    marker = request.node.get_closest_marker("join_code")
    media = request.node.get_closest_marker("media")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.replace("{code}", marker.args[0] if marker else "").replace(
        "{media}", media.args[0] if media else "enabled = false"), encoding="utf-8")
    db = tmp_path / "kohtaamo.db"
    # Staff first: the running server does not see people added to its database
    # by another process until it restarts.
    host = _staff_add("host", "Hanna Host", config, db)
    moderator = _staff_add("moderator", "Mikko Moderaattori", config, db)
    process = _launch(config, db)
    server = Server(process.url, SLUG, host, moderator, db, config, process.log, process)
    try:
        yield server
    finally:
        if server.process is not None and server.process.proc.poll() is None:
            server.process.stop()


# Package scope, not session: the sync API keeps an event loop running in this
# thread while it is open, which would break the async server tests after it.
@pytest.fixture(scope="package")
def pw() -> Iterator[object]:
    """Playwright itself, once for the package (both browsers come from it)."""
    from playwright.sync_api import sync_playwright

    _require_prerequisites()  # package fixtures run before the autouse check
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(pw: object) -> Iterator[object]:
    b = pw.chromium.launch(  # type: ignore[attr-defined]
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture(scope="package")
def media_browser(pw: object) -> Iterator[object]:
    """Chromium with a fake camera and microphone, permission granted (which also
    un-hides host ICE candidates behind mDNS names)."""
    b = pw.chromium.launch(  # type: ignore[attr-defined]
        executable_path=str(CHROMIUM), args=[
            *CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"])
    yield b
    b.close()


@pytest.fixture
def new_page(browser: object) -> Iterator[object]:
    """new_page() -> a page in its own browser context (own storage: own person)."""
    yield from _pages(browser)


@pytest.fixture
def new_media_page(media_browser: object) -> Iterator[object]:
    """new_media_page() -> a page with a fake camera and microphone it may use."""
    yield from _pages(media_browser)


def _pages(browser: object) -> Iterator[object]:
    contexts = []

    def make(
        width: int = 1366, height: int = 900, locale: str = "en-US", bypass_csp: bool = False,
    ) -> object:
        # bypass_csp only for axe-core, which Playwright injects as an inline script.
        ctx = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": width, "height": height}, locale=locale, accept_downloads=True,
            bypass_csp=bypass_csp,
        )
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        page = ctx.new_page()
        # Uncaught exceptions and console errors (CSP violations land there).
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.js_errors = errors  # type: ignore[attr-defined]
        return page

    yield make
    for ctx in contexts:
        ctx.close()
