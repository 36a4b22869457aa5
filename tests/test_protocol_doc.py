"""docs/protocol.md and the code agree with the wire contract (../shared/protocol.md)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from server.protocol_names import CLIENT_EVENTS, ERROR_CODES, SERVER_EVENTS
from server.realtime.tuning import Tuning

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT.parent / "shared" / "protocol.md"
DOC = ROOT / "docs" / "protocol.md"


def table_events(text: str) -> set[str]:
    """Backticked event names in the first column of the contract's tables
    (`a` / `b` / `c` names several)."""
    names = set()
    for line in text.splitlines():
        m = re.match(r"^\| (`[a-z:]+`(?: / `[a-z:]+`)*)[^|`]*\|", line)
        if m:
            names.update(re.findall(r"`([a-z:]+)`", m.group(1)))
    return names


@pytest.fixture(scope="module")
def contract() -> str:
    if not CONTRACT.is_file():
        pytest.fail("../shared/protocol.md is not beside this checkout (CI lays it there)")
    return CONTRACT.read_text(encoding="utf-8")


#: Contract v1.2 events not built yet, by the issue that builds them. The test
#: fails when one is built and still listed, so this list only shrinks.
NOT_YET_BUILT: set[str] = set()
#: Error codes of v1.2 not built yet.
CODES_NOT_YET_BUILT: set[str] = set()


def test_code_knows_every_contract_event(contract: str) -> None:
    """Every event named in the contract's tables is a request or a broadcast in the
    code, but for those listed as not yet built."""
    assert table_events(contract) - (CLIENT_EVENTS | SERVER_EVENTS) == NOT_YET_BUILT
    assert "move" in CLIENT_EVENTS


def test_code_knows_every_error_code(contract: str) -> None:
    """The contract's error codes are exactly the code's."""
    line = next(ln for ln in contract.splitlines() if ln.startswith("CODE is one of"))
    codes = set(re.findall(r"`([a-z_]+)`", line))
    more = contract.split("CODE is one of", 1)[1].split("\n\n", 1)[0]
    codes |= set(re.findall(r"`([a-z_]+)`", more))
    # later versions add codes in their own sections: "CODE gains `unavailable`."
    codes |= set(re.findall(r"CODE gains `([a-z_]+)`", contract))
    assert codes - CODES_NOT_YET_BUILT == set(ERROR_CODES)


def test_project_doc_contains_the_contract(contract: str) -> None:
    """docs/protocol.md carries the contract unchanged, then its extensions."""
    doc = DOC.read_text(encoding="utf-8")
    body = contract.split("\n## ", 1)[1]
    assert body in doc
    for name in CLIENT_EVENTS | SERVER_EVENTS:
        assert f"`{name}`" in doc, name


def test_project_doc_names_every_tuning_setting() -> None:
    """Each `[tuning]` key the server accepts is named in docs/protocol.md."""
    doc = DOC.read_text(encoding="utf-8")
    assert [f.name for f in dataclasses.fields(Tuning) if f"`{f.name}`" not in doc] == []
