"""A space that holds a crowd (issue 12): 90 people in the lobby stay legible, the
space zooms, and a busy table's card shows some faces and "+N" beside its count.

The crowd is real: people joined over HTTP and connected with python-socketio
clients on an event loop of their own thread (Playwright's sync API keeps this
thread's loop busy). `KOHTAAMO_CROWD_SHOTS=/some/dir` also saves screenshots.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from typing import Any

import aiohttp
import socketio
from playwright.sync_api import Page, expect

from tests.e2e.pages import join, table_card
from tests.e2e.test_restart import host_call

SHOTS = os.environ.get("KOHTAAMO_CROWD_SHOTS")

#: Centres and diameters of every avatar disc as drawn, in page pixels.
DISCS = """() => [...document.querySelectorAll('#space .avatar .disc')].map(d => {
  const r = d.getBoundingClientRect();
  return {x: r.left + r.width / 2, y: r.top + r.height / 2, d: r.width};
})"""

#: How many discs are drawn and the closest pair's distance (with the two discs).
CLOSEST = f"""() => {{
  const discs = ({DISCS})();
  let best = [Infinity];
  for (let i = 0; i < discs.length; i++)
    for (let j = i + 1; j < discs.length; j++) {{
      const d = Math.hypot(discs[i].x - discs[j].x, discs[i].y - discs[j].y);
      if (d < best[0]) best = [d, discs[i], discs[j]];
    }}
  return {{count: discs.length, closest: best}};
}}"""

#: True once n avatars are drawn with no two closer than a diameter (half a pixel of rounding).
APART = f"""(n) => {{
  const seen = ({CLOSEST})();
  return seen.count === n && (n < 2 || seen.closest[0] >= seen.closest[1].d - 0.5);
}}"""


def wait_apart(page: Page, n: int, timeout: float = 15_000) -> None:
    """Wait until n avatars are drawn, no two closer than a diameter; say what was seen if not."""
    try:
        page.wait_for_function(APART, arg=n, timeout=timeout)
    except Exception as exc:
        shoot(page, "not-apart")
        raise AssertionError(f"avatars not apart: {page.evaluate(CLOSEST)}") from exc


#: Visible name labels that stick out of the space's window (none should).
CLIPPED_NAMES = """() => {
  const v = document.querySelector('.space-view').getBoundingClientRect();
  return [...document.querySelectorAll('#space .avatar .name')]
    .filter(n => getComputedStyle(n).visibility === 'visible')
    .map(n => [n.textContent, n.getBoundingClientRect()])
    .filter(([, r]) => r.left < v.left || r.right > v.right || r.top < v.top || r.bottom > v.bottom)
    .map(([text]) => text);
}"""

VISIBLE_NAMES = """() => [...document.querySelectorAll('#space .avatar .name')]
  .filter(n => getComputedStyle(n).visibility === 'visible').length"""


class Crowd:
    """People joined over HTTP and connected with python-socketio, kept on a loop
    in a thread of their own until `close`."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.clients: list[socketio.AsyncClient] = []
        self.sessions: list[aiohttp.ClientSession] = []
        self.ids: list[str] = []

    def run(self, coro: Any, timeout: float = 90) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def add(self, names: list[str]) -> None:
        self.run(self._add(names))

    async def _add(self, names: list[str]) -> None:
        url = f"{self.server.url}/api/events/{self.server.slug}/join"
        tokens = []
        async with aiohttp.ClientSession() as http:
            for name in names:
                async with http.post(url, json={"name": name}) as res:
                    assert res.status == 201, await res.text()
                    body = await res.json()
                tokens.append(body["token"])
                self.ids.append(body["person"]["id"])

        async def connect(token: str, i: int) -> socketio.AsyncClient:
            # 40 from each loopback address: the server caps connections per address
            source = f"127.0.0.{2 + i // 40}"
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0)))
            self.sessions.append(session)
            client = socketio.AsyncClient(serializer="msgpack", reconnection=False,
                                          http_session=session)
            welcomed = asyncio.Event()
            client.on("welcome", lambda _data: welcomed.set())
            await client.connect(self.server.url, auth={"token": token},
                                 transports=["websocket"], wait_timeout=10)
            await asyncio.wait_for(welcomed.wait(), 10)
            return client

        done = len(self.clients)
        for start in range(0, len(tokens), 10):
            batch = tokens[start:start + 10]
            self.clients += await asyncio.gather(
                *(connect(t, done + start + k) for k, t in enumerate(batch)))

    def enter(self, indexes: range, room: str) -> None:
        async def go() -> None:
            for i in indexes:
                ack = await self.clients[i].call("enter", {"room": room}, timeout=5)
                assert ack["ok"], ack
        self.run(go())

    def close(self) -> None:
        async def stop() -> None:
            await asyncio.gather(*(c.disconnect() for c in self.clients if c.connected))
            await asyncio.gather(*(s.close() for s in self.sessions))
        async def settle() -> None:
            rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)
            await self.loop.shutdown_asyncgens()
        try:
            self.run(stop(), timeout=30)
        finally:
            self.run(settle(), timeout=10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            self.loop.close()


FIRST = ["Aino", "Bashir", "Carita", "Dang", "Eero", "Fatima", "Gunnar", "Hanna", "Ilkka",
         "Jasmin", "Kalle", "Leena", "Mohamed", "Noora", "Olli", "Pia", "Rasmus", "Sanni"]
LAST = ["Virtanen", "Ali", "Lindqvist", "Nguyen", "Korhonen", "Berg"]


def names(n: int) -> list[str]:
    return [f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}" for i in range(n)]


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """Do two bounding boxes share any area?"""
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def test_ninety_people_in_the_lobby_stay_legible_and_the_space_zooms(server, new_page) -> None:
    """89 people connected plus one page: no two avatars drawn closer than a
    diameter, only some names shown (a hovered one too), zoom in and back."""
    crowd = Crowd(server)
    try:
        crowd.add(names(89))
        page = join(new_page(1366, 768), server, "Zoë Zetterberg")
        wait_apart(page, 90)
        shown = page.evaluate(VISIBLE_NAMES)
        assert 1 <= shown <= 12, f"{shown} names visible in a crowd of 90"
        expect(page.locator("#space .avatar.me .name")).to_be_visible()
        assert page.evaluate(CLIPPED_NAMES) == []
        shoot(page, "crowd-1366")

        # Hovering someone whose name is hidden shows it.
        hidden = page.locator("#space .avatar:not(.labelled):not(.me)").first
        hidden.locator(".disc").hover()
        expect(hidden.locator(".name")).to_be_visible()

        # Zoom in from the keyboard: the level says so, avatars grow, the view scrolls.
        before = page.evaluate(DISCS)[0]["d"]
        zoom_in = page.get_by_role("button", name="Zoom in")
        zoom_in.focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        expect(page.locator(".zoom-level")).to_have_text("200 %")
        expect(zoom_in).to_be_focused()
        page.wait_for_function(
            "d => document.querySelector('#space .avatar .disc')"
            ".getBoundingClientRect().width > d * 1.4", arg=before)
        assert page.evaluate(
            "() => { const v = document.querySelector('.space-view');"
            " return v.scrollWidth > v.clientWidth * 1.5; }")
        wait_apart(page, 90)
        # my avatar is in view
        me = page.locator("#space .avatar.me .disc").bounding_box()
        view = page.locator(".space-view").bounding_box()
        assert me is not None and view is not None
        assert view["x"] <= me["x"] and me["x"] + me["width"] <= view["x"] + view["width"]
        shoot(page, "crowd-1366-zoomed")
        # 0 in the space shows the whole room again; the minus button is disabled there.
        page.locator("#space").focus()
        page.keyboard.press("0")
        expect(page.locator(".zoom-level")).to_have_text("100 %")
        zoom_out = page.get_by_role("button", name="Zoom out")
        expect(zoom_out).to_have_attribute("aria-disabled", "true")

        # Ctrl+wheel over the space zooms in around the pointer, and out again.
        view_box = page.locator(".space-view").bounding_box()
        assert view_box is not None
        page.mouse.move(view_box["x"] + view_box["width"] / 2,
                        view_box["y"] + view_box["height"] / 2)
        page.keyboard.down("Control")
        page.mouse.wheel(0, -100)
        expect(page.locator(".zoom-level")).to_have_text("150 %")
        page.mouse.wheel(0, 100)
        page.keyboard.up("Control")
        expect(page.locator(".zoom-level")).to_have_text("100 %")

        # Walked into a corner, my name and my neighbours' stay inside the space.
        for keys in ("Shift+ArrowLeft", "Shift+ArrowUp"):
            for _ in range(8):
                page.keyboard.press(keys)
        # (near the corner: someone standing in it nudges me aside, rooms/spacing.py)
        page.wait_for_function(
            "() => { const s = window.__kohtaamo.state;"
            " const o = s.here.occupants.get(s.me.id); return o.x < 250 && o.y < 250; }")
        wait_apart(page, 90)
        expect(page.locator("#space .avatar.me .name")).to_be_visible()
        assert page.evaluate(CLIPPED_NAMES) == []

        # A phone sees the same crowd apart, too.
        phone = join(new_page(390, 844), server, "Pekka Puhelin")
        wait_apart(phone, 91)
        assert phone.evaluate(VISIBLE_NAMES) <= 12
        assert phone.evaluate(CLIPPED_NAMES) == []
        shoot(phone, "crowd-390")
    finally:
        crowd.close()


def test_a_busy_table_card_shows_some_faces_then_plus_n_beside_its_count(server, new_page) -> None:
    """Ten people at a table of twelve: five faces and "+5", the seat count
    uncovered, two free seats shown; Enter on the card sits you there."""
    room = server.room_id("Kulttuuri")
    ack = host_call(server, "room:update", {"room": room, "capacity": 12})
    assert ack["ok"], ack
    crowd = Crowd(server)
    try:
        crowd.add(names(10))
        crowd.enter(range(10), room)
        page = join(new_page(1366, 768), server, "Zoë Zetterberg")
        card = table_card(page, "Kulttuuri")
        expect(card).to_have_accessible_name(re.compile(r"^Kulttuuri, 10 / 12 seated"))
        expect(card.locator(".face:not(.more):not(.seat-free)")).to_have_count(5)
        expect(card.locator(".face.more")).to_have_text("+5")
        expect(card.locator(".free")).to_have_text("2 seats free")
        expect(card.locator(".face.seat-free")).to_have_count(2)
        seats = card.locator(".seats")
        expect(seats).to_be_visible()
        seat_box = seats.bounding_box()
        card_box = card.bounding_box()
        assert seat_box is not None and card_box is not None
        assert seat_box["x"] + seat_box["width"] <= card_box["x"] + card_box["width"]
        for face in card.locator(".face").all():
            f = face.bounding_box()
            assert f is not None
            assert not overlap(f, seat_box), "a face covers the seat count"
            assert f["x"] + f["width"] <= card_box["x"] + card_box["width"]
        card.scroll_into_view_if_needed()
        shoot(page, "table-card")
        card.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#here-title")).to_have_text(re.compile("Kulttuuri"))
        expect(card.locator(".face.more")).to_have_text("+6")
    finally:
        crowd.close()


def touch(cdp: Any, kind: str, points: list[tuple[float, float]]) -> None:
    """One touch event of the page's (emulated) touch screen, through the DevTools protocol."""
    cdp.send("Input.dispatchTouchEvent", {
        "type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)],
    })


def test_on_a_touch_screen_pinch_zooms_one_finger_pans_and_a_tap_walks(server, new_page) -> None:
    """A phone: two fingers spread zoom in, one finger drags the zoomed view, a tap walks there."""
    page = join(new_page(390, 844), server, "Pekka Puhelin")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    view = page.locator(".space-view")
    view.scroll_into_view_if_needed()
    box = view.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    touch(cdp, "touchStart", [(cx - 20, cy), (cx + 20, cy)])
    for step in range(1, 9):
        touch(cdp, "touchMove", [(cx - 20 - step * 10, cy), (cx + 20 + step * 10, cy)])
    touch(cdp, "touchEnd", [])
    expect(page.locator(".zoom-level")).not_to_have_text("100 %")
    left = view.evaluate("v => v.scrollLeft")
    touch(cdp, "touchStart", [(cx, cy)])
    for step in range(1, 6):
        touch(cdp, "touchMove", [(cx + step * 12, cy)])
    touch(cdp, "touchEnd", [])
    page.wait_for_function("l => document.querySelector('.space-view').scrollLeft < l - 30",
                           arg=left)
    before = page.evaluate("() => { const s = window.__kohtaamo.state;"
                           " return s.here.occupants.get(s.me.id); }")
    touch(cdp, "touchStart", [(box["x"] + 30, box["y"] + 30)])
    touch(cdp, "touchEnd", [])
    page.wait_for_function(
        "b => { const s = window.__kohtaamo.state; const o = s.here.occupants.get(s.me.id);"
        " return Math.hypot(o.x - b.x, o.y - b.y) > 50; }", arg=before)
