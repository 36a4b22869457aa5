"""Hostile user text in real Chromium: long unbroken names, organizations, titles,
table titles and chat lines wrap inside the page (it never scrolls sideways, on a
laptop or a phone), and a right-to-left override in a name stays inside the name
(isolated by `<bdi>`, `dir="auto"` or FSI…PDI) instead of reversing the text after it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.pages import edit_table, join, open_staff, open_tab, person_action, say

RLO = "\u202e"
EVIL = f"{RLO}evil.exe"
LONG_ORG = "Yhteistyöverkosto" * 7 + "X"           # 120 characters, no break
LONG_TITLE = "Toiminnanjohtaja" * 7 + "Abcdefgh"    # 120
LONG_TABLE = "Monikulttuurisuustyö" * 4             # 80
LONG_LINE = "Tervetuloa" * 100                      # 1000
SIZES = [(1366, 768), (390, 844)]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "user-text"

#: Every text node holding the override must isolate it: either the node is exactly
#: one user string inside a `<bdi>` or a `dir` element (which CSS isolates), or the
#: override sits between FSI/LRI/RLI and PDI in the node's own text.
UNISOLATED = """rlo => {
  const found = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const s = n.data;
    for (let i = s.indexOf(rlo); i >= 0; i = s.indexOf(rlo, i + 1)) {
      const before = s.slice(0, i);
      const open = (before.match(/[\\u2066-\\u2068]/g) || []).length
        - (before.match(/\\u2069/g) || []).length;
      if (open > 0) continue;
      const el = n.parentElement;
      const isolating = (el.localName === "bdi" || el.hasAttribute("dir"))
        && ["isolate", "plaintext", "isolate-override"].includes(getComputedStyle(el).unicodeBidi)
        && el.childNodes.length === 1;
      if (!isolating) found.push(`${el.localName}.${el.className}: ${JSON.stringify(s)}`);
    }
  }
  return found;
}"""

#: Whether the characters of `word` inside `el` are laid out left to right.
IN_ORDER = """(el, word) => {
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const i = n.data.indexOf(word);
    if (i < 0) continue;
    const x = (k) => { const r = document.createRange(); r.setStart(n, k); r.setEnd(n, k + 1);
                       return r.getBoundingClientRect().left; };
    return x(i) < x(i + 1) && x(i + 1) < x(i + word.length - 1);
  }
  return null;
}"""


def check(page: Page, who: str) -> None:
    """At each size: no sideways scrolling, and no unisolated override; a screenshot."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function(
            "w => window.innerWidth === w && document.documentElement.clientWidth <= w", arg=width)
        scroll = page.evaluate("() => Math.max(document.documentElement.scrollWidth,"
                               " document.body.scrollWidth)")
        page.screenshot(path=str(SHOTS / f"{who}-{width}x{height}.png"), full_page=True)
        assert scroll <= width, f"{who} at {width}x{height}: the page is {scroll} px wide"
        assert page.evaluate(UNISOLATED, RLO) == [], who


def test_hostile_user_text_stays_in_its_place(server, new_page) -> None:
    """With a 120-character organization and title, an 80-character table title, a
    1000-character chat line and an RLO name present, no page (attendee, the person
    themself, host on the moderation tab) is wider than a 1366 or 390 px viewport, and
    the override reverses nothing outside the name."""
    host = open_staff(new_page(), server, server.host_token)
    dialog = edit_table(host, "Kulttuuri")
    title = dialog.get_by_role("group", name="Title in each language").get_by_label("Suomi")
    title.fill(LONG_TABLE)
    title.press("Enter")
    expect(dialog).to_have_count(0)
    expect(host.locator(".tables .table-title", has_text=LONG_TABLE)).to_have_count(1)

    viewer = join(new_page(), server, "Aino Virtanen")
    evil = join(new_page(), server, EVIL, organization=LONG_ORG, **{"Title or role": LONG_TITLE})
    for page in (viewer, evil):
        page.locator(".tables .table-card", has_text=LONG_TABLE).click()
        expect(page.locator("#here-title")).to_contain_text(LONG_TABLE)
    say(evil, LONG_LINE)
    expect(viewer.locator(".chat-list .msg-text", has_text=LONG_LINE)).to_have_count(1)

    # A card request and a wave put the name into sentences on the viewer's page.
    person_action(evil, "Aino Virtanen", "Ask for card")
    expect(viewer.locator(".requests .request")).to_have_count(1)
    person_action(evil, "Aino Virtanen", "Wave")
    notice = viewer.locator(".notice-item", has_text="waved at you")
    expect(notice).to_have_count(1)
    assert notice.evaluate(IN_ORDER, "waved") is True
    open_tab(viewer, "Cards")
    request = viewer.locator(".requests .request p").first
    assert request.evaluate(IN_ORDER, "would like") is True

    # The moderators' views: a report about the person, and the person picker.
    person_action(viewer, EVIL, "Report to moderators")
    dialog = viewer.get_by_role("dialog")
    dialog.get_by_label("What happened?").fill(f"Nimi {EVIL} ja {LONG_ORG}")
    dialog.get_by_role("button", name="Send report").click()
    expect(viewer.locator(".notices")).to_contain_text("The moderators were told")
    open_tab(host, "Moderation")
    expect(host.locator("#panel-moderation .flags .flag")).to_have_count(1)

    check(viewer, "attendee")
    check(evil, "rlo-person")
    check(host, "host-moderation")
    open_tab(host, "People")
    check(host, "host-people")
    for page in (viewer, evil, host):
        assert page.js_errors == []  # type: ignore[attr-defined]
