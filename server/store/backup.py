"""Backups and restores of the SQLite database, and the lock that keeps them apart.

Every process that opens the database through `Storage` holds a shared `flock`
on `DB.lock` beside it for as long as it has it open (the server for its whole
life); `restore` takes it exclusively without waiting, so it refuses while a
server (or a backup, or `staff add`) has the database open. The kernel drops
the lock when a process dies, even by `kill -9`: a stale lock cannot exist.

`backup` uses SQLite's online backup API in one step: it reads one consistent
snapshot while the server goes on writing (WAL readers do not block writers).
Synchronous on purpose: these run from the command line, not in the server.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from server.store.migrations import MIGRATIONS


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def hold_shared(db: Path) -> IO[bytes]:
    """Take the shared lock for `db`; keep the returned file open as long as it is used.

    Raises BackupError while a restore replaces the database.
    """
    handle = open(lock_path(db), "ab")  # held open on purpose: the lock lives with it
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise BackupError(f"{db} is being restored; try again in a moment") from None
    return handle


@contextlib.contextmanager
def _exclusive(db: Path) -> Iterator[None]:
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(db), "ab") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                f"{db} is in use (a server is running on it, or a backup): stop it first"
            ) from None
        yield


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(source: sqlite3.Connection, dest: Path) -> None:
    """Copy `source` into a self-contained file at `dest` (no -wal beside it), checked."""
    dest.unlink(missing_ok=True)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # pages=-1: one step, one consistent snapshot
        target.execute("PRAGMA journal_mode=DELETE")
        (result,) = target.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise BackupError(f"the copy failed its integrity check: {result}")
    finally:
        target.close()
    with open(dest, "rb") as handle:
        os.fsync(handle.fileno())


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def backup(db: Path, dest: Path) -> None:
    """Write a consistent copy of `db` to `dest` (replaced atomically), safe while serving."""
    if not db.is_file():
        raise BackupError(f"there is no database at {db}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(dest)
    lock = hold_shared(db)
    try:
        source = sqlite3.connect(db)
        try:
            source.execute("PRAGMA busy_timeout=5000")
            _copy(source, temp)
        finally:
            source.close()
        os.replace(temp, dest)
        _fsync_dir(dest.parent)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {db}: {exc}") from exc
    finally:
        temp.unlink(missing_ok=True)
        lock.close()


def _check_backup(source: sqlite3.Connection, path: Path) -> None:
    (version,) = source.execute("PRAGMA user_version").fetchone()
    tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if version < 1 or not {"events", "people"} <= tables:
        raise BackupError(f"{path} is not a Kohtaamo database")
    if version > len(MIGRATIONS):
        raise BackupError(f"{path} was written by a newer Kohtaamo (schema {version})")


def restore(source_path: Path, db: Path) -> None:
    """Replace `db` with the backup at `source_path`, atomically; refuses while `db` is open.

    The copy is made and checked beside `db` first; then `db`'s WAL is folded in
    and its stale -wal/-shm removed (so none can be replayed onto the restored
    file), and the copy is renamed over `db`. Schema migrations run at the next start.
    """
    if not source_path.is_file():
        raise BackupError(f"there is no backup at {source_path}")
    with _exclusive(db):
        temp = _temp_beside(db)
        try:
            source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                _check_backup(source, source_path)
                _copy(source, temp)
            finally:
                source.close()
            if db.exists():
                old = sqlite3.connect(db)
                try:  # nothing else has it open: the WAL can be folded in and closed
                    old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    pass  # a damaged database is what a restore is for
                finally:
                    old.close()
            for suffix in ("-wal", "-shm"):
                db.with_name(db.name + suffix).unlink(missing_ok=True)
            os.replace(temp, db)
            _fsync_dir(db.parent)
        except sqlite3.Error as exc:
            raise BackupError(f"cannot restore from {source_path}: {exc}") from exc
        finally:
            temp.unlink(missing_ok=True)
