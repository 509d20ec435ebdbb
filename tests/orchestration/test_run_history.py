"""Dagster's SQLite run history: commits without a sync each, and no checkpoint at every close."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from dagster_project.run_history import fast_sqlite_commits, kept_files


def _wal_database(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("pragma journal_mode=wal")
    con.execute("create table event_logs (id integer primary key, body text)")
    con.commit()
    con.close()


def test_a_connection_as_dagster_opens_it_commits_without_syncing_each_event(
    tmp_path: Path,
) -> None:
    database = tmp_path / "run.db"
    _wal_database(database)
    fast_sqlite_commits()
    engine = sa.create_engine(f"sqlite:///{database}", poolclass=NullPool)  # as Dagster does
    with engine.connect() as connection:
        assert connection.exec_driver_sql("pragma synchronous").scalar() == 1  # NORMAL
        connection.exec_driver_sql("insert into event_logs (body) values ('an event')")
        connection.commit()
    # Dagster's connection closed, but it was not the last one: no checkpoint, the log stays.
    assert Path(f"{database}-wal").exists()
    assert str(database) in kept_files()
    with sqlite3.connect(database) as reader:  # another process sees the committed event
        assert reader.execute("select count(*) from event_logs").fetchone()[0] == 1
    engine.dispose()


def test_a_database_not_in_wal_mode_is_left_as_it_is(tmp_path: Path) -> None:
    database = tmp_path / "plain.db"
    sqlite3.connect(database).close()
    fast_sqlite_commits()
    engine = sa.create_engine(f"sqlite:///{database}", poolclass=NullPool)
    with engine.connect() as connection:
        connection.exec_driver_sql("create table t (x integer)")
        connection.commit()
    assert str(database) not in kept_files()
    engine.dispose()


def test_without_it_the_last_close_checkpoints_and_removes_the_log(tmp_path: Path) -> None:
    """What the kept connection avoids, shown with SQLite alone."""
    database = tmp_path / "bare.db"
    _wal_database(database)
    con = sqlite3.connect(database)
    con.execute("insert into event_logs (body) values ('an event')")
    con.commit()
    con.close()
    assert not Path(f"{database}-wal").exists()
