"""Cards: ask, accept, see the contact, download it as a vCard."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.pages import join, open_tab, person_action


def test_card_request_accept_contact_and_vcard_download(server, new_page, tmp_path) -> None:
    """B accepts A's request: both get the contact; A's vCard download holds B's card."""
    a = join(new_page(), server, "Aino Virtanen", "Helsingin kaupunki")
    b = join(new_page(), server, "Bashir Ali", "Monika-Naiset", Email="bashir@example.org")

    person_action(a, "Bashir Ali", "Ask for card")
    expect(a.locator(".notices")).to_contain_text("Card request sent to Bashir Ali")
    requests = b.locator(".requests-panel")
    expect(requests).to_contain_text("Aino Virtanen")
    open_tab(b, "Cards")
    requests.get_by_role("button", name="Accept card exchange with Aino Virtanen").click()
    expect(requests).to_be_hidden()

    contacts = a.get_by_role("button", name=re.compile(r"My contacts \(1\)"))
    expect(contacts).to_be_visible()
    expect(b.get_by_role("button", name=re.compile(r"My contacts \(1\)"))).to_be_visible()
    contacts.click()
    dialog = a.get_by_role("dialog", name="My contacts")
    expect(dialog).to_contain_text("Bashir Ali")
    expect(dialog).to_contain_text("bashir@example.org")
    with a.expect_download() as info:
        dialog.get_by_role("button", name="Download vCard").click()
    path = tmp_path / "contacts.vcf"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert "BEGIN:VCARD" in text and "Bashir Ali" in text and "bashir@example.org" in text
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    # The people list knows B is a contact now.
    person_row = a.locator(".people .person").filter(has_text="Bashir Ali")
    person_row.locator(".person-toggle").click()
    expect(person_row).to_contain_text("In your contacts")


def test_declined_request_tells_the_requester(server, new_page) -> None:
    """Declining removes the request and tells the one who asked."""
    a = join(new_page(), server, "Aino Virtanen")
    b = join(new_page(), server, "Bashir Ali")
    person_action(a, "Bashir Ali", "Ask for card")
    open_tab(b, "Cards")
    requests = b.locator(".requests-panel")
    requests.get_by_role("button", name="Decline card exchange with Aino Virtanen").click()
    expect(a.locator(".notices")).to_contain_text("declined")
    expect(b.locator(".requests-panel")).to_be_hidden()


def test_edit_my_card(server, new_page) -> None:
    """PATCH /api/me through the card dialog renames me for everyone."""
    a = join(new_page(), server, "Aino Virtanen")
    b = join(new_page(), server, "Bashir Ali")
    a.get_by_role("button", name="My card").click()
    dialog = a.get_by_role("dialog", name="My card")
    dialog.get_by_label("Organization").fill("Vantaan kaupunki")
    dialog.get_by_role("button", name="Save card").click()
    expect(dialog).to_have_count(0)
    expect(b.locator(".people")).to_contain_text("Vantaan kaupunki")
