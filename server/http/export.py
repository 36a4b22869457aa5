"""Contacts as files people keep: vCard 3.0 (via vobject) and CSV."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from typing import Any

import vobject

CSV_COLUMNS = ("name", "organization", "title", "email", "phone", "website", "bio",
               "languages", "interests", "met_in", "met_at")


def _when(ts: int) -> str:
    return datetime.datetime.fromtimestamp(ts / 1000, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def vcards(contacts: Iterable[dict[str, Any]], event_title: str) -> str:
    """One vCard per contact: FN, N, ORG, TITLE, EMAIL, TEL, URL and a NOTE on where you met."""
    out = []
    for contact in contacts:
        card = contact["card"]
        name = card.get("name") or "?"
        v = vobject.vCard()
        v.add("fn").value = name
        given, _, family = name.rpartition(" ")
        v.add("n").value = vobject.vcard.Name(family=family, given=given)
        if card.get("organization"):
            v.add("org").value = [card["organization"]]
        if card.get("title"):
            v.add("title").value = card["title"]
        if card.get("email"):
            email = v.add("email")
            email.value = card["email"]
            email.type_param = "INTERNET"
        if card.get("phone"):
            v.add("tel").value = card["phone"]
        if card.get("website"):
            v.add("url").value = card["website"]
        note = f"Met at {event_title}"
        if contact.get("met_in_title"):
            note += f", {contact['met_in_title']}"
        note += f", {_when(contact['at'])}."
        if card.get("bio"):
            note += f"\n{card['bio']}"
        v.add("note").value = note
        out.append(v.serialize())
    return "".join(out)


def _cell(value: str) -> str:
    # A leading =, +, - or @ makes spreadsheets run the cell as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def contacts_csv(contacts: Iterable[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for contact in contacts:
        card = contact["card"]
        row = [str(card.get(k, "")) for k in CSV_COLUMNS[:7]]
        row += ["; ".join(card.get("languages", [])), "; ".join(card.get("interests", []))]
        row += [contact.get("met_in_title", ""), _when(contact["at"])]
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


def report_csv(report: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(("room", "title", "visits", "unique_visitors", "mean_dwell_s"))
    for room in report["rooms"]:
        writer.writerow([room["room"], _cell(room["title"]), room["visits"],
                         room["unique_visitors"], room["mean_dwell_s"]])
    return buf.getvalue()
