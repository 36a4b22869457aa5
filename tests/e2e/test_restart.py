"""A server restart with a browser open (contract v1.1): the page notices at once,
never claims to be connected while the server is down, and comes back by itself
to the table it sat at."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import signal
from typing import Any

import socketio
from playwright.sync_api import WebSocketRoute, expect

from tests.e2e.pages import join, my_id, position_of, say, sit_at, wait_connected

# Every connection state the page shows, with the browser's clock.
WATCH_CONN = """() => {
  window.__connLog = [];
  const el = document.getElementById("conn");
  const note = () => window.__connLog.push([Date.now(), el.dataset.conn]);
  new MutationObserver(note).observe(el, { attributes: true, attributeFilter: ["data-conn"] });
  note();
}"""


def test_restart_returns_the_page_to_its_table(server, new_page) -> None:
    """SIGTERM and start again on the same port and database: the banner leaves
    Connected at once and only returns after the restart, and the page is back at
    its table, at its spot, with chat for that table working."""
    page = join(new_page(), server, "Aino Asiakas")
    sit_at(page, "Asuminen")
    me = my_id(page)
    spot = position_of(page, me)
    assert spot is not None
    page.evaluate(WATCH_CONN)

    assert server.stop() == 0
    expect(page.locator("#conn")).not_to_have_attribute("data-conn", "connected")
    down = page.evaluate("() => Date.now()")
    # The page keeps trying meanwhile (each attempt is refused by the closed port).
    page.wait_for_function("() => window.__kohtaamo.state.conn === 'reconnecting'")
    server.start()
    up = page.evaluate("() => Date.now()")

    wait_connected(page)
    log = page.evaluate("() => window.__connLog")
    assert not [c for at, c in log if down <= at <= up and c == "connected"], log
    expect(page.locator("#here-title")).to_have_text(re.compile("Asuminen"))
    room = page.evaluate("() => window.__kohtaamo.state.here.room")
    assert room == server.room_id("Asuminen")
    assert position_of(page, me) == spot
    say(page, "Takaisin pöydässä")
    expect(page.locator(".chat-list .msg-text", has_text="Takaisin pöydässä")).to_have_count(1)
    # Chromium logs each refused attempt while the port is closed; nothing else.
    errors = [e for e in page.js_errors if "ERR_CONNECTION_REFUSED" not in e]
    assert not errors, errors


def test_a_frozen_server_is_noticed_within_seconds(server, new_page) -> None:
    """With the server stopped dead (SIGSTOP: the socket stays open, nothing answers)
    the banner leaves Connected once the Engine.IO heartbeat (5 s + 5 s) runs out,
    not after the libraries' default 45 s; after SIGCONT the page is back by itself."""
    page = join(new_page(), server, "Aino Asiakas")
    sit_at(page, "Kulttuuri")
    assert server.process is not None
    server.process.proc.send_signal(signal.SIGSTOP)
    try:
        expect(page.locator("#conn")).not_to_have_attribute(
            "data-conn", "connected", timeout=15_000)
    finally:
        server.process.proc.send_signal(signal.SIGCONT)
    wait_connected(page)
    expect(page.locator("#here-title")).to_have_text(re.compile("Kulttuuri"))


def host_call(server: Any, name: str, payload: dict[str, Any]) -> Any:
    """One request as the host, from a python-socketio client on a thread of its own
    (Playwright's sync API keeps an event loop busy on this one)."""

    async def call() -> Any:
        client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
        await client.connect(server.url, auth={"token": server.host_token},
                             transports=["websocket"], wait_timeout=5)
        try:
            return await client.call(name, payload, timeout=5)
        finally:
            await client.disconnect()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, call()).result(timeout=20)


def test_a_line_for_a_table_one_has_left_is_kept_not_posted(server, new_page) -> None:
    """When a say reaches the server after the person was moved elsewhere (here: the
    `moved` that would have told the page is lost on the way), the server refuses
    it (moved), the page says so and keeps the text; nobody in the lobby gets it."""
    losing = {"on": False}

    def relay(ws: WebSocketRoute) -> None:
        upstream = ws.connect_to_server()
        ws.on_message(upstream.send)
        upstream.on_message(
            lambda m: None if losing["on"] and isinstance(m, bytes) and b"room_closed" in m
            else ws.send(m))

    page = new_page()
    page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    join(page, server, "Aino Asiakas")
    sit_at(page, "Asuminen")
    lobby = join(new_page(), server, "Bertta Aulassa")
    losing["on"] = True
    assert host_call(server, "room:close", {"room": server.room_id("Asuminen")})["ok"]
    # The page still believes it sits at Asuminen; the server has it in the lobby.
    expect(lobby.locator(".people .person", has_text="Aino Asiakas")).to_be_attached()
    say(page, "Tämä oli pöydälle")
    expect(page.locator(".notice-item.error")).to_contain_text("another table")
    expect(page.get_by_label("Message to everyone at this table")).to_have_value(
        "Tämä oli pöydälle")
    say(lobby, "Aulan viesti")
    expect(lobby.locator(".chat-list .msg-text", has_text="Aulan viesti")).to_have_count(1)
    expect(lobby.locator(".chat-list .msg-text", has_text="Tämä oli pöydälle")).to_have_count(0)
