"""The request table: every command has exactly one handler, merged by the app from
each handler module's own table (issue 10, point 21)."""

from __future__ import annotations

from collections import Counter

import pytest

from rooms import commands as c
from server.app import REQUEST_TABLES
from server.keys import SIO
from server.media.calls import Calls
from server.media.settings import MediaConfig
from server.realtime.handlers import media as media_requests
from server.realtime.handlers import merge
from tests.conftest import Server


async def no_delivery(out: object) -> None:
    raise AssertionError


def all_tables() -> tuple[dict[type[c.Command], object], ...]:
    """The static tables and the media table (bound to the app's calls when serving)."""
    calls = Calls(MediaConfig(enabled=False), None, no_delivery, dict)
    return (*REQUEST_TABLES, dict(media_requests.handlers(calls)))  # type: ignore[arg-type]


def test_every_command_but_move_has_exactly_one_handler() -> None:
    """Each command of COMMANDS but fire-and-forget `move` is in exactly one module table."""
    counts = Counter(command for table in all_tables() for command in table)
    expected = set(c.COMMANDS.values()) - {c.Move}
    assert set(counts) == expected, set(counts) ^ expected
    assert all(n == 1 for n in counts.values()), counts


def test_merging_refuses_a_command_handled_twice() -> None:
    """Two tables that handle one command cannot be merged."""
    async def one(ctx, cmd):  # type: ignore[no-untyped-def]
        raise AssertionError

    with pytest.raises(ValueError, match="enter"):
        merge({c.Enter: one}, {c.Enter: one})


async def test_the_namespace_gets_the_merged_table(server: Server) -> None:
    """The running server's namespace answers from the merged table, no global registry."""
    namespace = server.app[SIO].namespace_handlers["/"]
    assert set(namespace.handlers) == set(merge(*all_tables()))  # type: ignore[arg-type]
    import server.realtime.handlers as package

    assert not hasattr(package, "ROUTES") and not hasattr(package, "load_all")
