"""Faces and finding people (issue 12): a photo chosen in the join form shows on my card
and in others' people lists; interests filter the list; people who are not here are
found and asked for their card."""

from __future__ import annotations

import io
import json
import re
import urllib.request

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.pages import join, person_row, show_people, wait_connected


def png(colour: str = "#1f6f50") -> bytes:
    im = Image.new("RGB", (320, 240), colour)
    im.paste("#ffcc00", (100, 60, 220, 180))
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def join_api(server, name: str, interests: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Someone who joined and is not on the floor (never connected)."""
    body = json.dumps({"name": name, "interests": interests}).encode()
    req = urllib.request.Request(f"{server.url}/api/events/{server.slug}/join", data=body,
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as res:
        assert res.status == 201


def test_photo_from_the_join_form_shows_on_my_card_and_to_others(
        server, new_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A PNG chosen at joining is previewed, uploaded, shown in My card and in another
    page's people list; removing it in My card brings the initials back for others."""
    a = new_page()
    a.goto(server.event_url)
    a.get_by_label("Name").fill("Aino Virtanen")
    a.locator("input[type=file]").set_input_files(
        {"name": "aino.png", "mimeType": "image/png", "buffer": png()})
    preview = a.locator(".field-photo .face img")
    expect(preview).to_have_attribute("src", re.compile(r"^data:image/png"))
    expect(a.get_by_role("button", name="Remove photo")).to_be_visible()
    a.screenshot(path=str(tmp_path / "join-photo.png"))
    a.get_by_role("button", name="Enter the fair").click()
    wait_connected(a)

    b = join(new_page(), server, "Bashir Ali")
    face = person_row(b, "Aino Virtanen").locator(".face img")
    expect(face).to_have_attribute("src", re.compile(r"^/api/photos/p_.+\.webp\?v=\d+$"))
    expect(face).to_have_attribute("alt", "")
    assert face.evaluate("img => img.complete && img.naturalWidth") == 256
    b.screenshot(path=str(tmp_path / "people-with-photo.png"))

    a.get_by_role("button", name="My card").click()
    dialog = a.get_by_role("dialog", name="My card")
    expect(dialog.locator(".field-photo .face img")).to_have_attribute(
        "src", re.compile(r"^/api/photos/"))
    dialog.screenshot(path=str(tmp_path / "my-card-photo.png"))
    dialog.get_by_role("button", name="Remove photo").click()
    expect(dialog.locator(".field-photo .face img")).to_have_count(0)
    expect(dialog.get_by_label("Choose a photo")).to_be_focused()
    dialog.get_by_role("button", name="Save card").click()
    expect(dialog).to_have_count(0)
    expect(person_row(b, "Aino Virtanen").locator(".face img")).to_have_count(0)
    expect(person_row(b, "Aino Virtanen").locator(".face")).to_have_text("AV")


def test_a_file_that_is_not_a_photo_is_refused_in_the_readers_language(
        server, new_page) -> None:  # type: ignore[no-untyped-def]
    """A text file is refused at once, in Finnish on the Finnish page, with nothing sent."""
    a = new_page()
    a.goto(server.event_url)
    a.locator("select").first.select_option("fi")
    a.locator("input[type=file]").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"})
    expect(a.locator(".field-photo .field-error")).to_have_text(
        re.compile("Tätä tiedostoa ei voi käyttää kuvana"))
    expect(a.locator("input[type=file]")).to_have_attribute("aria-invalid", "true")


def test_interest_tags_filter_and_people_who_are_not_here_are_found(
        server, new_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Clicking an interest shows only people who have it; someone not on the floor is
    found by the same interest and asked for their card."""
    join(new_page(), server, "Aino Virtanen", Interests="Tekoäly, Design")
    join(new_page(), server, "Bert Berg", Interests="Sailing")
    join_api(server, "Cai Away", ["design", "music"])
    c = join(new_page(), server, "Cecilia Watcher")
    show_people(c)
    row = person_row(c, "Aino Virtanen")
    tag = row.get_by_role("button", name="Show people interested in Design")
    tag.click()
    expect(tag).to_have_attribute("aria-pressed", "true")
    expect(c.locator(".people .person")).to_have_count(1)
    expect(c.locator(".filter-chip")).to_contain_text("Design")
    expect(c.locator("#people-count")).to_have_text("1 match")

    c.get_by_role("button", name="Search people who are not here").click()
    found = c.locator(".finder-person")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Cai Away")
    c.screenshot(path=str(tmp_path / "finder.png"), full_page=True)
    found.get_by_role("button", name="Ask Cai Away for their card").click()
    expect(c.locator(".notices")).to_contain_text("Cai Away")
    expect(found).to_contain_text("Card asked")
    expect(found).to_be_focused()

    c.get_by_role("button", name="Show everyone").click()
    expect(c.locator(".people .person")).to_have_count(2)
    expect(c.locator(".finder-person")).to_have_count(0)
