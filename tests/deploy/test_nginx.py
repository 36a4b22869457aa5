"""The shipped nginx site in front of a real `kohtaamo serve`: Debian's nginx runs
the site file (placeholders filled in: ports, a self-signed certificate, the
upstream) and real clients join over HTTPS, connect Socket.IO over WebSocket and
chat through it; the per-address join limit sees each client's own address.

Clients connect from distinct loopback addresses (127.0.0.3, 127.0.0.4) while
nginx reaches the server from 127.0.0.1, the one trusted proxy, so "the client's
address" and "the proxy's address" differ as they do in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from tests.conftest import Recorder, write_config
from tests.server.process import serve

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx-kohtaamo.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT_S = 20

SERVER_SETTINGS = 'trusted_proxies = ["127.0.0.1"]\n'
ONE_JOIN_PER_ADDRESS = "join = { burst = 1, per_second = 0.001 }\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def substitute(text: str, pattern: str, replacement: str, count: int) -> str:
    """re.sub that insists the shipped file still has what the test fills in."""
    new, n = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert n == count, f"{SITE.name}: expected {count} match(es) of {pattern!r}, found {n}"
    return new


def render_site(upstream: str, http: int, https: int, cert: Path, key: Path) -> str:
    """The shipped site with the test's ports, certificate and upstream; nothing else changed."""
    site = SITE.read_text(encoding="utf-8")
    site = substitute(site, r"^\s*listen \[::\]:.*\n", "", 2)  # no IPv6 in every container
    site = substitute(site, r"listen 80;", f"listen 127.0.0.1:{http};", 1)
    site = substitute(site, r"listen 443 ssl", f"listen 127.0.0.1:{https} ssl", 1)
    site = substitute(site, r"ssl_certificate +\S+;", f"ssl_certificate {cert};", 1)
    site = substitute(site, r"ssl_certificate_key +\S+;", f"ssl_certificate_key {key};", 1)
    return substitute(site, r"server 127\.0\.0\.1:8080;", f"server {upstream};", 1)


def nginx_conf(prefix: Path, site: Path) -> str:
    temp = "\n".join(f"    {name}_temp_path {prefix / 'tmp' / name};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""
daemon off;
user root;
worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log stderr notice;
events {{ worker_connections 256; }}
http {{
    access_log {prefix / 'access.log'};
{temp}
    include {site};
}}
"""


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=kohtaamo.test", "-keyout", str(key),
         "-out", str(cert), "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=30,
    )
    return cert, key


@dataclass
class Proxy:
    http: int
    https: int
    cert: Path
    log: list[str]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https}"

    def session(self, source: str) -> aiohttp.ClientSession:
        """An HTTPS client that trusts the test certificate and connects from `source`."""
        context = ssl.create_default_context(cafile=str(self.cert))
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=context, local_addr=(source, 0)))


@contextlib.asynccontextmanager
async def nginx(tmp: Path, upstream: str) -> AsyncIterator[Proxy]:
    """Debian's nginx, as root in the foreground, on a generated config around the site."""
    assert Path(NGINX).exists(), "nginx is missing: ./dev test installs the Debian package"
    prefix = tmp / "nginx"
    (prefix / "tmp").mkdir(parents=True)
    cert, key = make_certificate(prefix)
    http, https = free_port(), free_port()
    site = prefix / "kohtaamo.conf"
    site.write_text(render_site(upstream, http, https, cert, key), encoding="utf-8")
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf(prefix, site), encoding="utf-8")
    proc = await asyncio.create_subprocess_exec(
        NGINX, "-p", str(prefix), "-c", str(conf), "-e", "stderr",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    log: list[str] = []
    try:
        async with asyncio.timeout(START_TIMEOUT_S):
            while True:  # the master logs this once its workers run
                line = (await proc.stderr.readline()).decode(errors="replace")
                if not line:
                    pytest.fail("nginx exited:\n" + "".join(log))
                log.append(line)
                if "start worker process" in line:
                    break
        warnings = [line for line in log if re.search(r"\[(warn|error|crit|alert|emerg)\]", line)]
        assert not warnings, "nginx warns about the site:\n" + "".join(warnings)
        drain = asyncio.create_task(_collect(proc.stderr, log))
        try:
            yield Proxy(http, https, cert, log)
        finally:
            proc.terminate()
            await proc.wait()
            await drain
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def _collect(stream: asyncio.StreamReader, log: list[str]) -> None:
    while line := await stream.readline():
        log.append(line.decode(errors="replace"))


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Proxy]:
    """A real server (one join per client address, 127.0.0.1 trusted) behind nginx."""
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    text = text.replace("[server]\n", "[server]\n" + SERVER_SETTINGS, 1)
    config.write_text(text.replace("[limits]\n", "[limits]\n" + ONE_JOIN_PER_ADDRESS, 1),
                      encoding="utf-8")
    async with serve(config, tmp_path / "kohtaamo.db") as (url, _proc):
        async with nginx(tmp_path, url.removeprefix("http://")) as proxy:
            yield proxy


async def join(http: aiohttp.ClientSession, proxy: Proxy, name: str,
               forwarded: str | None = None) -> tuple[int, Any]:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    async with http.post(f"{proxy.url}/api/events/testfair/join", json={"name": name},
                         headers=headers) as resp:
        return resp.status, await resp.json()


async def connect(http: aiohttp.ClientSession, proxy: Proxy, token: str) -> tuple[
        socketio.AsyncClient, Recorder]:
    """A msgpack Socket.IO client over WebSocket only, through nginx."""
    seen = Recorder()
    client = socketio.AsyncClient(serializer="msgpack", reconnection=False, http_session=http)

    async def any_event(name: str, data: Any = None) -> None:
        await seen.record(name, data)

    client.on("*", any_event)
    await client.connect(proxy.url, auth={"token": token}, transports=["websocket"],
                         wait_timeout=5)
    assert client.transport() == "websocket"
    await seen.wait_for("welcome")
    return client, seen


async def test_join_connect_and_chat_through_nginx(stack: Proxy) -> None:
    """Two people join over HTTPS, connect over WebSocket through nginx and chat."""
    async with stack.session("127.0.0.3") as http_a, stack.session("127.0.0.4") as http_b:
        status, aino = await join(http_a, stack, "Aino")
        assert status == 201, aino
        status, bertil = await join(http_b, stack, "Bertil")
        assert status == 201, bertil
        a, _ = await connect(http_a, stack, aino["token"])
        b, seen_b = await connect(http_b, stack, bertil["token"])
        try:
            ack = await a.call("say", {"text": "Hei nginxin takaa"}, timeout=5)
            assert ack["ok"], ack
            message = await seen_b.wait_for("chat", lambda m: m["text"] == "Hei nginxin takaa")
            assert message["from"] == aino["person"]["id"]
        finally:
            await a.disconnect()
            await b.disconnect()


async def test_join_limit_sees_each_clients_own_address(stack: Proxy) -> None:
    """Through nginx, the per-address join limit counts the client's address: not
    nginx's (another client still joins), not a forged X-Forwarded-For (changing
    it does not buy a second join)."""
    async with stack.session("127.0.0.3") as http_a, stack.session("127.0.0.4") as http_b:
        assert (await join(http_a, stack, "Aino", forwarded="198.51.100.1"))[0] == 201
        status, body = await join(http_a, stack, "Aino again", forwarded="198.51.100.2")
        assert status == 429 and body["error"]["code"] == "rate_limited"
        assert (await join(http_a, stack, "Aino thrice"))[0] == 429
        assert (await join(http_b, stack, "Bertil", forwarded="198.51.100.1"))[0] == 201


async def test_the_site_redirects_to_https_and_keeps_metrics_inside(stack: Proxy) -> None:
    """HTTP redirects to HTTPS; /metrics is 404 from outside; pages and the client's
    files come through with the server's security headers; oversized bodies stop at nginx."""
    async with aiohttp.ClientSession() as plain:
        async with plain.get(f"http://127.0.0.1:{stack.http}/e/testfair",
                             allow_redirects=False) as resp:
            assert resp.status == 301
            assert resp.headers["Location"].startswith("https://127.0.0.1/e/testfair")
    async with stack.session("127.0.0.3") as http:
        async with http.get(f"{stack.url}/metrics") as resp:
            assert resp.status == 404
        for path in ("/e/testfair", "/static/dist/vendor.js", "/static/src/app.js"):
            async with http.get(stack.url + path) as resp:
                assert resp.status == 200, path
                assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
                assert resp.headers["X-Content-Type-Options"] == "nosniff"
                assert "max-age" in resp.headers["Strict-Transport-Security"]
        async with http.get(f"{stack.url}/static/package.json") as resp:
            assert resp.status == 404
        async with http.post(f"{stack.url}/api/events/testfair/join",
                             data=b"x" * (65 * 1024),
                             headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 413
