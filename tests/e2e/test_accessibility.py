"""axe-core finds no serious or critical problem on the join page and the floor;
the floor is usable by keyboard alone. Also writes the README screenshots when
KOHTAAMO_SCREENSHOTS=1."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import AXE, ROOT
from tests.e2e.pages import (
    join,
    open_host_section,
    open_staff,
    open_tab,
    say,
    sit_at,
    wait_connected,
)

SHOTS = ROOT / "docs" / "screenshots"


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    for v in bad:
        print("axe:", v)
    return bad


def shoot(page: Page, name: str, tmp_path: Path) -> None:
    """Save a screenshot to the test's folder, and to docs/ when asked to."""
    page.screenshot(path=str(tmp_path / f"{name}.png"))
    if os.environ.get("KOHTAAMO_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_join_page_has_no_serious_axe_violations(server, new_page, tmp_path) -> None:
    """The join page passes axe (serious and critical) in each language."""
    page = new_page(bypass_csp=True)
    page.goto(server.event_url)
    expect(page.get_by_role("button", name="Enter the fair")).to_be_visible()
    shoot(page, "join", tmp_path)
    assert axe_violations(page) == []
    page.get_by_label("Language", exact=True).select_option("fi")
    expect(page.get_by_role("button", name="Astu messuille")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "fi"
    assert axe_violations(page) == []


def test_floor_has_no_serious_axe_violations(server, new_page, tmp_path) -> None:
    """The floor, with people, chat and a timer, passes axe."""
    people = [
        ("Bashir Ali", "Monika-Naiset"),
        ("Cecilia Lind", "Vantaan kaupunki"),
        ("Duc Nguyen", "Startup Oy"),
    ]
    others = [join(new_page(), server, n, o) for n, o in people]
    sit_at(others[0], "Työllisyys")
    sit_at(others[1], "Työllisyys")
    page = join(new_page(bypass_csp=True), server, "Aino Virtanen", "Helsingin kaupunki")
    sit_at(page, "Työllisyys")
    say(others[0], "Tervetuloa pöytään! Mistä olet kotoisin?")
    expect(page.locator("#chat-log")).to_contain_text("Tervetuloa")
    say(page, "Kiitos! Helsingistä, työllisyyspalveluista.")
    expect(page.locator("#chat-log")).to_contain_text("Kiitos")
    page.mouse.move(0, 0)
    shoot(page, "floor", tmp_path)
    assert axe_violations(page) == []


def test_floor_by_keyboard_alone(server, new_page) -> None:
    """Skip link to the tables, Tab to a table card, Enter sits down."""
    page = join(new_page(), server, "Aino Virtanen")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to your table")).to_be_focused()
    page.get_by_role("link", name="Skip to the tables").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#floor")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("Tab")  # lobby, then the first two tables
    expect(page.locator(":focus")).to_have_accessible_name(re.compile(r"^Asuminen, 0 / 4 seated$"))
    page.keyboard.press("Enter")
    expect(page.locator("#here-title")).to_have_text(re.compile("Asuminen"))


def test_host_panel_screenshot(server, new_page, tmp_path) -> None:
    """The host console renders for a host (and the screenshot for the README)."""
    for n in ("Bashir Ali", "Cecilia Lind"):
        join(new_page(), server, n)
    host = open_staff(new_page(height=1100, bypass_csp=True), server, server.host_token)
    open_tab(host, "Host")
    expect(host.locator(".host-card", has_text="Työllisyys")).to_contain_text("4 seats")
    panel = open_host_section(host, "Announcements and timer")
    panel.get_by_label("Minutes", exact=True).fill("10")
    panel.get_by_label("Label", exact=True).fill("Kierros 1")
    panel.get_by_role("button", name="Start timer").click()
    expect(host.locator("#timer")).to_contain_text("Kierros 1")
    open_host_section(host, "Tables")
    wait_connected(host)
    host.mouse.move(0, 0)
    shoot(host, "host-panel", tmp_path)
    assert axe_violations(host) == []
