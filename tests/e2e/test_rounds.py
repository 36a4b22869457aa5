"""Networking rounds (issue 13) in real Chromium against the real server: the host
starts a series from the console, an attendee sees the round start, their group and
the warning, then asks a round-mate for a card from the end-of-round list."""

from __future__ import annotations

import os
import re

from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.pages import join, open_host_section, open_staff


def test_an_attendee_meets_a_group_and_asks_a_mate_for_a_card(server, new_page) -> None:
    """Round seated → group and one-minute warning shown → host ends the round → the
    mate is listed with Ask for card → the mate gets the request; stop asks first."""
    host = open_staff(new_page(), server, server.host_token)
    aino = join(new_page(), server, "Aino Virtanen",
                **{"Languages you speak": "fi, en", "Interests": "housing"})
    bashir = join(new_page(width=390, height=844), server, "Bashir Ali",
                  **{"Languages you speak": "en, so", "Interests": "housing, youth work"})

    panel = open_host_section(host, "Networking rounds")
    panel.get_by_label("Rounds").fill("2")
    panel.get_by_label("Minutes a round").fill("1")
    panel.get_by_label("People a group").fill("2")
    panel.get_by_role("button", name="Start rounds").click()
    expect(panel.locator(".rounds-status")).to_have_text("Round 1 of 2", timeout=10_000)

    rounds = aino.locator(".rounds-panel")
    expect(rounds).to_be_visible()
    expect(rounds.locator(".round-group")).to_contain_text("Bashir Ali")
    expect(rounds.locator(".rounds-warning")).to_have_text("One minute left in this round.")
    # the round's table is where Aino sits now, on both pages
    expect(aino.locator(".table-card[aria-current='location']")).to_contain_text("Round table 1")
    if os.environ.get("KOHTAAMO_SCREENSHOTS") == "1":  # the README's rounds pictures
        aino.screenshot(path=str(ROOT / "docs" / "screenshots" / "rounds.png"))
        bashir.screenshot(path=str(ROOT / "docs" / "screenshots" / "rounds-phone.png"))

    panel.get_by_role("button", name="End this round now").click()
    mates = rounds.locator(".round-mates")
    expect(mates).to_contain_text("You just met")
    ask = mates.get_by_role("button", name="Ask Bashir Ali for their card")
    ask.click()
    expect(ask).to_have_text("Asked")
    bell = bashir.get_by_role("button", name=re.compile(r"^Notifications, \d+ waiting"))
    expect(bell).to_be_visible()

    # stopping asks first, then everyone is back in the lobby
    expect(panel.get_by_role("button", name="Start the next round now")).to_be_visible()
    panel.get_by_role("button", name="Stop the rounds").click()
    host.get_by_role("dialog").get_by_role("button", name="Stop the rounds").click()
    expect(panel.get_by_role("button", name="Start rounds")).to_be_visible()
    expect(aino.locator(".table-card[aria-current='location']")).to_contain_text(
        server.lobby_title())
    assert aino.js_errors == [] and host.js_errors == []
