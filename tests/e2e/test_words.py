"""Errors in the reader's language, forgiving inputs, and raised hands on the stage
(issue 12), in real Chromium against the real server."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.pages import join, my_id, open_staff

FI_INVALID_EMAIL = ("Tämä ei näytä sähköpostiosoitteelta. "
                    "Kirjoita se muodossa nimi@esimerkki.fi.")


def test_the_finnish_join_form_says_what_is_wrong_in_finnish(server, new_page) -> None:
    """A bad email on the Finnish join form gets a Finnish sentence next to the email
    field, which is marked invalid and focused; a website without https:// is completed
    as the person leaves the field; the Interests hint gives interests."""
    page = new_page(locale="fi-FI", width=390, height=844)
    page.goto(server.event_url)
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    page.get_by_label("Nimi").fill("Aino Virtanen")
    email = page.get_by_label("Sähköposti")
    email.fill("aino.example.fi")
    website = page.get_by_label("Verkkosivu")
    website.fill("www.example.fi")
    website.press("Tab")
    expect(website).to_have_value("https://www.example.fi")
    expect(page.locator(".field-interests .hint")).to_contain_text("nuorisotyö")
    page.get_by_role("button", name="Astu messuille").click()

    error = page.locator(".field-email .field-error")
    expect(error).to_have_text(FI_INVALID_EMAIL)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    expect(email).to_have_accessible_description(re.compile("sähköpostiosoitteelta"))
    expect(page.locator("body")).not_to_contain_text("does not look like")
    page.screenshot(path="/tmp/words-join-fi-error.png", full_page=True)

    email.fill("aino@example.fi")
    page.get_by_role("button", name="Astu messuille").click()
    expect(page.locator("#conn")).to_have_attribute("data-conn", "connected")
    card = page.evaluate(
        "async () => (await (await fetch('/api/me', {headers: {Authorization: 'Bearer ' +"
        " localStorage.getItem('kohtaamo:token:messut')}})).json()).card")
    assert card["website"] == "https://www.example.fi"
    # the refused join is a 400 in the console; nothing else went wrong
    assert [e for e in page.js_errors if "status of 400" not in e] == []


def test_an_attendee_raises_a_hand_and_the_host_invites_or_dismisses(server, new_page) -> None:
    """Raise hand is a toggle on the stage; the host sees hands in order with their time,
    invites one (her hand goes down, she hears she may speak) and dismisses the other."""
    host = open_staff(new_page(), server, server.host_token)
    aino = join(new_page(), server, "Aino Virtanen")
    bashir = join(new_page(width=390, height=844), server, "Bashir Ali")

    expect(host.get_by_role("button", name="Raise hand")).to_have_count(0)  # hosts do not
    hands = host.locator(".hands")
    expect(hands).to_contain_text("No hands raised.")

    for page in (aino, bashir):
        button = page.get_by_role("button", name="Raise hand")
        expect(button).to_have_attribute("aria-pressed", "false")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button).to_be_focused()
        expect(page.locator(".call-status")).to_contain_text("Your hand is up")

    items = hands.locator(".hand-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Aino Virtanen")
    expect(items.nth(1)).to_contain_text("Bashir Ali")
    expect(items.nth(0)).to_contain_text(re.compile(r"raised at \d\d:\d\d"))
    expect(hands.locator(".hands-count")).to_have_text("2 hands raised")
    bashir.screenshot(path="/tmp/words-hand-phone.png")
    host.screenshot(path="/tmp/words-hands-host.png", full_page=True)

    host.get_by_role("button", name="Invite Aino Virtanen to speak").click()
    expect(items).to_have_count(1)
    expect(host.get_by_role("button", name="Invite Bashir Ali to speak")).to_be_focused()
    expect(aino.get_by_role("button", name="Raise hand")).to_have_attribute(
        "aria-pressed", "false")
    expect(aino.locator("body")).to_contain_text("You were invited to speak on the stage")

    host.get_by_role("button", name="Dismiss the raised hand of Bashir Ali").click()
    expect(items).to_have_count(0)
    expect(hands).to_contain_text("No hands raised.")
    expect(bashir.locator(".notices")).to_contain_text("A host lowered your hand.")
    expect(bashir.get_by_role("button", name="Raise hand")).to_have_attribute(
        "aria-pressed", "false")
    assert my_id(aino) not in [h["person"] for h in host.evaluate(
        "() => window.__kohtaamo.state.hands")]
    for page in (host, aino, bashir):
        assert page.js_errors == []


def test_leaving_the_stage_lowers_the_hand(server, new_page) -> None:
    """An attendee who sits down at a table loses her raised hand, and is told why."""
    host = open_staff(new_page(), server, server.host_token)
    aino = join(new_page(), server, "Aino Virtanen")
    aino.get_by_role("button", name="Raise hand").click()
    expect(host.locator(".hand-item")).to_have_count(1)
    aino.locator(".tables").get_by_role("button", name=re.compile(r"^Kulttuuri,")).click()
    expect(host.locator(".hand-item")).to_have_count(0)
    expect(aino.locator(".notices")).to_contain_text("you left the stage")
    expect(aino.get_by_role("button", name="Raise hand")).to_have_count(0)
