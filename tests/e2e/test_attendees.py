"""Two attendees join through the form, meet at a table, move and chat."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.pages import (
    join,
    my_id,
    person_action,
    person_row,
    say,
    sit_at,
    table_card,
)


def test_join_form_needs_a_name_and_says_who_sees_the_card(server, new_page) -> None:
    """An empty name is refused on the page; the privacy line is shown before joining."""
    page = new_page()
    page.goto(server.event_url)
    privacy = page.get_by_text("is shown only to people you agree to exchange cards with")
    expect(privacy.first).to_be_visible()
    page.get_by_role("button", name="Enter the fair").click()
    expect(page.locator(".field-name .field-error")).to_contain_text("name")
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")


def test_two_attendees_meet_see_each_other_move_and_chat(server, new_page) -> None:
    """A sits at a table, B follows through the people list; moves and chat reach the other."""
    a = join(new_page(), server, "Aino Virtanen", "Helsingin kaupunki")
    b = join(new_page(), server, "Bashir Ali", "Monika-Naiset")

    # Attendees see no staff controls.
    expect(a.get_by_role("button", name="Host console")).to_be_hidden()
    expect(a.get_by_role("tab", name="Moderation")).to_have_count(0)

    sit_at(a, "Työllisyys")
    expect(table_card(b, "Työllisyys")).to_have_accessible_name("Työllisyys, 1 / 4 seated")
    expect(person_row(b, "Aino Virtanen").locator(".person-where")).to_have_text("at Työllisyys")
    person_action(b, "Aino Virtanen", "Go to Työllisyys")
    expect(b.locator("#here-title")).to_have_text(re.compile("Työllisyys"))
    expect(a.locator(".here-people")).to_contain_text("Bashir Ali")
    expect(b.locator(".here-people")).to_contain_text("Aino Virtanen")

    # A moves with the arrow keys; B sees A's avatar move there.
    a_id = my_id(a)
    start = b.evaluate("id => window.__kohtaamo.state.here.occupants.get(id)", a_id)
    a.locator("#space").focus()
    for _ in range(3):
        a.keyboard.press("ArrowRight")
    b.wait_for_function(
        "([id, x]) => window.__kohtaamo.state.here.occupants.get(id).x > x + 50",
        arg=[a_id, start["x"]],
    )
    # And by clicking a point in the space.
    box = a.locator("#space").bounding_box()
    assert box is not None
    a.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8)
    b.wait_for_function(
        "id => { const o = window.__kohtaamo.state.here.occupants.get(id);"
        " return o.x < 300 && o.y > 700; }",
        arg=a_id,
    )

    # Chat, rendered as text: markup arrives as the characters typed.
    say(a, "Hei <b>kaikki</b>!")
    message = b.locator("#chat-log .msg").filter(has_text="Hei <b>kaikki</b>!")
    expect(message).to_be_visible()
    expect(message.locator("b")).to_have_count(0)
    expect(b.locator("#chat-log")).to_have_attribute("aria-live", "polite")
    say(b, "Moi Aino")
    expect(a.locator("#chat-log")).to_contain_text("Moi Aino")
    assert a.js_errors == [] and b.js_errors == []


def test_whisper_and_wave_reach_only_the_addressee(server, new_page) -> None:
    """A whisper shows for its addressee; a wave shows a notice."""
    a = join(new_page(), server, "Aino Virtanen")
    b = join(new_page(), server, "Bashir Ali")
    c = join(new_page(), server, "Cecilia Lind")
    person_action(a, "Bashir Ali", "Whisper")
    expect(a.get_by_label("Private message to Bashir Ali")).to_be_focused()
    a.get_by_label("Private message to Bashir Ali").fill("psst")
    a.get_by_label("Private message to Bashir Ali").press("Enter")
    expect(b.locator("#chat-log .msg.whisper")).to_contain_text("psst")
    person_action(a, "Cecilia Lind", "Wave")
    expect(c.locator(".notices")).to_contain_text("Aino Virtanen waved at you")
    expect(c.locator("#chat-log")).not_to_contain_text("psst")


def test_reload_keeps_you_in(server, new_page) -> None:
    """The token is kept per event, so a reload goes straight back to the fair."""
    a = join(new_page(), server, "Aino Virtanen")
    sit_at(a, "Asuminen")
    a.reload()
    expect(a.locator("#conn")).to_have_attribute("data-conn", "connected")
    expect(a.locator("#here-title")).to_have_text(re.compile("Asuminen"))


def test_a_dropped_connection_reconnects_and_keeps_the_table(server, new_page) -> None:
    """After a network drop the page reconnects by itself, at the same table."""
    a = join(new_page(), server, "Aino Virtanen")
    b = join(new_page(), server, "Bashir Ali")
    sit_at(a, "Asuminen")
    sit_at(b, "Asuminen")
    with a.expect_event("websocket"):
        a.evaluate("window.__kohtaamo.dropConnection()")
    expect(a.locator("#conn")).to_have_attribute("data-conn", "connected")
    expect(a.locator("#here-title")).to_have_text(re.compile("Asuminen"))
    expect(b.locator(".here-people")).to_contain_text("Aino Virtanen")
    say(a, "taas täällä")
    expect(b.locator("#chat-log")).to_contain_text("taas täällä")
