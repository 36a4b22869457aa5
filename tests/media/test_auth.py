"""Credentials minted in Python: the exact strings Janus and coturn check."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from server.media.auth import core_token, room_token, signed_token, turn_credentials


def test_core_token_is_hmac_sha1_over_expiry_realm_and_plugin() -> None:
    """`<expiry>,janus,janus.plugin.videoroom:` + base64(HMAC-SHA1(secret, that))."""
    token = core_token("s3cret", now=1_000, ttl=60)
    data, signature = token.split(":")
    assert data == "1060,janus,janus.plugin.videoroom"
    expected = hmac.new(b"s3cret", data.encode(), hashlib.sha1).digest()
    assert base64.b64decode(signature) == expected


def test_room_token_names_the_room_in_the_videoroom_realm() -> None:
    """A room token is `<expiry>,janus.plugin.videoroom,room=<id>:` + signature."""
    assert room_token("k", 42, now=10, ttl=5).startswith("15,janus.plugin.videoroom,room=42:")


def test_token_parts_cannot_smuggle_separators() -> None:
    """A descriptor with ',' or ':' would change what Janus reads: refused."""
    with pytest.raises(ValueError):
        signed_token("k", 1, "janus", "room=1,room=2")


def test_turn_credentials_follow_coturn_use_auth_secret() -> None:
    """Username `<expiry>:<user>`, password base64(HMAC-SHA1(secret, username))."""
    username, password = turn_credentials("turnkey", "p_abc", now=100, ttl=50)
    assert username == "150:p_abc"
    digest = hmac.new(b"turnkey", b"150:p_abc", hashlib.sha1).digest()
    assert password == base64.b64encode(digest).decode()
