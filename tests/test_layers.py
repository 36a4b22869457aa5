"""The layers of the house keep to their imports: `rooms/` uses only an allow-list
of the standard library; `server/store/` imports no web or Socket.IO library;
`server/http/` no Socket.IO and nothing of `server/realtime/`."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: What the domain may import: pure computation from the standard library.
ROOMS_ALLOWED = {
    "__future__", "collections", "dataclasses", "enum", "math", "re", "typing",
    "unicodedata", "itertools", "functools", "heapq", "bisect", "statistics", "random",
    "rooms",
}


def imports(path: Path) -> set[str]:
    """Every module a file imports, dotted, absolute imports only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def offenders(folder: str, bad: Callable[[str], bool]) -> dict[str, list[str]]:
    found = {}
    for path in (ROOT / folder).rglob("*.py"):
        hits = sorted(m for m in imports(path) if bad(m))
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    return found


def test_rooms_imports_only_allowed_stdlib() -> None:
    """rooms/ imports only the allow-listed standard library modules and itself."""
    assert offenders("rooms", lambda m: m.split(".")[0] not in ROOMS_ALLOWED) == {}


def test_store_imports_no_web_or_socketio() -> None:
    """server/store/ talks SQLite only: no aiohttp, Socket.IO or other server layer."""
    def bad(m: str) -> bool:
        return m.split(".")[0] in {"aiohttp", "socketio", "engineio"} or m.startswith(
            ("server.http", "server.realtime", "server.keys", "server.app"))
    assert offenders("server/store", bad) == {}


def test_http_imports_no_socketio() -> None:
    """server/http/ imports no Socket.IO library and nothing of server/realtime/."""
    def bad(m: str) -> bool:
        return m.split(".")[0] in {"socketio", "engineio"} or m.startswith("server.realtime")
    assert offenders("server/http", bad) == {}


def test_media_imports_no_socketio_or_http() -> None:
    """server/media/ speaks to the engine and the domain; Socket.IO and HTTP call it."""
    def bad(m: str) -> bool:
        return m.split(".")[0] in {"socketio", "engineio"} or m.startswith(
            ("server.realtime", "server.http", "server.keys", "server.app"))
    assert offenders("server/media", bad) == {}
