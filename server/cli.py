"""The command line: `kohtaamo serve`, `kohtaamo staff add`, `kohtaamo backup` and
`kohtaamo restore`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path

from aiohttp import web

from rooms.model import Role
from rooms.profile import Profile
from server import metrics, shutdown
from server.app import create_app
from server.config import Config, ConfigError, load
from server.keys import WORLD
from server.realtime import tuning
from server.store import backup
from server.store.storage import Storage
from server.tokens import hash_token, new_token
from server.world import World, ensure_events, now_ms

log = logging.getLogger("kohtaamo")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kohtaamo", description="Online networking events.")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--config", type=Path)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--db", type=Path)
    staff = sub.add_parser("staff", help="manage hosts and moderators")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_sub.add_parser("add", help="create a host or moderator and print their link")
    add.add_argument("event")
    add.add_argument("--role", choices=["host", "moderator"], required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--config", type=Path)
    add.add_argument("--db", type=Path)
    add.add_argument("--json", action="store_true")
    for name, text in (("backup", "copy the database to PATH (safe while serving)"),
                       ("restore", "replace the database with the backup at PATH"
                                   " (the server must be stopped)")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("path", type=Path)
        cmd.add_argument("--config", type=Path)
        cmd.add_argument("--db", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    try:
        # `staff add` has no --host or --port
        config = load(args.config, host=getattr(args, "host", None),
                      port=getattr(args, "port", None), database=args.db)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    if args.command == "serve":
        with asyncio.Runner(loop_factory=tuning.loop_factory(config.tuning)) as runner:
            return runner.run(serve(config))
    if args.command in ("backup", "restore"):
        return backup_or_restore(args.command, config.database, args.path)
    return asyncio.run(staff_add(config, args.event, Role(args.role), args.name, args.json))


def backup_or_restore(command: str, db: Path, path: Path) -> int:
    """`kohtaamo backup PATH` / `kohtaamo restore PATH` (server/store/backup.py)."""
    try:
        if command == "backup":
            backup.backup(db, path)
            log.info("backed up %s to %s", db, path)
        else:
            backup.restore(path, db)
            log.info("restored %s from %s", db, path)
    except backup.BackupError as exc:
        log.error("%s", exc)
        return 1
    return 0


async def add_staff(world: World, slug: str, role: Role, name: str) -> tuple[str, str]:
    """Create a staff person; returns (token, person id)."""
    token, person = await world.add_person(slug, role, Profile(name=name))
    return token, person.id


def staff_link(base: str, slug: str, token: str) -> str:
    return f"{base}/e/{slug}#token={token}"


async def staff_add(config: Config, slug: str, role: Role, name: str, as_json: bool) -> int:
    """Create a staff person in the database, safe beside a live server: it loads no
    floor and touches nothing of the server's (its open visits above all); the
    server learns of the person when their token first connects."""
    storage = await Storage.open(config.database)
    try:
        await ensure_events(storage, config)
        if await storage.event(slug) is None:
            known = ", ".join(await storage.event_slugs()) or "none"
            log.error("no event %r (known: %s)", slug, known)
            return 1
        try:
            profile = Profile.parse({"name": name})
        except Exception as exc:
            log.error("bad name: %s", exc)
            return 1
        token = new_token()
        person_id = await storage.create_person(slug, role, profile, hash_token(token), now_ms())
    finally:
        await storage.close()
    link = staff_link(config.link(config.host, config.port), slug, token)
    if as_json:
        sys.stdout.write(json.dumps({"token": token, "person": person_id, "link": link}) + "\n")
    else:
        sys.stdout.write(f"{role.value} {name}: {link}\n")
    return 0


async def serve(config: Config) -> int:
    app = create_app(config)
    # aiohttp's own wait for each connection's handler: a share of the budget
    runner = web.AppRunner(app, handle_signals=False, access_log=None,
                           shutdown_timeout=config.shutdown_seconds / 4)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    port = sockets[0].getsockname()[1] if sockets else config.port
    base = config.link(config.host, port)
    await _print_links(app[WORLD], base)
    loop = asyncio.get_running_loop()
    log.info("event loop: %s", metrics.loop_name(loop))
    log.info("listening on http://%s:%d", config.host, port)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")
    return 0 if await shutdown.stop(runner, config.shutdown_seconds) else 1


async def _print_links(world: World, base: str) -> None:
    """Print each event's link, and first-time host and moderator links."""
    lines = []
    for slug in world.events:
        lines.append(f"Event {slug}: {base}/e/{slug}")
        counts = await world.storage.count_staff(slug)
        for role in (Role.HOST, Role.MODERATOR):
            if counts.get(role.value, 0) == 0:
                name = "Host" if role is Role.HOST else "Moderator"
                token, _ = await add_staff(world, slug, role, name)
                lines.append(f"  {role.value} link (keep it secret): "
                              f"{staff_link(base, slug, token)}")
        lines.append(f"  more staff: kohtaamo staff add {slug} --role host|moderator --name NAME")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
