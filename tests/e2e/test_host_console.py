"""The host console (issue 12): tables edited in a dialog with titles per language,
closing confirmed, the report's charts with their text, reports resolved, the log
read as sentences; axe finds nothing serious on any section, at 1366x768 and 390x844."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.pages import (
    edit_table,
    join,
    open_host_section,
    open_staff,
    open_tab,
    person_action,
    sit_at,
    table_card,
)
from tests.e2e.test_accessibility import axe_violations, shoot

SECTIONS = ("Tables", "Stage and speakers", "Announcements and timer", "Recall", "Report",
            "Reports and log")


def test_host_edits_a_tables_titles_and_each_reader_sees_their_language(
        server, new_page) -> None:
    """Titles and themes typed in fi/sv/en in the Edit dialog reach every page, each
    in its reader's language; focus returns to the Edit button."""
    host = open_staff(new_page(), server, server.host_token)
    reader = join(new_page(), server, "Aino Virtanen")
    dialog = edit_table(host, "Työllisyys")
    titles = dialog.get_by_role("group", name="Title in each language")
    expect(titles.get_by_label("Suomi")).to_have_value("Työllisyys")
    titles.get_by_label("Svenska").fill("Sysselsättning")
    titles.get_by_label("English").fill("Employment")
    themes = dialog.get_by_role("group", name="Theme in each language")
    themes.get_by_label("English").fill("Jobs and your own company")
    dialog.get_by_label("Seats").fill("6")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    expect(host.locator(":focus")).to_have_accessible_name(re.compile(r"^Edit .*Employment"))
    card = host.locator(".host-card", has_text="Employment")
    expect(card).to_contain_text("Jobs and your own company")
    expect(card).to_contain_text("6 seats")

    # The attendee reads English; switching to Swedish and Finnish relabels the floor.
    expect(table_card(reader, "Employment")).to_be_visible()
    expect(reader.locator(".tables")).to_contain_text("Jobs and your own company")
    reader.get_by_label("Language", exact=True).select_option("sv")
    expect(table_card(reader, "Sysselsättning")).to_be_visible()
    reader.get_by_label("Språk", exact=True).select_option("fi")
    expect(table_card(reader, "Työllisyys")).to_be_visible()
    # No Swedish theme: the Finnish reader sees the Finnish one, the lobby is the Aula.
    expect(reader.locator(".tables")).to_contain_text("Employment and entrepreneurship")
    expect(reader.locator(".tables")).to_contain_text("Aula")
    expect(reader.locator(".tables")).not_to_contain_text("Lobby")


def test_adding_a_table_needs_a_title_in_some_language(server, new_page) -> None:
    """Add table refuses an empty title in the dialog, then creates the table."""
    host = open_staff(new_page(), server, server.host_token)
    panel = open_host_section(host, "Tables")
    panel.get_by_role("button", name="Add table").click()
    dialog = host.get_by_role("dialog", name="Add table")
    dialog.get_by_role("button", name="Create table").click()
    expect(dialog.get_by_role("alert")).to_have_text("Write a title in at least one language.")
    dialog.get_by_role("group", name="Title in each language").get_by_label("English").fill(
        "Open space")
    dialog.get_by_role("button", name="Create table").click()
    expect(dialog).to_have_count(0)
    expect(panel.locator(".host-card", has_text="Open space")).to_have_count(1)


def test_closing_a_table_asks_first_and_cancel_keeps_it_open(server, new_page) -> None:
    """Close sits apart from Save and asks; Cancel changes nothing, confirming closes."""
    host = open_staff(new_page(), server, server.host_token)
    a = join(new_page(), server, "Aino Virtanen")
    sit_at(a, "Asuminen")
    dialog = edit_table(host, "Asuminen")
    zone = dialog.locator(".danger-zone")
    expect(zone).to_contain_text("moves everyone at the table to the lobby")
    zone.get_by_role("button", name="Close the table").click()
    confirm = host.get_by_role("dialog", name="Close Asuminen?")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    card = host.locator(".host-card", has_text="Asuminen")
    expect(card.locator(".badge")).to_have_text("Open")
    zone.get_by_role("button", name="Close the table").click()
    host.get_by_role("dialog", name="Close Asuminen?").get_by_role(
        "button", name="Close the table").click()
    expect(dialog).to_have_count(0)
    expect(card.locator(".badge")).to_have_text("Closed")
    expect(a.locator("#here-title")).to_have_text(re.compile(server.lobby_title()))
    # Opening again is in the same place, and needs no confirmation.
    edit_table(host, "Asuminen").get_by_role("button", name="Open").click()
    expect(card.locator(".badge")).to_have_text("Open")


def test_report_charts_have_text_and_tables(server, new_page) -> None:
    """Four charts, each an image named by a sentence and followed by its figures as a
    table: visits and mean stay per table (minutes), contacts, arrivals."""
    a = join(new_page(), server, "Aino Virtanen")
    join(new_page(), server, "Bashir Ali")
    sit_at(a, "Kulttuuri")
    host = open_staff(new_page(), server, server.host_token)
    panel = open_host_section(host, "Report")
    charts = panel.locator("figure.chart")
    expect(charts).to_have_count(4)
    for name in ("Visits per table", "Mean stay per table, minutes", "Contacts per attendee",
                 "Arrivals over time"):
        figure = panel.get_by_role("figure", name=re.compile(re.escape(name)))
        expect(figure.get_by_role("img")).to_have_accessible_name(re.compile(re.escape(name)))
    visits = panel.get_by_role("figure", name=re.compile("Visits per table"))
    expect(visits).to_contain_text("Most visits:")
    visits.get_by_text("Show the figures as a table").click()
    table = visits.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"Kulttuuri 1"))).to_have_count(1)
    stay = panel.get_by_role("figure", name=re.compile("Mean stay"))
    stay.get_by_text("Show the figures as a table").click()
    expect(stay.get_by_role("columnheader", name="Mean stay (min)")).to_be_visible()
    arrivals = panel.get_by_role("figure", name=re.compile("Arrivals"))
    expect(arrivals).to_contain_text("2 arrivals between")
    expect(panel.get_by_role("button", name="Download CSV")).to_be_visible()
    assert host.js_errors == []  # type: ignore[attr-defined]


def test_a_report_is_resolved_and_every_moderator_sees_it(
        server, new_page, tmp_path: Path) -> None:
    """A moderator marks a report resolved: it moves to Resolved on their page and on
    the host's, focus stays in the list, and the log says so in a sentence."""
    host = open_staff(new_page(), server, server.host_token)
    mod = open_staff(new_page(), server, server.moderator_token)
    a = join(new_page(), server, "Aino Virtanen")
    join(new_page(), server, "Bashir Ali")
    open_tab(mod, "Moderation")
    hosts_view = open_host_section(host, "Reports and log")
    expect(hosts_view.get_by_text("No open reports.")).to_be_visible()

    person_action(a, "Bashir Ali", "Report to moderators")
    dialog = a.get_by_role("dialog")
    dialog.get_by_label("What happened?").fill("Lähettää mainoksia")
    dialog.get_by_role("button", name="Send report").click()

    panel = mod.locator("#panel-moderation")
    flag = panel.locator(".flags:not(.resolved) .flag")
    expect(flag).to_contain_text("Lähettää mainoksia")
    expect(panel.get_by_text("No open reports.")).to_be_hidden()  # not under a real report
    flag.get_by_role("button", name="Mark the report about Bashir Ali resolved").click()
    expect(panel.locator(".flags:not(.resolved) .flag")).to_have_count(0)
    expect(panel.get_by_text("No open reports.")).to_be_visible()
    expect(mod.locator(":focus")).to_have_text("Open reports")
    resolved = panel.locator(".flags.resolved .flag")
    expect(resolved).to_contain_text("Resolved by Mikko Moderaattori")

    # The host's console was told live.
    expect(hosts_view.locator(".flags:not(.resolved) .flag")).to_have_count(0)
    expect(hosts_view.locator(".flags.resolved .flag")).to_have_count(1)
    hosts_view.get_by_role("button", name="Refresh").last.click()
    expect(hosts_view.locator(".modlog")).to_contain_text(re.compile(
        r"Report about .*Bashir Ali.* marked resolved by .*Mikko Moderaattori.* at \d"))
    shoot(host, "host-console-moderation-log", tmp_path)
    assert host.js_errors == [] and mod.js_errors == []  # type: ignore[attr-defined]


def _console_with_content(server, new_page, width: int, height: int) -> Page:
    for name in ("Bashir Ali", "Cecilia Lind"):
        page = join(new_page(), server, name)
        sit_at(page, "Työllisyys")
    host = open_staff(new_page(width=width, height=height, bypass_csp=True), server,
                      server.host_token)
    open_tab(host, "Host")
    return host


def test_host_console_passes_axe_on_every_section(server, new_page, tmp_path: Path) -> None:
    """Each section of the console, and the Edit dialog, pass axe (serious, critical);
    screenshots at 1366x768."""
    host = _console_with_content(server, new_page, 1366, 768)
    for section in SECTIONS:
        panel = open_host_section(host, section)
        if section == "Report":
            expect(panel.locator("figure.chart")).to_have_count(4)
        host.mouse.move(0, 0)
        shoot(host, f"host-console-{section.split()[0].lower()}", tmp_path)
        assert axe_violations(host) == [], section
    edit_table(host, "Työllisyys")
    shoot(host, "host-console-edit", tmp_path)
    assert axe_violations(host) == []


def test_host_console_on_a_phone(server, new_page, tmp_path: Path) -> None:
    """At 390x844 the sections are a row of tabs, nothing is wider than the screen,
    and axe passes."""
    host = _console_with_content(server, new_page, 390, 844)
    for section in ("Tables", "Report", "Reports and log"):
        open_host_section(host, section)
        shoot(host, f"host-console-phone-{section.split()[0].lower()}", tmp_path)
        width = host.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{section}: the page is {width} px wide"
    assert axe_violations(host) == []
