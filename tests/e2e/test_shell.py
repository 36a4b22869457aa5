"""The venue-first layout (issue 12): the floor, your table and its chat on one
laptop screen; one view at a time behind a bottom bar on a phone; nothing
actionable disappears (the notification centre); whisper threads; clear endings
for a removed or banned person."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.pages import join, person_action, say, sit_at, table_card
from tests.e2e.test_accessibility import axe_violations

SHOTS = Path(os.environ.get("KOHTAAMO_SHELL_SHOTS", "/tmp/shots"))
FITS = "document.scrollingElement.scrollHeight <= window.innerHeight"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_laptop_shows_the_floor_the_table_and_its_chat_on_one_screen(server, new_page) -> None:
    """At 1366x768 the tables and your table's chat are in view and the page does not scroll."""
    others = [join(new_page(), server, n) for n in ("Bashir Ali", "Cecilia Lind", "Duc Nguyen")]
    sit_at(others[0], "Työllisyys")
    page = join(new_page(width=1366, height=768, bypass_csp=True), server, "Aino Virtanen")
    sit_at(page, "Työllisyys")
    say(others[0], "Tervetuloa pöytään!")
    expect(page.locator("#chat-log")).to_contain_text("Tervetuloa")
    for title in ("Työllisyys", "Asuminen", "Kulttuuri"):
        expect(table_card(page, title)).to_be_in_viewport()
    expect(page.locator("#chat-log")).to_be_in_viewport()
    expect(page.get_by_label("Message to everyone at this table")).to_be_in_viewport()
    expect(page.locator("#space")).to_be_in_viewport()
    assert page.evaluate(FITS)
    shot(page, "laptop")
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_phone_views_fit_the_screen_and_a_table_tap_opens_the_table(server, new_page) -> None:
    """At 390x844 each bottom-bar view fits the screen; tapping a table shows the Table view."""
    other = join(new_page(), server, "Bashir Ali")
    page = join(new_page(width=390, height=844, bypass_csp=True), server, "Aino Virtanen")
    bar = page.get_by_role("navigation", name="Views")
    bar.get_by_role("button", name="Floor").click()
    expect(table_card(page, "Asuminen")).to_be_visible()
    table_card(page, "Asuminen").click()
    expect(page.locator("#here-title")).to_have_text(re.compile("Asuminen"))
    expect(page.locator("#space")).to_be_in_viewport()
    expect(bar.get_by_role("button", name="Table")).to_have_attribute("aria-current", "page")
    sit_at(other, "Asuminen")
    say(other, "Hei puhelimeen")
    expect(bar.get_by_role("button", name=re.compile(r"^Chat \(1 unread"))).to_be_visible()
    for view in ("Floor", "Table", "Chat", "People", "Cards"):
        button = bar.get_by_role("button", name=re.compile(rf"^{view}"))
        button.click()
        expect(button).to_have_attribute("aria-current", "page")
        assert page.evaluate(FITS), view
        shot(page, f"phone-{view.lower()}")
        assert axe_violations(page) == [], view
    expect(bar.get_by_role("button", name="Chat", exact=True)).to_be_visible()  # read: no badge
    assert page.js_errors == []


def test_card_request_badge_accept_from_the_notification_centre(server, new_page) -> None:
    """A request shows on the bell; Accept there gives one toast and keeps focus off body."""
    a = join(new_page(), server, "Aino Virtanen")
    b = join(new_page(width=1366, height=768, bypass_csp=True), server, "Bashir Ali")
    person_action(a, "Bashir Ali", "Ask for card")
    expect(a.locator(":focus")).not_to_have_count(0)
    assert a.evaluate("document.activeElement !== document.body")
    bell = b.get_by_role("button", name=re.compile(r"^Notifications, 1 waiting"))
    expect(bell).to_be_visible()
    bell.click()
    centre = b.locator(".notice-centre")
    expect(centre).to_contain_text("Aino Virtanen asks to exchange cards")
    shot(b, "notifications")
    assert axe_violations(b) == []
    centre.get_by_role("button", name="Accept card exchange with Aino Virtanen").click()
    expect(b.locator(".notice-item")).to_have_count(1)
    expect(b.locator(".notice-item")).to_contain_text("exchanged cards with Aino Virtanen")
    assert b.evaluate("document.activeElement !== document.body")
    expect(b.get_by_role("button", name="Notifications", exact=True)).to_be_visible()
    expect(b.locator(".notice-item")).to_have_count(1)  # no second toast arrives later


def test_whisper_reply_thread_survives_a_language_switch(server, new_page) -> None:
    """A received whisper has Reply (in the chat and the bell); the thread, and a
    half-typed whisper, survive a language switch; Esc leaves whisper mode."""
    a = join(new_page(), server, "Aino Virtanen")
    b = join(new_page(), server, "Bashir Ali")
    person_action(a, "Bashir Ali", "Whisper")
    a.get_by_label("Private message to Bashir Ali").fill("psst")
    a.get_by_label("Private message to Bashir Ali").press("Enter")
    expect(b.locator("#chat-log .msg.whisper")).to_contain_text("psst")
    b.get_by_role("button", name=re.compile(r"^Notifications, 1 waiting")).click()
    b.locator(".notice-centre").get_by_role("button", name="Reply to Aino Virtanen").click()
    box = b.get_by_label("Private message to Aino Virtanen")
    expect(box).to_be_focused()
    expect(b.get_by_role("heading", name="Private with Aino Virtanen")).to_be_visible()
    box.fill("puoliksi kirjoitettu")
    b.get_by_label("Language", exact=True).select_option("fi")
    box = b.get_by_label("Yksityisviesti: Aino Virtanen")
    expect(box).to_have_value("puoliksi kirjoitettu")
    box.press("Escape")
    expect(b.get_by_label("Viesti kaikille tässä pöydässä")).to_have_value("puoliksi kirjoitettu")
    b.get_by_role("button", name="Aino Virtanen", exact=True).click()
    expect(b.locator("#chat-log")).to_contain_text("psst")
    assert a.js_errors == [] and b.js_errors == []
