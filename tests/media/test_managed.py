"""The managed Janus: it starts from its generated config, refuses requests without
its secrets, and is restarted when it dies."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from server.media.auth import core_token, room_token
from server.media.janus import UNAUTHORIZED, JanusConnection, JanusError
from server.media.janus_engine import JanusEngine
from server.media.managed import ManagedJanus, answers
from tests.media.conftest import Events, settings


async def test_managed_janus_starts_and_answers(janus: ManagedJanus) -> None:
    """A managed Janus answers on loopback with only the videoroom and WebSocket modules."""
    assert janus.url.startswith("ws://127.0.0.1:")
    assert await answers(janus.url)
    config = (janus.folder / "janus.jcfg").read_text()
    assert "token_auth = true" in config and janus.api_secret in config
    assert "libjanus_http.so" in config  # disabled, with every other transport
    connection = JanusConnection(janus.url, janus.api_secret)
    await connection.connect()
    try:
        info = await connection.request({"janus": "info"})
        assert list(info["plugins"]) == ["janus.plugin.videoroom"]
        assert list(info["transports"]) == ["janus.transport.websockets"]
    finally:
        await connection.close()
    rss = janus.rss_bytes()
    assert rss is not None and rss < 200 * 1024 * 1024


async def try_create(janus: ManagedJanus, api_secret: str, token: str | None) -> None:
    connection = JanusConnection(janus.url, api_secret, (lambda: token) if token else None)
    await connection.connect()
    try:
        session = await connection.create_session()
        await session.destroy()
    finally:
        await connection.close()


async def test_requests_need_the_api_secret_or_a_signed_token(janus: ManagedJanus) -> None:
    """No secret, a wrong secret or a token signed with another key is refused (403);
    a token minted in Python with the right key is accepted without the secret."""
    now = time.time()
    for secret, token in [("", None), ("wrong", None), ("", core_token("other", now)),
                          ("", core_token(janus.token_secret, now - 7200))]:
        with pytest.raises(JanusError) as refused:
            await try_create(janus, secret, token)
        assert refused.value.code == UNAUTHORIZED
    await try_create(janus, "", core_token(janus.token_secret, now))
    await try_create(janus, janus.api_secret, None)


async def test_room_join_needs_a_room_token(engine: tuple[JanusEngine, Events]) -> None:
    """Rooms are created with signed_tokens: a join without the room's token is refused
    even with the core's credentials; with it, it is accepted."""
    media, _ = engine
    await media.open_event("fair")
    room = media._rooms["fair"]
    session = media._session
    assert session is not None
    handle = await session.attach("janus.plugin.videoroom", lambda h, e: None)
    body = {"request": "join", "ptype": "publisher", "room": room.id, "id": 77}
    with pytest.raises(JanusError) as refused:
        await handle.message(body)
    assert refused.value.code == 433  # JANUS_VIDEOROOM_ERROR_UNAUTHORIZED
    wrong = room_token(media.target.token_secret, room.id + 1, media.clock())
    with pytest.raises(JanusError):
        await handle.message({**body, "token": wrong})
    reply = await handle.message(
        {**body, "token": room_token(media.target.token_secret, room.id, media.clock())})
    assert reply.data["videoroom"] == "joined"
    await handle.detach()


async def test_killed_janus_is_restarted_and_reported(tmp_path: Path) -> None:
    """Janus killed: the supervisor starts it again on the same port and calls back."""
    restarted = asyncio.Event()
    managed = ManagedJanus(tmp_path / "janus", settings(), on_restart=restarted.set)
    await managed.start()
    try:
        first, url = managed.pid, managed.url
        assert first is not None
        os.kill(first, signal.SIGKILL)
        async with asyncio.timeout(15):
            await restarted.wait()
        assert managed.restarts == 1 and managed.pid not in (None, first)
        assert managed.url == url and await answers(url)
    finally:
        await managed.stop()
    assert managed.pid is None

