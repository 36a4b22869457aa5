"""`[media]` of config.toml: parsed, validated, optional; the engine it builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import ConfigError, load
from server.media.janus_engine import JanusEngine
from server.media.janus_link import ExternalJanus
from server.media.managed import ManagedJanus
from server.media.pool import PoolEngine
from server.media.settings import MediaConfig, build_engine
from tests.conftest import write_config


def test_media_is_optional_and_managed_by_default(tmp_path: Path) -> None:
    """A config without [media] gets media on with a managed Janus."""
    media = load(write_config(tmp_path, media="")).media
    assert media == MediaConfig() and media.enabled and media.janus == "managed"


def test_a_full_media_table_is_read(tmp_path: Path) -> None:
    """Every [media] setting is read into MediaConfig."""
    media = load(write_config(tmp_path, media="""
        janus = ["ws://10.0.0.5:8188"]
        janus_api_secret = "a"
        janus_token_secret = "t"
        rtp_ports = [30000, 30099]
        public_ip = "203.0.113.7"
        ice_interfaces = ["eth0"]
        ice_servers = [{urls = "stun:stun.example.org:3478"},
                       {urls = ["turn:turn.example.org:3478", "turns:turn.example.org:443"]}]
        turn_secret = "coturn"
        max_video = 4
    """)).media
    assert media.janus == ("ws://10.0.0.5:8188",) and media.rtp_ports == (30000, 30099)
    assert media.ice_servers[1] == ("turn:turn.example.org:3478", "turns:turn.example.org:443")
    stun, turn = media.ice_servers_for("p_1", now=1000)
    assert stun == {"urls": ["stun:stun.example.org:3478"]}
    assert turn["username"] == f"{1000 + media.turn_ttl}:p_1" and turn["credential"]


@pytest.mark.parametrize("table", [
    'janus = "somewhere"', 'janus = ["http://x"]', 'janus = ["ws://x"]',
    "rtp_ports = [10, 20]", "rtp_ports = [30000, 20000]", 'ice_servers = [{urls = "http://x"}]',
    'enabled = "yes"', "max_video = 0", "surprise = 1",
    "hearing_full = 500\nhearing_silent = 400",
])
def test_bad_media_settings_are_refused(tmp_path: Path, table: str) -> None:
    """A bad [media] value stops the server at start with a ConfigError."""
    with pytest.raises(ConfigError):
        load(write_config(tmp_path, media=table))


def test_build_engine_follows_the_settings(tmp_path: Path) -> None:
    """Off gives no engine; managed gives one over a ManagedJanus; URLs an external one."""
    assert build_engine(MediaConfig(enabled=False), tmp_path) is None
    managed = build_engine(MediaConfig(), tmp_path)
    assert isinstance(managed, JanusEngine) and isinstance(managed.managed, ManagedJanus)
    external = build_engine(MediaConfig(janus=("ws://h:1",), janus_api_secret="a",
                                         janus_token_secret="t"), tmp_path)
    assert isinstance(external, JanusEngine) and external.managed is None
    assert external.target == ExternalJanus("ws://h:1", "a", "t")


def test_several_janus_urls_make_a_pool(tmp_path: Path) -> None:
    """Two URLs give a pool of two engines with the shared secrets, each relaying RTP
    to the host of its URL."""
    pool = build_engine(MediaConfig(janus=("ws://10.0.0.5:8188", "ws://10.0.0.6:8188"),
                                    janus_api_secret="a", janus_token_secret="t",
                                    janus_admin_key="k"), tmp_path)
    assert isinstance(pool, PoolEngine)
    assert [m.target for m in pool.members] == [
        ExternalJanus("ws://10.0.0.5:8188", "a", "t", "k"),
        ExternalJanus("ws://10.0.0.6:8188", "a", "t", "k")]
    assert [m.relay_host for m in pool.members] == ["10.0.0.5", "10.0.0.6"]
