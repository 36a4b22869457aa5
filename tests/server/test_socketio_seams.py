"""The seams into python-socketio, python-engineio and aiohttp internals that Kohtaamo
relies on (listed in docs/seams.md), pinned against the installed versions."""

from __future__ import annotations

import inspect

import msgpack
from socketio import packet

from server.realtime.packet import MALFORMED, RESERVED, Packet


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


def test_trigger_event_dispatches_lifecycle_names_to_the_namespace() -> None:
    """python-socketio's _trigger_event(event, namespace, *args) hands any name, "connect"
    and "disconnect" included, to the namespace's trigger_event: the reason client events
    with those names must never reach it (server.realtime.packet renames them)."""
    import asyncio

    import socketio

    from server.realtime.namespace import SocketServer

    base = SocketServer.__mro__[1]
    assert list(inspect.signature(base._trigger_event).parameters) == [
        "self", "event", "namespace", "args"]
    calls: list[tuple[str, tuple[object, ...]]] = []

    class Spy(socketio.AsyncNamespace):  # type: ignore[misc]
        async def trigger_event(self, event: str, *args: object) -> object:
            calls.append((event, args))
            return "seen"

    sio = socketio.AsyncServer(async_mode="aiohttp")
    sio.register_namespace(Spy("/"))
    for name in ("connect", "disconnect", "chat"):
        assert asyncio.run(sio._trigger_event(name, "/", "sid1", "x")) == "seen"
    assert calls == [("connect", ("sid1", "x")), ("disconnect", ("sid1", "x")),
                     ("chat", ("sid1", "x"))]


def test_reserved_names_are_renamed_when_decoded() -> None:
    """An EVENT named connect/disconnect/connect_error decodes as RESERVED with the name,
    keeping its ack id; CONNECT_ERROR and binary packets from a client are MALFORMED."""
    for name in ("connect", "disconnect", "connect_error"):
        pkt = Packet(encoded_packet=msgpack.dumps(
            {"type": packet.EVENT, "nsp": "/", "data": [name, {"token": "t"}], "id": 7}))
        assert (pkt.packet_type, pkt.data, pkt.id) == (packet.EVENT, [RESERVED, name], 7)
    for kind in (packet.CONNECT_ERROR, packet.BINARY_EVENT, packet.BINARY_ACK):
        pkt = Packet(encoded_packet=msgpack.dumps({"type": kind, "nsp": "/", "data": ["x"]}))
        assert pkt.data == [MALFORMED]


def test_overridden_server_methods_keep_their_signatures() -> None:
    """Every AsyncServer method SocketServer overrides still exists with the arguments
    the override passes on (docs/seams.md)."""
    from server.realtime.namespace import SocketServer

    base = SocketServer.__mro__[1]
    expected = {
        "_handle_event_internal": ["self", "server", "sid", "eio_sid", "data", "namespace", "id"],
        "_handle_event": ["self", "eio_sid", "namespace", "id", "data"],
        "_send_packet": ["self", "eio_sid", "pkt"],
        "_trigger_event": ["self", "event", "namespace", "args"],
        "_handle_eio_connect": ["self", "eio_sid", "environ"],
        "_handle_disconnect": ["self", "eio_sid", "namespace", "reason"],
        "_engineio_server_class": ["self"],
    }
    overridden = {name for name in vars(SocketServer) if name.startswith("_")
                  and callable(getattr(base, name, None))}
    assert overridden == set(expected)
    for name, params in expected.items():
        assert list(inspect.signature(getattr(base, name)).parameters) == params, name


def test_engineio_makes_each_socket_queue_with_create_queue() -> None:
    """engineio builds every socket's send queue with server.create_queue() (where the
    metered queue comes in), gets it from `queue`, and its socket closes with
    close(wait=..., abort=..., reason=...)."""
    from engineio import async_socket, base_socket

    assert "self.queue = self.server.create_queue()" in inspect.getsource(
        base_socket.BaseSocket.__init__)
    assert list(inspect.signature(async_socket.AsyncSocket.close).parameters) == [
        "self", "wait", "abort", "reason"]
    writer_source = inspect.getsource(async_socket.AsyncSocket._websocket_handler)
    assert "await ws.close()" in writer_source and "packets = await self.poll()" in writer_source


def test_asyncio_queue_put_and_get_go_through_the_subclass_hooks() -> None:
    """asyncio.Queue.put_nowait/get_nowait call _put/_get, which MeteredQueue counts on."""
    from server.realtime.guard import MeteredQueue, SlowReaders

    q = MeteredQueue(SlowReaders(1 << 20))
    q.put_nowait(packet.Packet(packet.EVENT, data=["x"]))

    class Item:
        data = b"12345"

    q.put_nowait(Item())
    assert q.bytes == 16 + 5
    q.get_nowait()
    q.get_nowait()
    assert q.bytes == 0


def test_aiohttp_request_transport_is_public() -> None:
    """The direct writer and the slow-reader cap read `BaseRequest.transport`."""
    from aiohttp import web

    assert isinstance(inspect.getattr_static(web.BaseRequest, "transport"), property)


def test_engineio_websocket_path_is_what_the_read_loop_replaces() -> None:
    """own_read_loop (server/realtime/readloop.py) stands in for `_websocket_handler`: engineio
    builds the WebSocket from its driver table with that handler (so `handler.__self__` is the
    socket), sets `connected`/`upgraded` there, and `_handle_connect` fires "connect" before
    `schedule_ping()`, which starts its ping task only when `last_ping` is set; the socket is
    dropped from `sockets` once the handler returns closed."""
    from engineio import async_server, async_socket

    upgrade = inspect.getsource(async_socket.AsyncSocket._upgrade_websocket)
    assert "self.server._async['websocket'](\n            self._websocket_handler, self.server)" \
        in upgrade
    handler = inspect.getsource(async_socket.AsyncSocket._websocket_handler)
    assert "self.connected = True" in handler and "self.upgraded = True" in handler
    assert "reason=self.server.reason.TRANSPORT_CLOSE" in handler
    connect = inspect.getsource(async_server.AsyncServer._handle_connect)
    assert connect.index("self._trigger_event('connect', sid, environ") \
        < connect.index("s.schedule_ping()") < connect.index("s.handle_get_request(environ)")
    assert "if s.closed and sid in self.sockets:" in connect
    # its OPEN packet is a local of this frame for the connection's life (the writer empties it)
    assert "pkt = packet.Packet(packet.OPEN, {" in connect and "await s.send(pkt)" in connect
    assert "if self.last_ping:" in inspect.getsource(async_socket.AsyncSocket.schedule_ping)
    receive = inspect.getsource(async_socket.AsyncSocket.receive)
    for kind in ("PONG", "MESSAGE", "UPGRADE", "CLOSE"):
        assert f"packet.{kind}" in receive
    assert "'message', self.sid, pkt.data" in receive
    reason = async_server.AsyncServer.reason
    assert (reason.PING_TIMEOUT, reason.TRANSPORT_CLOSE, reason.CLIENT_DISCONNECT) == (
        "ping timeout", "transport close", "client disconnect")


def test_engineio_options_and_handlers_the_read_loop_uses() -> None:
    """`monitor_clients=False` keeps engineio's service task from starting; python-socketio
    registers its Engine.IO message handler in `eio.handlers["message"]`; engineio's packet
    decodes text as the read loop expects (ValueError for what is not Engine.IO)."""
    import pytest
    import socketio
    from engineio import packet as eio_packet

    sio = socketio.AsyncServer(async_mode="aiohttp", monitor_clients=False)
    assert sio.eio.start_service_task is False
    assert sio.eio.handlers["message"] == sio._handle_eio_message
    assert eio_packet.Packet(encoded_packet="3").packet_type == eio_packet.PONG
    assert eio_packet.Packet(encoded_packet="4hi").data == "hi"
    for bad in ("", "x"):
        with pytest.raises(ValueError):
            eio_packet.Packet(encoded_packet=bad)


def test_aiohttp_close_from_another_task_ends_a_waiting_receive() -> None:
    """The read loop waits in `receive()` while the writer or a timer closes the WebSocket:
    aiohttp feeds CLOSING to the waiting reader (`_waiting`/`_close_wait`)."""
    from aiohttp import web

    close = inspect.getsource(web.WebSocketResponse.close)
    assert "if self._waiting:" in close and "reader.feed_data(WS_CLOSING_MESSAGE, 0)" in close
def test_msgpack_event_packet_is_the_layout_the_welcome_splices() -> None:
    """python-socketio packs an EVENT as `{type, data, nsp}` in that order, the layout
    `encode_welcome` writes by hand; and the manager maps a sid to its Engine.IO sid."""
    from socketio import base_manager

    from server.realtime.welcome import encode_welcome

    encoded = Packet(packet.EVENT, data=["welcome", {"a": 1, "people": []}], namespace="/").encode()
    assert encoded == encode_welcome({"a": 1}, [])
    assert list(inspect.signature(base_manager.BaseManager.eio_sid_from_sid).parameters) == [
        "self", "sid", "namespace"]


def test_fast_moves_reads_what_python_socketio_keeps() -> None:
    """fast_moves (SocketServer.fast_move) finds the namespace in `namespace_handlers`
    and the client in `manager.sid_from_eio_sid(eio_sid, namespace)`, and decodes the
    msgpack packet as python-socketio's MsgPackPacket does (a map with type, data, nsp)."""
    import inspect

    import msgpack
    import socketio
    from socketio import msgpack_packet

    assert "namespace_handlers" in vars(socketio.AsyncServer())
    params = list(inspect.signature(socketio.AsyncManager.sid_from_eio_sid).parameters)
    assert params == ["self", "eio_sid", "namespace"]
    pkt = msgpack_packet.MsgPackPacket(packet_type=2, data=["move", {"x": 1, "y": 2}],
                                       namespace="/")
    assert msgpack.loads(pkt.encode()) == {"type": 2, "data": ["move", {"x": 1, "y": 2}],
                                           "nsp": "/"}
