"""Hosts and moderators act from their panels; attendees see the effect."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e.pages import (
    choose_person,
    edit_table,
    join,
    open_host_section,
    open_staff,
    open_tab,
    say,
    sit_at,
)


def test_host_closes_the_table_and_both_land_in_the_lobby(server, new_page) -> None:
    """Closing a table moves its people to the lobby and tells them why."""
    host = open_staff(new_page(), server, server.host_token)
    a = join(new_page(), server, "Aino Virtanen")
    b = join(new_page(), server, "Bashir Ali")
    sit_at(a, "Työllisyys")
    sit_at(b, "Työllisyys")

    dialog = edit_table(host, "Työllisyys")
    dialog.get_by_role("button", name="Close the table").click()
    host.get_by_role("dialog", name="Close Työllisyys?").get_by_role(
        "button", name="Close the table").click()

    lobby = server.lobby_title()
    for page in (a, b):
        expect(page.locator("#here-title")).to_have_text(re.compile(re.escape(lobby)))
        expect(page.locator(".moved-note")).to_contain_text("The host closed that table")
        card = page.locator(".tables").get_by_role("button", name=re.compile(r"^Työllisyys,"))
        expect(card).to_have_accessible_name("Työllisyys, 0 / 4 seated, Closed")
    card = host.locator(".host-card", has_text="Työllisyys")
    expect(card.locator(".badge")).to_have_text("Closed")


def test_host_announces_and_sets_a_timer(server, new_page) -> None:
    """An announcement shows as a banner and the timer counts down for everyone."""
    host = open_staff(new_page(), server, server.host_token)
    a = join(new_page(), server, "Aino Virtanen")
    open_host_section(host, "Announcements and timer")
    host.get_by_label("Message to everyone", exact=True).fill("Kahvitauko alkaa!")
    host.get_by_role("button", name="Announce").click()
    expect(a.locator(".announcement")).to_contain_text("Kahvitauko alkaa!")
    host.get_by_label("Minutes", exact=True).fill("3")
    host.get_by_label("Label", exact=True).fill("Kierros 1")
    host.get_by_role("button", name="Start timer").click()
    expect(a.locator("#timer")).to_contain_text("Kierros 1")
    expect(a.locator("#timer .timer-clock")).to_have_text(re.compile(r"^0[23]:\d\d$"))


def test_moderator_mutes_and_the_chat_box_says_so(server, new_page) -> None:
    """A muted attendee cannot type, and the chat box explains why."""
    mod = open_staff(new_page(), server, server.moderator_token)
    a = join(new_page(), server, "Aino Virtanen")
    say(a, "ennen mykistystä")
    expect(a.locator("#chat-log")).to_contain_text("ennen mykistystä")

    open_tab(mod, "Moderation")
    # moderators are not hosts
    expect(mod.get_by_role("button", name="Host console")).to_be_hidden()
    choose_person(mod, "Aino Virtanen")
    mod.get_by_label("For").select_option(label="15 minutes")
    mod.get_by_role("button", name="Mute", exact=True).click()

    expect(a.locator(".muted-note")).to_contain_text("muted you")
    expect(a.get_by_label("Message to everyone at this table")).to_be_disabled()

    mod.get_by_role("button", name="Unmute").click()
    expect(a.get_by_label("Message to everyone at this table")).to_be_enabled()


def test_moderator_kicks_and_the_page_shows_removed_without_reconnecting(server, new_page) -> None:
    """A kicked page says it was removed, with the reason, and opens no new socket."""
    mod = open_staff(new_page(), server, server.moderator_token)
    a = join(new_page(), server, "Aino Virtanen")

    open_tab(mod, "Moderation")
    choose_person(mod, "Aino Virtanen")
    mod.get_by_label("Reason (shown to the person)").fill("Mainostus")
    mod.get_by_role("button", name="Remove", exact=True).click()
    mod.get_by_role("dialog").get_by_role("button", name="Remove", exact=True).click()

    ending = a.locator("main.ending")
    expect(ending).to_contain_text("A moderator removed you")
    expect(ending).to_contain_text("Mainostus")
    expect(ending).to_contain_text("Your link still works")
    # No new WebSocket within several reconnection delays.
    with pytest.raises(PlaywrightError):
        a.wait_for_event("websocket", timeout=4000)
    # A reload says the same instead of quietly coming back; the button rejoins.
    a.reload()
    expect(a.locator("main.ending")).to_contain_text("A moderator removed you")
    expect(a.locator("#conn")).to_have_count(0)
    a.get_by_role("button", name="Join again").click()
    expect(a.locator("#conn")).to_have_attribute("data-conn", "connected")


def test_second_tab_replaces_the_first(server, new_page) -> None:
    """Opening the same person in another tab ends the older one with a clear message."""
    first = join(new_page(), server, "Aino Virtanen")
    second = first.context.new_page()
    second.goto(server.event_url)
    expect(second.locator("#conn")).to_have_attribute("data-conn", "connected")
    expect(first.locator("#conn")).to_have_attribute("data-conn", "replaced")
    expect(first.locator(".ended")).to_contain_text("another tab")
    with pytest.raises(PlaywrightError):
        first.wait_for_event("websocket", timeout=3000)


def test_moderator_bans_then_lifts_the_ban(server, new_page) -> None:
    """A ban lists the person under Banned; lifting it lets their page join again on reload."""
    mod = open_staff(new_page(), server, server.moderator_token)
    a = join(new_page(), server, "Bashir Ali")

    open_tab(mod, "Moderation")
    choose_person(mod, "Bashir Ali")
    mod.get_by_label("Reason (shown to the person)").fill("Häiriköinti")
    mod.get_by_label("Also ban (they cannot come back)").check()
    mod.get_by_role("button", name="Remove", exact=True).click()
    mod.get_by_role("dialog").get_by_role("button", name="Remove and ban").click()
    # One clear page, which still lets the person take or erase their data.
    banned = a.locator("main.ending")
    expect(banned).to_contain_text("You cannot return to this event")
    expect(banned.get_by_role("button", name="Download my data")).to_be_visible()
    expect(banned.get_by_role("button", name="Erase my data…")).to_be_visible()
    with a.expect_download() as info:
        banned.get_by_role("button", name="Download my data").click()
    assert info.value.suggested_filename == "kohtaamo-my-data.json"
    a.reload()
    expect(a.locator("main.ending")).to_contain_text("You cannot return to this event")

    bans = mod.locator(".bans")
    expect(bans).to_contain_text("Bashir Ali")
    expect(bans).to_contain_text("Häiriköinti")
    mod.get_by_role("button", name="Lift the ban on Bashir Ali").click()
    expect(bans).to_contain_text("Nobody is banned.")

    a.reload()
    a.get_by_role("button", name="Join again").click()
    expect(a.locator("#conn")).to_have_attribute("data-conn", "connected")
