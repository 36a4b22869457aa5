"""Who is on the other end: the client address behind trusted reverse proxies.

Rule: `X-Forwarded-For` is believed only as far as a trusted proxy vouches for
it. Starting from the direct peer, walk the header from the right; every hop
that is a trusted proxy passes us on to the hop it saw; the first untrusted hop
is the client. A client can prepend anything to the header, but cannot change
what a trusted proxy appended, so forged entries are never reached. With no
trusted proxies (the default) the header is ignored altogether.

Both the HTTP routes (an aiohttp `Request`) and Socket.IO (an Engine.IO WSGI-ish
`environ`) call `client_address`, so every per-address limit counts the same key.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Key used when the peer's address is unknown (a Unix socket, a closed transport).
UNKNOWN = "?"


def parse_networks(values: object, setting: str) -> tuple[Network, ...]:
    """`["127.0.0.1", "10.0.0.0/8", "::1"]` as networks; ValueError names the bad entry."""
    if not isinstance(values, list | tuple):
        raise ValueError(f"{setting} must be a list of addresses or CIDRs")
    networks = []
    for value in values:
        if not isinstance(value, str):
            raise ValueError(f"{setting}: {value!r} is not an address or CIDR string")
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{setting}: {value!r} is not an address or CIDR") from None
    return tuple(networks)


def parse_address(text: str | None) -> Address | None:
    """An address as a proxy or the socket writes it: `1.2.3.4`, `::1`, `[::1]`,
    `fe80::1%eth0`; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4. None if not one."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def within(address: Address | None, networks: Iterable[Network]) -> bool:
    return address is not None and any(address in net for net in networks)


def _peer_and_forwarded(source: web.BaseRequest | Mapping[str, Any]) -> tuple[str | None, str]:
    # Checked first: an aiohttp request is itself a Mapping (of per-request state).
    if not isinstance(source, web.BaseRequest):
        request = source.get("aiohttp.request")
        if not isinstance(request, web.BaseRequest):  # a plain WSGI-like environ
            return source.get("REMOTE_ADDR"), str(source.get("HTTP_X_FORWARDED_FOR", ""))
        source = request
    forwarded = ",".join(source.headers.getall("X-Forwarded-For", ()))
    return source.remote, forwarded


def forwarded_through(
    source: web.BaseRequest | Mapping[str, Any], trusted: tuple[Network, ...],
) -> bool:
    """Whether a trusted proxy relayed this request (the peer is trusted and says who for)."""
    peer, forwarded = _peer_and_forwarded(source)
    return bool(forwarded.strip()) and within(parse_address(peer), trusted)


def client_address(
    source: web.BaseRequest | Mapping[str, Any], trusted: tuple[Network, ...],
) -> str:
    """The client's address as a string, for per-address limits and access checks.

    `source` is an aiohttp request or an Engine.IO environ (which carries the
    request under `aiohttp.request`; its `REMOTE_ADDR` is a placeholder)."""
    peer, forwarded = _peer_and_forwarded(source)
    current = parse_address(peer)
    if current is None:
        return peer or UNKNOWN
    if not within(current, trusted):
        return str(current)
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = parse_address(hop)
        if address is None:
            # A trusted proxy passed on garbage: stop at the last hop we can vouch for.
            return str(current)
        current = address
        if not within(current, trusted):
            return str(current)
    return str(current)
