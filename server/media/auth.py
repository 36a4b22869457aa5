"""Credentials minted in Python: Janus's signed tokens and coturn's TURN passwords.

Both are HMAC-SHA1 over a string that starts with an expiry in Unix seconds,
base64-encoded, exactly as the checking side computes them: Janus 1.1.2's
`src/auth.c` (`janus_auth_check_signature[_contains]`) and coturn's
`use-auth-secret` (the TURN REST API scheme). Pure functions of a clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

#: The realm of the core's tokens and the package of the one plugin they grant.
CORE_REALM = "janus"
VIDEOROOM = "janus.plugin.videoroom"


def _sign(secret: str, data: str) -> str:
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_token(secret: str, expires: int, realm: str, *descriptors: str) -> str:
    """`"<expires>,<realm>[,<descriptor>…]:" + base64(HMAC-SHA1(secret, that data))`."""
    if any("," in d or ":" in d for d in (realm, *descriptors)):
        raise ValueError("token parts may not contain ',' or ':'")
    data = ",".join((str(int(expires)), realm, *descriptors))
    return f"{data}:{_sign(secret, data)}"


def core_token(secret: str, now: float, ttl: float = 3600) -> str:
    """A token for Janus's core (`token_auth_secret`) that may attach to the videoroom."""
    return signed_token(secret, int(now + ttl), CORE_REALM, VIDEOROOM)


def room_token(secret: str, room: int, now: float, ttl: float = 3600) -> str:
    """A token for joining videoroom `room` when it was created with `signed_tokens`."""
    return signed_token(secret, int(now + ttl), VIDEOROOM, f"room={room}")


def turn_credentials(secret: str, user: str, now: float, ttl: float = 6 * 3600) -> tuple[str, str]:
    """coturn `use-auth-secret`: username `"<expiry>:<user>"`, password base64(HMAC-SHA1)."""
    username = f"{int(now + ttl)}:{user}"
    return username, _sign(secret, username)
