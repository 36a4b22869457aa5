"""The msgpack packet class given to python-socketio as its `serializer`.

Two fixes at the one seam python-socketio offers for serialization:

- A server-initiated DISCONNECT is encoded without a `data` key. Stock
  python-socketio sends `data: nil`, which the JavaScript
  `socket.io-msgpack-parser` 3.x rejects, and the browser then reconnects
  after being replaced or kicked.
- A packet that does not decode to a well-formed Socket.IO packet becomes an
  EVENT named `MALFORMED`, which the namespace answers with a `bad_request`
  `error` event, instead of an exception with a traceback in the log. So do
  CONNECT_ERROR packets from a client (python-socketio raises on them) and the
  binary types (msgpack needs no attachments).
- A client EVENT named `connect`, `disconnect` or `connect_error` becomes an
  EVENT named `RESERVED` carrying the name, keeping its ack id: python-socketio
  would dispatch it to the namespace's own lifecycle handlers (a socket could
  unbind itself and keep listening, or bind another person's token). The
  namespace answers it `bad_request`.
"""

from __future__ import annotations

from typing import Any

import msgpack
from socketio import msgpack_packet, packet

#: Event name given to packets that could not be decoded.
MALFORMED = "\x00malformed"
#: Event name given to client events with a reserved name; the name is its argument.
RESERVED = "\x00reserved"
#: Event names python-socketio calls the namespace's lifecycle handlers by.
RESERVED_NAMES = frozenset({"connect", "disconnect", "connect_error"})

#: Packet types a client may send.
_TYPES = frozenset({packet.CONNECT, packet.DISCONNECT, packet.EVENT, packet.ACK})


class Packet(msgpack_packet.MsgPackPacket):  # type: ignore[misc]
    def __init__(self, *args: Any, encoded_packet: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, encoded_packet=encoded_packet, **kwargs)
        if encoded_packet is not None and not encoded_packet:
            self.decode(encoded_packet)  # the base class skips empty input

    def _to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = super()._to_dict()
        if d.get("data") is None:
            del d["data"]
        return d

    def decode(self, encoded_packet: Any) -> None:
        try:
            decoded = msgpack.loads(encoded_packet, strict_map_key=True, use_list=True)
            ok = _well_formed(decoded)
        except (ValueError, TypeError, msgpack.UnpackException):
            ok = False
        if ok:
            self.packet_type = decoded["type"]
            self.data = decoded.get("data")
            self.id = decoded.get("id")
            self.namespace = decoded.get("nsp") or "/"
            if self.packet_type == packet.EVENT and self.data[0] in RESERVED_NAMES:
                self.data = [RESERVED, self.data[0]]
        else:
            self.packet_type = packet.EVENT
            self.data = [MALFORMED]
            self.id = None
            self.namespace = "/"


def _well_formed(decoded: Any) -> bool:
    if not isinstance(decoded, dict) or decoded.get("type") not in _TYPES:
        return False
    nsp = decoded.get("nsp", "/")
    ack_id = decoded.get("id")
    if not isinstance(nsp, str) or len(nsp) > 64:
        return False
    if ack_id is not None and (isinstance(ack_id, bool) or not isinstance(ack_id, int)):
        return False
    if decoded["type"] in (packet.EVENT, packet.ACK):
        data = decoded.get("data")
        if not isinstance(data, list):
            return False
        if decoded["type"] == packet.EVENT and (not data or not isinstance(data[0], str)):
            return False
    return True
