"""Behind a reverse proxy: the client address comes from `X-Forwarded-For` only
as far as trusted proxies vouch for it, per-address limits count that address,
and /metrics opens by address (judged on the real client) or by bearer token."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from server.config import ConfigError, load
from server.keys import JOIN_LIMITS
from server.net import client_address, parse_networks
from tests.conftest import Server, running, write_config

TOKEN = "metrics-token-0123456789abcdef"


def request_from(peer: str, *forwarded: str) -> web.Request:
    headers = [("X-Forwarded-For", value) for value in forwarded]
    return make_mocked_request("GET", "/", headers=headers).clone(remote=peer)


TRUSTED = parse_networks(["127.0.0.1", "10.0.0.0/8", "::1"], "trusted_proxies")


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    # No trusted proxy in between: the header is ignored, whatever it says.
    ("198.51.100.4", ["203.0.113.9"], "198.51.100.4"),
    ("198.51.100.4", [], "198.51.100.4"),
    # A trusted proxy: the hop it saw, the rightmost untrusted one.
    ("127.0.0.1", ["203.0.113.9"], "203.0.113.9"),
    ("127.0.0.1", ["1.1.1.1, 203.0.113.9"], "203.0.113.9"),
    ("127.0.0.1", ["1.1.1.1", "203.0.113.9"], "203.0.113.9"),
    # A chain of trusted proxies is walked through.
    ("127.0.0.1", ["6.6.6.6, 203.0.113.9, 10.1.2.3"], "203.0.113.9"),
    # Garbage a client prepended is never reached; garbage from a proxy stops the walk.
    ("127.0.0.1", ["not-an-ip, 203.0.113.9"], "203.0.113.9"),
    ("127.0.0.1", ["203.0.113.9, junk"], "127.0.0.1"),
    # A trusted proxy that says nothing is the client itself.
    ("127.0.0.1", [], "127.0.0.1"),
    # Every hop trusted: the leftmost.
    ("10.0.0.5", ["10.0.0.7, 127.0.0.1"], "10.0.0.7"),
    # Address spellings: IPv6 in brackets, IPv4-mapped IPv6, a zone.
    ("::1", ["[2001:db8::7]"], "2001:db8::7"),
    ("::ffff:127.0.0.1", ["203.0.113.9"], "203.0.113.9"),
    ("::ffff:198.51.100.4", ["203.0.113.9"], "198.51.100.4"),
])
def test_client_address(peer: str, forwarded: list[str], client: str) -> None:
    """The rightmost hop that no trusted proxy vouches for is the client."""
    assert client_address(request_from(peer, *forwarded), TRUSTED) == client


def test_client_address_from_an_engineio_environ() -> None:
    """An Engine.IO environ is judged by the request it carries, not its placeholder REMOTE_ADDR."""
    req = request_from("127.0.0.1", "203.0.113.9")
    environ: dict[str, Any] = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4",
                               "aiohttp.request": req}
    assert client_address(environ, TRUSTED) == "203.0.113.9"
    assert client_address(environ, ()) == "127.0.0.1"
    plain = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "5.6.7.8, 203.0.113.9"}
    assert client_address(plain, TRUSTED) == "203.0.113.9"


def config_with(tmp_path: Path, lines: str) -> Path:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[server]\n", f"[server]\n{lines}\n", 1), encoding="utf-8")
    return path


def test_settings_are_read_and_validated(tmp_path: Path) -> None:
    """trusted_proxies and metrics_allow take addresses and CIDRs; bad entries stop start-up."""
    path = config_with(tmp_path, 'trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]\n'
                                 'metrics_allow = ["192.0.2.0/24"]\n'
                                 f'metrics_token = "{TOKEN}"')
    config = load(path)
    assert config.trusted_proxies == (ipaddress.ip_network("127.0.0.1/32"),
                                      ipaddress.ip_network("10.0.0.0/8"))
    assert config.metrics_allow == (ipaddress.ip_network("192.0.2.0/24"),)
    assert config.metrics_token == TOKEN
    assert load(config_with(tmp_path, "")).trusted_proxies == ()
    for bad in ('trusted_proxies = ["localhost"]', 'trusted_proxies = "127.0.0.1"',
                'trusted_proxies = [1]', 'metrics_allow = ["10.0.0.0/33"]',
                'metrics_token = "short"', "metrics_token = 5"):
        with pytest.raises(ConfigError):
            load(config_with(tmp_path, bad))


async def join_status(server: Server, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    async with server.http.post(f"{server.url}/api/events/testfair/join",
                                json={"name": "Aino"}, headers=headers) as resp:
        return resp.status


def join_once_config(tmp_path: Path, server_lines: str = "") -> Path:
    """One join per address (in practice), plus `server_lines` in [server]."""
    path = config_with(tmp_path, server_lines)
    text = path.read_text(encoding="utf-8")
    once = "[limits]\njoin = { burst = 1, per_second = 0.001 }\n"
    path.write_text(text.replace("[limits]\n", once), encoding="utf-8")
    return path


async def test_forged_forwarded_for_is_ignored_without_trusted_proxies(tmp_path: Path) -> None:
    """With no trusted proxy, a client changing X-Forwarded-For is still one address."""
    path = join_once_config(tmp_path)
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        assert await join_status(srv, "203.0.113.1") == 201
        assert await join_status(srv, "203.0.113.2") == 429
        assert await join_status(srv) == 429
        assert srv.app[JOIN_LIMITS].holders() <= {"127.0.0.1"}


async def test_join_limit_counts_the_client_behind_a_trusted_proxy(tmp_path: Path) -> None:
    """Behind a trusted proxy each client address has its own join budget."""
    path = join_once_config(tmp_path, 'trusted_proxies = ["127.0.0.1"]')
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        assert await join_status(srv, "203.0.113.1") == 201
        assert await join_status(srv, "203.0.113.2") == 201
        assert await join_status(srv, "203.0.113.1") == 429
        # What a client put before the proxy's own entry changes nothing.
        assert await join_status(srv, "198.51.100.9, 203.0.113.2") == 429


async def metrics_status(server: Server, **headers: str) -> int:
    async with server.http.get(f"{server.url}/metrics", headers=headers) as resp:
        return resp.status


async def test_metrics_behind_a_proxy_is_judged_by_the_client(tmp_path: Path) -> None:
    """A request relayed by the (loopback) proxy does not get loopback's access; the
    client's own address or the token decides."""
    path = config_with(tmp_path, 'trusted_proxies = ["127.0.0.1"]\n'
                                 'metrics_allow = ["192.0.2.0/24"]\n'
                                 f'metrics_token = "{TOKEN}"')
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        assert await metrics_status(srv) == 200  # a local scraper, not relayed
        assert await metrics_status(srv, **{"X-Forwarded-For": "203.0.113.9"}) == 404
        assert await metrics_status(srv, **{"X-Forwarded-For": "127.0.0.1, 203.0.113.9"}) == 404
        assert await metrics_status(srv, **{"X-Forwarded-For": "192.0.2.44"}) == 200
        assert await metrics_status(srv, **{"X-Forwarded-For": "203.0.113.9"},
                                    Authorization=f"Bearer {TOKEN}") == 200
        assert await metrics_status(srv, **{"X-Forwarded-For": "203.0.113.9"},
                                    Authorization=f"Bearer {TOKEN[:-1]}x") == 404


async def test_metrics_relayed_by_an_undeclared_proxy_needs_the_token(tmp_path: Path) -> None:
    """Proxy headers from a peer not in trusted_proxies (a forgotten setting) mean the
    real client is unknown: loopback opens nothing then, only the token does."""
    path = config_with(tmp_path, f'metrics_token = "{TOKEN}"')
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        assert await metrics_status(srv) == 200
        for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
            value = "for=203.0.113.9" if header == "Forwarded" else "203.0.113.9"
            assert await metrics_status(srv, **{header: value}) == 404, header
        assert await metrics_status(srv, **{"X-Forwarded-For": "203.0.113.9"},
                                    Authorization=f"Bearer {TOKEN}") == 200


async def test_metrics_token_is_off_by_default(server: Server) -> None:
    """Without metrics_token no bearer token opens /metrics for a relayed request."""
    assert await metrics_status(server, **{"X-Forwarded-For": "203.0.113.9"},
                                Authorization="Bearer ") == 404
