"""rooms/ is sans-I/O: its modules import nothing that does I/O."""

from __future__ import annotations

import ast
from pathlib import Path

ROOMS = Path(__file__).resolve().parents[2] / "rooms"
FORBIDDEN = {
    "aiohttp", "socketio", "engineio", "aiosqlite", "sqlite3", "asyncio", "socket",
    "server", "os", "subprocess", "time", "threading", "requests", "urllib", "http",
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_rooms_imports_no_io() -> None:
    """No module of rooms/ imports networking, storage, the event loop, the clock or server/."""
    offenders = {
        str(path.relative_to(ROOMS)): sorted(imported_roots(path) & FORBIDDEN)
        for path in ROOMS.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
