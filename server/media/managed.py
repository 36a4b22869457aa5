"""A local Janus that Kohtaamo starts, watches and restarts itself.

The Debian package's own service is never used: the server writes a config
folder of its own (only the videoroom plugin and the WebSocket transport, the
API on 127.0.0.1 with fresh secrets, the admin API off), starts
`janus -F DIR -C DIR/janus.jcfg`, waits until the WebSocket answers, and keeps
one owned supervisor task that notices the process dying, logs it, starts it
again with backoff and tells the server (`on_restart`) so calls can be made
again. The secrets and the port stay the same across restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import glob
import logging
import os
import secrets
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

log = logging.getLogger(__name__)

#: Where Debian (and a source build) put Janus's loadable modules.
MODULE_ROOTS = (
    "/usr/lib/*/janus", "/usr/lib/janus", "/usr/local/lib/janus", "/opt/janus/lib/janus",
)
PLUGIN = "libjanus_videoroom.so"
TRANSPORT = "libjanus_websockets.so"
#: Janus may not write below these (its own recording and config-saving paths).
PROTECTED = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sbin", "/sys", "/usr")


def _die_with_parent() -> list[str]:
    """A prefix that makes Janus die with the server even on `kill -9` (Linux's
    parent-death signal, set by util-linux's `setpriv` before it execs Janus), so a
    restarted server never meets an orphan Janus holding its RTP ports. Without
    `setpriv`, nothing: the server's stop still ends Janus."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM"] if setpriv else []


class JanusNotFound(RuntimeError):
    """The `janus` binary or its videoroom plugin / WebSocket transport is missing."""


@dataclasses.dataclass(frozen=True)
class ManagedSettings:
    #: UDP ports Janus may use for media, inclusive.
    rtp_ports: tuple[int, int] = (20000, 20199)
    #: The address people reach this machine at, when it is behind a 1:1 NAT.
    public_ip: str = ""
    #: Only these interfaces (names or address prefixes) for ICE; empty: every non-loopback one.
    ice_interfaces: tuple[str, ...] = ()
    #: Janus drops a session it has not heard from for this long; we ping every third of it.
    session_timeout: int = 60
    debug_level: int = 3
    binary: str = "janus"
    #: How long to wait for a started Janus to answer on its WebSocket.
    start_timeout: float = 15.0


def module_folders() -> tuple[Path, Path]:
    """The package's plugin and transport folders; JanusNotFound when absent."""
    for pattern in MODULE_ROOTS:
        for root in sorted(glob.glob(pattern)):
            plugins, transports = Path(root) / "plugins", Path(root) / "transports"
            if (plugins / PLUGIN).exists() and (transports / TRANSPORT).exists():
                return plugins, transports
    raise JanusNotFound(f"no {PLUGIN} / {TRANSPORT} under {', '.join(MODULE_ROOTS)}")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _others(folder: Path, keep: str) -> str:
    return ",".join(sorted(p.name for p in folder.glob("*.so") if p.name != keep))


@dataclasses.dataclass
class Secrets:
    api_secret: str = dataclasses.field(default_factory=lambda: secrets.token_urlsafe(24))
    token_secret: str = dataclasses.field(default_factory=lambda: secrets.token_urlsafe(24))
    #: The videoroom's `admin_key`: only holders may create rooms.
    admin_key: str = dataclasses.field(default_factory=lambda: secrets.token_urlsafe(24))


def write_config(folder: Path, settings: ManagedSettings, port: int, keys: Secrets) -> Path:
    """Write janus.jcfg and the two module configs into `folder`; return janus.jcfg."""
    plugins, transports = module_folders()
    empty = folder / "none"
    empty.mkdir(parents=True, exist_ok=True)
    low, high = settings.rtp_ports
    nat = ['ice_ignore_list = "vmnet,127.0.0."', "ignore_mdns = true", "nice_debug = false"]
    if settings.ice_interfaces:
        nat.append(f'ice_enforce_list = "{",".join(settings.ice_interfaces)}"')
    if settings.public_ip:
        nat.append(f'nat_1_1_mapping = "{settings.public_ip}"')
    protected = ", ".join(f'"{p}"' for p in PROTECTED)
    nat_lines = "\n    ".join(nat)
    main = f"""\
# Written by Kohtaamo (server/media/managed.py) at each start; edits are lost.
general: {{
    configs_folder = "{folder}"
    plugins_folder = "{plugins}"
    transports_folder = "{transports}"
    events_folder = "{empty}"
    loggers_folder = "{empty}"
    debug_level = {settings.debug_level}
    debug_timestamps = true
    debug_colors = false
    log_to_stdout = true
    server_name = "kohtaamo"
    session_timeout = {settings.session_timeout}
    reclaim_session_timeout = 0
    hide_dependencies = true
    api_secret = "{keys.api_secret}"
    token_auth = true
    token_auth_secret = "{keys.token_secret}"
    admin_secret = "{secrets.token_urlsafe(24)}"
    protected_folders = [{protected}]
}}
certificates: {{
}}
media: {{
    rtp_port_range = "{low}-{high}"
}}
nat: {{
    {nat_lines}
}}
plugins: {{
    disable = "{_others(plugins, PLUGIN)}"
}}
transports: {{
    disable = "{_others(transports, TRANSPORT)}"
}}
loggers: {{
}}
events: {{
    broadcast = false
}}
"""
    websockets = f"""\
general: {{
    json = "compact"
    ws = true
    ws_port = {port}
    ws_ip = "127.0.0.1"
    wss = false
    ws_logging = "err,warn"
}}
admin: {{
    admin_ws = false
    admin_wss = false
}}
"""
    videoroom = f"""\
general: {{
    admin_key = "{keys.admin_key}"
    lock_rtp_forward = true
    string_ids = false
}}
"""
    (folder / "janus.transport.websockets.jcfg").write_text(websockets, encoding="utf-8")
    (folder / "janus.plugin.videoroom.jcfg").write_text(videoroom, encoding="utf-8")
    path = folder / "janus.jcfg"
    path.write_text(main, encoding="utf-8")
    path.chmod(0o600)
    return path


async def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether a Janus WebSocket API at `url` answers an `info` request."""
    try:
        async with aiohttp.ClientSession() as http, http.ws_connect(
            url, protocols=("janus-protocol",), timeout=aiohttp.ClientWSTimeout(ws_close=timeout)
        ) as ws:
            await ws.send_json({"janus": "info", "transaction": "ready"})
            reply = await ws.receive_json(timeout=timeout)
            return bool(reply.get("janus") == "server_info")
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError):
        return False


class ManagedJanus:
    """One supervised Janus process. `url`, `api_secret`, `token_secret`, `admin_key`
    are what a client needs; `on_restart` is called after each restart that succeeded."""

    def __init__(
        self, folder: Path, settings: ManagedSettings | None = None,
        on_restart: Callable[[], None] | None = None,
    ) -> None:
        self.folder = folder
        self.settings = settings or ManagedSettings()
        self.on_restart = on_restart
        self.keys = Secrets()
        self.port = 0
        self.restarts = 0
        self._process: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def api_secret(self) -> str:
        return self.keys.api_secret

    @property
    def token_secret(self) -> str:
        return self.keys.token_secret

    @property
    def admin_key(self) -> str:
        return self.keys.admin_key

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process and self._process.returncode is None else None

    def rss_bytes(self) -> int | None:
        """The process's resident memory, from /proc; None when not running."""
        pid = self.pid
        if pid is None:
            return None
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return None

    async def start(self) -> None:
        """Write the config, start Janus and wait until it answers; then supervise it."""
        if shutil.which(self.settings.binary) is None:
            raise JanusNotFound(
                f"{self.settings.binary!r} is not installed (Debian: apt install janus)")
        self.folder.mkdir(parents=True, exist_ok=True)
        self._stopping = False
        await self._launch()
        self._supervisor = asyncio.create_task(self._supervise(), name="janus-supervisor")

    async def stop(self) -> None:
        """Stop supervising and end the process (SIGTERM, then SIGKILL after 5 s)."""
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        await self._terminate()

    async def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def _launch(self) -> None:
        """Start the process; raise RuntimeError if it does not answer in time."""
        if not self.port:
            self.port = free_port()
        config = write_config(self.folder, self.settings, self.port, self.keys)
        logfile = (self.folder / "janus.log").open("ab")
        try:
            self._process = await asyncio.create_subprocess_exec(
                *_die_with_parent(), self.settings.binary, "-F", str(self.folder),
                "-C", str(config),
                stdin=asyncio.subprocess.DEVNULL, stdout=logfile, stderr=asyncio.subprocess.STDOUT,
                # its own process group: a terminal's Ctrl-C reaches the server, which stops it
                start_new_session=True,
            )
        finally:
            logfile.close()
        began = time.monotonic()
        while time.monotonic() - began < self.settings.start_timeout:
            if self._process.returncode is not None:
                break
            if await answers(self.url, timeout=1.0):
                log.info("janus %d answers on %s after %.2f s", self._process.pid, self.url,
                         time.monotonic() - began)
                return
            await asyncio.sleep(0.05)
        await self._terminate()
        self.port = 0  # maybe the port was taken meanwhile: choose another next time
        raise RuntimeError(f"janus did not answer within {self.settings.start_timeout} s; "
                           f"see {self.folder / 'janus.log'}")

    async def _supervise(self) -> None:
        delay = 0.0
        while True:
            assert self._process is not None
            began = time.monotonic()
            code = await self._process.wait()
            if self._stopping:
                return
            log.error("janus %d exited with %s; restarting (log: %s)",
                      self._process.pid, code, self.folder / "janus.log")
            # a Janus that ran a while restarts at once; one that keeps dying, ever slower
            delay = 0.0 if time.monotonic() - began > 30 else min(max(delay * 2, 0.25), 15.0)
            while True:
                await asyncio.sleep(delay)
                try:
                    await self._launch()
                    break
                except (RuntimeError, OSError) as exc:
                    log.error("janus restart failed: %s", exc)
                    delay = min(max(delay * 2, 0.25), 15.0)
            self.restarts += 1
            if self.on_restart is not None:
                try:
                    self.on_restart()
                except Exception:
                    log.exception("janus on_restart callback failed")


def janus_available(binary: str = "janus") -> bool:
    """Whether a managed Janus can be started here (binary and modules present)."""
    if shutil.which(binary) is None:
        return False
    try:
        module_folders()
    except JanusNotFound:
        return False
    return os.access(shutil.which(binary) or "", os.X_OK)
