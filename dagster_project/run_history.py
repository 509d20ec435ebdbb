"""Dagster's run history on SQLite, written at the speed of the load instead of the disk's.

Dagster keeps its run history in SQLite files in WAL mode and opens a new connection for every
event it stores. Two costs follow: SQLite's default ``synchronous=FULL`` syncs the log on every
commit, and the last connection to close checkpoints the log into the database, syncing again.
A load stores several hundred events (a materialisation or a check result per dbt node), and on
a virtual disk those syncs were a quarter of a demo load.

In this process every SQLite connection Dagster opens gets ``synchronous=NORMAL``, the setting
SQLite recommends for WAL: a commit is durable once the log is checkpointed, and a power cut can
lose the last commits but never corrupts the file. One extra connection per file is kept open
(at most ``KEPT`` files, the least recently used closed first), so closing Dagster's connection
is no longer the last close and does not checkpoint; SQLite still checkpoints every 1,000 pages,
and the kept connection checkpoints when it closes at exit.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict

KEPT = 16
"""Files kept open at once: the run storage, the event index and a few runs' event logs."""

_kept: OrderedDict[str, sqlite3.Connection] = OrderedDict()
_lock = threading.Lock()
_installed = False


def _database_file(connection: sqlite3.Connection) -> str:
    for _seq, name, path in connection.execute("pragma database_list").fetchall():
        if name == "main":
            return path or ""
    return ""


def _keep_open(path: str) -> None:
    with _lock:
        if path in _kept:
            _kept.move_to_end(path)
            return
        keeper = sqlite3.connect(path, check_same_thread=False)
        keeper.execute("select 1 from sqlite_master limit 1").fetchall()  # opens the file
        _kept[path] = keeper
        while len(_kept) > KEPT:
            _, oldest = _kept.popitem(last=False)
            oldest.close()


def _on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    path = _database_file(dbapi_connection)
    if not path:  # an in-memory database
        return
    dbapi_connection.execute("pragma synchronous=NORMAL")
    if dbapi_connection.execute("pragma journal_mode").fetchone()[0].lower() == "wal":
        _keep_open(path)


def fast_sqlite_commits() -> None:
    """Apply the above to every SQLite connection SQLAlchemy opens in this process (once)."""
    global _installed
    with _lock:
        if _installed:
            return
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        event.listen(Engine, "connect", _on_connect)
        _installed = True


def kept_files() -> list[str]:
    """The files whose extra connection is open now (for tests and diagnostics)."""
    with _lock:
        return list(_kept)
