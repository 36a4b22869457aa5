"""What a person does in the browser, as small functions the tests share."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

Server = Any  # tests/e2e/conftest.py:Server


def join(page: Page, server: Server, name: str, organization: str = "", **extra: str) -> Page:
    """Open the event link, fill the join form and wait until connected."""
    page.goto(server.event_url)
    page.get_by_label("Name").fill(name)
    if organization:
        page.get_by_label("Organization").fill(organization)
    for label, value in extra.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Enter the fair").click()
    wait_connected(page)
    return page


def open_staff(page: Page, server: Server, token: str) -> Page:
    page.goto(server.staff_url(token))
    wait_connected(page)
    return page


def wait_connected(page: Page) -> None:
    expect(page.locator("#conn")).to_have_attribute("data-conn", "connected")


def table_card(page: Page, title: str) -> Any:
    """The floor's button for a table; its accessible name starts with the title."""
    return page.locator(".tables").get_by_role("button", name=re.compile(rf"^{re.escape(title)},"))


def sit_at(page: Page, title: str) -> None:
    table_card(page, title).click()
    expect(page.locator("#here-title")).to_have_text(re.compile(re.escape(title)))


def person_row(page: Page, name: str) -> Any:
    return page.locator(".people .person").filter(has=page.locator(".person-name", has_text=name))


def show_people(page: Page, tab: str = "People") -> None:
    """Bring the side column's tab into view: a drawer on a mid-sized screen,
    a bottom-bar view on a phone, always there on a wide one."""
    tab_button = page.get_by_role("tab", name=re.compile(rf"^{re.escape(tab)}"))
    if page.locator("#host-console").is_visible():
        page.get_by_role("button", name="Back to the fair").click()
    if not tab_button.is_visible():
        bar = page.locator(".bottombar")
        if bar.is_visible():
            bar.get_by_role("button", name=re.compile(r"^People")).click()
        else:
            page.locator(".side-toggle").click()
    tab_button.click()


def person_action(page: Page, name: str, action: str) -> None:
    """Open a person's actions in the people list and press one."""
    row = person_row(page, name)
    if not row.is_visible():
        show_people(page)
    toggle = row.locator(".person-toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    row.get_by_role("button", name=action).click()


def choose_person(page: Page, name: str) -> None:
    """Pick a person in the moderation panel (options read "Name — where")."""
    select = page.get_by_label("Person", exact=True)
    option = select.locator("option", has_text=name)
    expect(option).to_have_count(1)
    select.select_option(value=option.get_attribute("value"))


def say(page: Page, text: str) -> None:
    box = page.get_by_label("Message to everyone at this table")
    box.fill(text)
    box.press("Enter")


def open_tab(page: Page, name: str) -> None:
    """A side tab (People, Cards, Moderation), or "Host": the host console."""
    if name == "Host":
        page.get_by_role("button", name="Host console").click()
        expect(page.locator("#host-console")).to_be_visible()
        return
    show_people(page, name)


def position_of(page: Page, person_id: str) -> dict[str, float] | None:
    """Where this page believes a person stands in its room (room units)."""
    return page.evaluate(
        "id => { const o = window.__kohtaamo.state.here?.occupants.get(id);"
        " return o ? {x: o.x, y: o.y} : null; }",
        person_id,
    )


def my_id(page: Page) -> str:
    return str(page.evaluate("() => window.__kohtaamo.state.me.id"))


def open_host_section(page: Page, section: str) -> Any:
    """The host console, then one of its sections; returns the section's panel."""
    if not page.locator("#host-console").is_visible():
        open_tab(page, "Host")
    console = page.locator(".host-console")
    console.get_by_role("tab", name=section, exact=True).click()
    panel = console.get_by_role("tabpanel", name=section, exact=True)
    expect(panel).to_be_visible()
    return panel


def edit_table(page: Page, title: str) -> Any:
    """Open a table's Edit dialog in the host console; returns the dialog."""
    panel = open_host_section(page, "Tables")
    panel.get_by_role("button", name=f"Edit {title}", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Edit {title}")
    expect(dialog).to_be_visible()
    return dialog
