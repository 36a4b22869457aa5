"""The `welcome` packet built from each person's kept encoding (`[tuning] welcome_cache`).

A welcome lists everyone present; built and packed afresh for each newcomer, a
storm of N arrivals packs N² people. `PeopleBytes` keeps each person's packed
`Person.wire()` until `Person.version` says a wire field changed, and
`encode_welcome` lays out the Socket.IO EVENT packet exactly as python-socketio's
msgpack packet class would (`{type, data: ["welcome", welcome], nsp}`), splicing
the kept encodings in as the `people` array. The namespace writes the bytes on the
path every one-client packet takes (`SocketServer.send_encoded`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgpack
from socketio import packet as sio_packet

from rooms.model import Person

_pack = msgpack.Packer().pack
_map = msgpack.Packer().pack_map_header
_array = msgpack.Packer().pack_array_header


class PeopleBytes:
    """Each person's packed wire shape, while their `version` and record are the same."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Person, int, bytes]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def of(self, person: Person) -> bytes:
        kept = self._kept.get(person.id)
        if kept is not None and kept[0] is person and kept[1] == person.version:
            return kept[2]
        encoded: bytes = _pack(person.wire())
        self._kept[person.id] = (person, person.version, encoded)
        return encoded

    def all(self, people: list[Person]) -> list[bytes]:
        """The encodings of `people` (everyone present). Forgets the people no longer
        among them once they outnumber an eighth of them, so erased or departed
        people's names are not kept for long, at a cost spread over many welcomes."""
        kept = self._kept
        out: list[bytes] = []
        for person in people:  # `of`, inlined: this runs for everyone in every welcome
            entry = kept.get(person.id)
            if entry is None or entry[0] is not person or entry[1] != person.version:
                entry = kept[person.id] = (person, person.version, _pack(person.wire()))
            out.append(entry[2])
        if len(self._kept) > len(people) + max(16, len(people) // 8):
            ids = {p.id for p in people}
            self._kept = {pid: kept for pid, kept in self._kept.items() if pid in ids}
        return out


def encode_welcome(welcome: dict[str, Any], people: Iterable[bytes],
                   namespace: str = "/") -> bytes:
    """The msgpack Socket.IO EVENT packet `welcome` with `people` (already packed
    `Person` wire shapes) added as its `people` array."""
    people = list(people)
    parts = [
        _map(3), _pack("type"), _pack(sio_packet.EVENT),
        _pack("data"), _array(2), _pack("welcome"), _map(len(welcome) + 1),
    ]
    for key, value in welcome.items():
        parts.append(_pack(key))
        parts.append(_pack(value))
    parts += [_pack("people"), _array(len(people)), *people, _pack("nsp"), _pack(namespace)]
    return b"".join(parts)
