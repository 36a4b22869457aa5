"""The two python-socketio seams Kohtaamo relies on, pinned against the installed version."""

from __future__ import annotations

import msgpack
from socketio import packet

from server.realtime.packet import MALFORMED, Packet


def test_server_disconnect_has_no_data_key() -> None:
    """DISCONNECT is encoded without `data`, as socket.io-msgpack-parser requires."""
    decoded = msgpack.loads(Packet(packet.DISCONNECT, namespace="/").encode())
    assert decoded == {"type": packet.DISCONNECT, "nsp": "/"}


def test_events_keep_their_data() -> None:
    """EVENT and CONNECT packets still carry data."""
    decoded = msgpack.loads(Packet(packet.EVENT, data=["chat", {"a": 1}], namespace="/").encode())
    assert decoded["data"] == ["chat", {"a": 1}]


def test_undecodable_input_becomes_a_malformed_event() -> None:
    """Garbage decodes to an EVENT named MALFORMED without an ack id."""
    for raw in (b"", b"\xc1", msgpack.dumps("x"), msgpack.dumps({"type": 2, "data": [1]})):
        pkt = Packet(encoded_packet=raw)
        assert (pkt.packet_type, pkt.data, pkt.id) == (packet.EVENT, [MALFORMED], None)


def test_server_subclass_hooks_the_ack_path() -> None:
    """python-socketio still routes events through _handle_event_internal(..., id)."""
    import inspect

    from server.realtime.namespace import SocketServer

    base = inspect.signature(SocketServer.__mro__[1]._handle_event_internal)
    assert list(base.parameters) == ["self", "server", "sid", "eio_sid", "data", "namespace", "id"]


def test_server_subclass_replaces_send_packet() -> None:
    """python-socketio still sends one client's packets through _send_packet(eio_sid, pkt),
    and sends through engineio's `send(eio_sid, data)`."""
    import inspect

    from server.realtime.namespace import SocketServer

    base = SocketServer.__mro__[1]
    assert list(inspect.signature(base._send_packet).parameters) == ["self", "eio_sid", "pkt"]
    assert "self.eio.send(eio_sid" in inspect.getsource(base._send_packet)
