"""An asyncio client for Janus's WebSocket API (subprotocol `janus-protocol`).

Janus answers a request in one of three ways, matched here by transaction:
`success` (or `server_info`, `pong`) ends it; `ack` ends only requests that
get nothing more (`trickle`, `keepalive`), otherwise the plugin's answer follows
as an `event` with the same transaction; `error` raises `JanusError`. A plugin
answer whose data has `error_code` raises `JanusError` too. Everything else
(events without a pending transaction: Janus's own offers, `trickle`,
`webrtcup`, `hangup`, `media`, `slowlink`, `detached`, other participants'
news) goes to the handle's `on_event`. Every session owns its keepalive task;
the connection owns its reader task and reports its loss once (`on_lost`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

JSON = dict[str, Any]

#: Janus core codes the adapter looks at (src/apierror.h).
SESSION_NOT_FOUND = 458
HANDLE_NOT_FOUND = 459
UNAUTHORIZED = 403
#: Not from Janus: the WebSocket closed or the request timed out.
CONNECTION_LOST = -1
TIMED_OUT = -2

#: Replies that end a request at once.
FINAL = {"success", "server_info", "pong"}


class JanusError(Exception):
    """An error answered by Janus (core or plugin), or the connection failing under a request."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusEvent:
    """An asynchronous message for one handle: `kind` is Janus's `janus` field
    (`event`, `trickle`, `webrtcup`, `hangup`, `media`, `slowlink`, `detached`);
    `data` the plugin's data for `event`, `jsep` its SDP if any; `raw` all of it."""

    __slots__ = ("data", "jsep", "kind", "raw")

    def __init__(self, raw: JSON) -> None:
        self.raw = raw
        self.kind: str = raw.get("janus", "")
        self.data: JSON = raw.get("plugindata", {}).get("data", {})
        self.jsep: JSON | None = raw.get("jsep")

    def __repr__(self) -> str:
        return f"JanusEvent({self.kind}, {self.data}, jsep={bool(self.jsep)})"


class PluginReply:
    """A plugin's answer to `message`: its data and its SDP if it sent one."""

    __slots__ = ("data", "jsep")

    def __init__(self, data: JSON, jsep: JSON | None) -> None:
        self.data = data
        self.jsep = jsep


def _check(reply: JSON) -> JSON:
    if reply.get("janus") == "error":
        error = reply.get("error", {})
        raise JanusError(int(error.get("code", 0)), str(error.get("reason", "unknown")))
    data = reply.get("plugindata", {}).get("data", {})
    if isinstance(data, dict) and "error_code" in data:
        raise JanusError(int(data["error_code"]), str(data.get("error", "unknown")))
    return reply


class JanusConnection:
    """One WebSocket to one Janus. Sends `apisecret` and a fresh `token` on every request."""

    def __init__(
        self, url: str, api_secret: str = "", token: Callable[[], str] | None = None,
        timeout: float = 10.0, on_lost: Callable[[], None] | None = None,
    ) -> None:
        self.url = url
        self.api_secret = api_secret
        self.token = token
        self.timeout = timeout
        self.on_lost = on_lost
        self.closed = asyncio.Event()
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[str, tuple[asyncio.Future[JSON], bool]] = {}
        self._handles: dict[int, JanusHandle] = {}
        self._sessions: dict[int, JanusSession] = {}
        self._ids = itertools.count(1)
        self._prefix = secrets.token_hex(4)
        self._closing = False

    async def connect(self) -> None:
        self._http = aiohttp.ClientSession()
        try:
            self._ws = await self._http.ws_connect(
                self.url, protocols=("janus-protocol",), heartbeat=None,
                max_msg_size=16 * 1024 * 1024,
            )
        except BaseException:
            await self._http.close()
            raise
        self._reader = asyncio.create_task(self._read(), name="janus-reader")

    async def close(self) -> None:
        """Close the socket (Janus then ends our sessions) and stop the reader."""
        self._closing = True
        for session in list(self._sessions.values()):
            session.stop_keepalive()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._http is not None:
            await self._http.close()

    async def request(self, body: JSON, ack_is_final: bool = False,
                      timeout: float | None = None) -> JSON:
        """Send `body` with a transaction; the final reply, checked for errors."""
        if self._ws is None or self.closed.is_set():
            raise JanusError(CONNECTION_LOST, "not connected to janus")
        transaction = f"{self._prefix}-{next(self._ids)}"
        message = {**body, "transaction": transaction}
        if self.api_secret:
            message["apisecret"] = self.api_secret
        if self.token is not None:
            message["token"] = self.token()
        future: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = (future, ack_is_final)
        try:
            await self._ws.send_str(json.dumps(message))
            reply = await asyncio.wait_for(future, timeout or self.timeout)
        except TimeoutError:
            raise JanusError(TIMED_OUT, f"no answer to {body.get('janus')} in time") from None
        except (ConnectionError, aiohttp.ClientError) as exc:
            raise JanusError(CONNECTION_LOST, str(exc)) from exc
        finally:
            self._pending.pop(transaction, None)
        return _check(reply)

    async def create_session(self) -> JanusSession:
        reply = await self.request({"janus": "create"})
        session = JanusSession(self, int(reply["data"]["id"]))
        self._sessions[session.id] = session
        session.start_keepalive()
        return session

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for msg in self._ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    self._dispatch(json.loads(msg.data))
                except Exception:
                    log.exception("janus: could not handle %.200s", msg.data)
        finally:
            self.closed.set()
            for future, _ in self._pending.values():
                if not future.done():
                    future.set_exception(JanusError(CONNECTION_LOST, "connection to janus lost"))
            for session in self._sessions.values():
                session.stop_keepalive()
            if not self._closing:
                log.error("janus: connection to %s lost", self.url)
                if self.on_lost is not None:
                    self.on_lost()

    def _dispatch(self, reply: JSON) -> None:
        kind = reply.get("janus")
        pending = self._pending.get(str(reply.get("transaction")))
        if pending is not None:
            future, ack_is_final = pending
            if kind == "ack" and not ack_is_final:
                return  # the plugin's event follows with the same transaction
            if not future.done():
                future.set_result(reply)
            return
        if kind in ("ack", "success", "error"):
            return  # the answer to a request that timed out
        sender = reply.get("sender")
        handle = self._handles.get(int(sender)) if sender is not None else None
        if handle is not None:
            if kind == "detached":
                self._handles.pop(handle.id, None)
            handle.deliver(JanusEvent(reply))
        elif kind == "timeout":
            log.error("janus: session %s timed out", reply.get("session_id"))
        else:
            log.debug("janus: unrouted %s", reply)


class JanusSession:
    """A Janus session: handles live in it; a keepalive keeps it."""

    def __init__(self, connection: JanusConnection, session_id: int) -> None:
        self.connection = connection
        self.id = session_id
        self.keepalive_every = 15.0
        self._keepalive: asyncio.Task[None] | None = None

    def start_keepalive(self) -> None:
        self._keepalive = asyncio.create_task(self._keep(), name=f"janus-keepalive-{self.id}")

    def stop_keepalive(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self.keepalive_every)
            try:
                await self.connection.request(
                    {"janus": "keepalive", "session_id": self.id}, ack_is_final=True)
            except JanusError as exc:
                log.error("janus: keepalive of session %s failed: %s", self.id, exc)
                if exc.code in (CONNECTION_LOST, SESSION_NOT_FOUND):
                    return

    async def request(self, body: JSON, ack_is_final: bool = False,
                      timeout: float | None = None) -> JSON:
        return await self.connection.request(
            {**body, "session_id": self.id}, ack_is_final=ack_is_final, timeout=timeout)

    async def attach(self, plugin: str,
                     on_event: Callable[[JanusHandle, JanusEvent], None]) -> JanusHandle:
        reply = await self.request({"janus": "attach", "plugin": plugin})
        handle = JanusHandle(self, int(reply["data"]["id"]), on_event)
        self.connection._handles[handle.id] = handle
        return handle

    async def destroy(self) -> None:
        self.stop_keepalive()
        if self._keepalive is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._keepalive
        self.connection._sessions.pop(self.id, None)
        with contextlib.suppress(JanusError):
            await self.request({"janus": "destroy"})


class JanusHandle:
    """A handle on a plugin. Its asynchronous events go to `on_event(handle, event)`."""

    def __init__(self, session: JanusSession, handle_id: int,
                 on_event: Callable[[JanusHandle, JanusEvent], None]) -> None:
        self.session = session
        self.id = handle_id
        self.on_event = on_event
        self.detached = False

    def deliver(self, event: JanusEvent) -> None:
        if event.kind == "detached":
            self.detached = True
        try:
            self.on_event(self, event)
        except Exception:
            log.exception("janus: handler of %s on handle %s failed", event.kind, self.id)

    async def _request(self, body: JSON, ack_is_final: bool = False,
                       timeout: float | None = None) -> JSON:
        return await self.session.request(
            {**body, "handle_id": self.id}, ack_is_final=ack_is_final, timeout=timeout)

    async def message(self, body: JSON, jsep: JSON | None = None,
                      timeout: float | None = None) -> PluginReply:
        """Send a plugin request; its answer, synchronous (`success`) or not (`event`)."""
        request: JSON = {"janus": "message", "body": body}
        if jsep is not None:
            request["jsep"] = jsep
        reply = await self._request(request, timeout=timeout)
        return PluginReply(reply.get("plugindata", {}).get("data", {}), reply.get("jsep"))

    async def trickle(self, candidate: JSON | None) -> None:
        """One ICE candidate of the peer, or None for the end of candidates."""
        body = candidate if candidate is not None else {"completed": True}
        await self._request({"janus": "trickle", "candidate": body}, ack_is_final=True)

    async def hangup(self) -> None:
        await self._request({"janus": "hangup"})

    async def detach(self) -> None:
        """Detach (closing its PeerConnection); a handle already gone is fine."""
        self.session.connection._handles.pop(self.id, None)
        if self.detached:
            return
        self.detached = True
        try:
            await self._request({"janus": "detach"})
        except JanusError as exc:
            if exc.code not in (HANDLE_NOT_FOUND, SESSION_NOT_FOUND, CONNECTION_LOST):
                raise
