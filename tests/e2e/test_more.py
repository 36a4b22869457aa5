"""Join codes, reports to moderators, the organizer's views, erasing, languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e.pages import (
    edit_table,
    join,
    open_host_section,
    open_staff,
    open_tab,
    person_action,
    wait_connected,
)


@pytest.mark.join_code("sesam")
def test_wrong_join_code_says_so_and_the_right_one_lets_you_in(server, new_page) -> None:
    """A wrong code gets a plain message next to the form; the right code joins."""
    page = new_page()
    page.goto(server.event_url)
    page.get_by_label("Name").fill("Aino Virtanen")
    page.get_by_label("Join code").fill("avaa")
    page.get_by_role("button", name="Enter the fair").click()
    expect(page.get_by_role("alert")).to_contain_text("That join code is not right")
    expect(page.get_by_label("Join code")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Join code").fill("sesam")
    page.get_by_role("button", name="Enter the fair").click()
    wait_connected(page)


def test_flag_reaches_the_moderators_queue(server, new_page) -> None:
    """An attendee's report shows up live in the moderator's queue."""
    mod = open_staff(new_page(), server, server.moderator_token)
    open_tab(mod, "Moderation")
    expect(mod.locator("#panel-moderation")).to_contain_text("No open reports")
    a = join(new_page(), server, "Aino Virtanen")
    join(new_page(), server, "Bashir Ali")
    person_action(a, "Bashir Ali", "Report to moderators")
    dialog = a.get_by_role("dialog")
    dialog.get_by_label("What happened?").fill("Lähettää mainoksia kaikille")
    dialog.get_by_role("button", name="Send report").click()
    expect(a.locator(".notices")).to_contain_text("The moderators were told")
    flag = mod.locator(".flags .flag")
    expect(flag).to_contain_text("Bashir Ali")
    expect(flag).to_contain_text("Lähettää mainoksia kaikille")
    flag.get_by_role("button", name="Choose this person").click()
    selected = mod.get_by_label("Person", exact=True).evaluate("s => s.selectedOptions[0].text")
    assert selected.startswith("Bashir Ali")


def test_host_reads_the_report_and_the_moderation_log(server, new_page) -> None:
    """The report shows counts, and a host action appears in the moderation log."""
    join(new_page(), server, "Aino Virtanen")
    host = open_staff(new_page(), server, server.host_token)
    dialog = edit_table(host, "Kulttuuri")
    dialog.get_by_role("button", name="Close the table").click()
    host.get_by_role("dialog", name="Close Kulttuuri?").get_by_role(
        "button", name="Close the table").click()
    expect(host.locator(".host-card", has_text="Kulttuuri").locator(".badge")).to_have_text(
        "Closed")
    panel = open_host_section(host, "Report")
    report = panel.locator(".report")
    expect(report).to_contain_text("Attendees")
    expect(report.locator(".stats dd").first).to_have_text("1")
    expect(report.locator("table").first).to_contain_text("Työllisyys")
    log = open_host_section(host, "Reports and log").locator(".modlog")
    expect(log).to_contain_text(re.compile(r"Table .*Kulttuuri.* closed by .*Hanna Host.* at"))


def test_erase_my_data_signs_out_and_forgets_the_token(server, new_page) -> None:
    """Erasing asks first, then returns to the join page; a reload stays there."""
    a = join(new_page(), server, "Aino Virtanen")
    b = join(new_page(), server, "Bashir Ali")
    a.get_by_role("button", name="My card").click()
    a.get_by_role("button", name="Erase my data…").click()
    confirm = a.get_by_role("dialog", name="Erase your data?")
    confirm.get_by_role("button", name="Erase and leave").click()
    expect(a.get_by_text("Your data was erased")).to_be_visible()
    expect(a.get_by_role("button", name="Enter the fair")).to_be_visible()
    a.reload()
    expect(a.get_by_role("button", name="Enter the fair")).to_be_visible()
    expect(b.locator(".people")).not_to_contain_text("Aino Virtanen")


def test_language_switch_keeps_the_connection(server, new_page) -> None:
    """Switching to Swedish relabels everything without reconnecting; the choice is kept."""
    a = join(new_page(), server, "Aino Virtanen")
    a.get_by_label("Language", exact=True).select_option("sv")
    expect(a.get_by_role("heading", name="Bord", exact=True)).to_be_visible()
    expect(a.locator("#conn")).to_have_text("Ansluten")
    assert a.evaluate("document.documentElement.lang") == "sv"
    with pytest.raises(PlaywrightError):
        a.wait_for_event("websocket", timeout=1500)
    a.reload()
    expect(a.get_by_role("heading", name="Bord", exact=True)).to_be_visible()
    a.get_by_label("Språk", exact=True).select_option("fi")
    expect(a.get_by_role("heading", name="Pöydät", exact=True)).to_be_visible()
