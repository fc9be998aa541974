"""Connections beside the caller's: their statements commit on their own, and `spread` runs commands over
them side by side, each taking the next when free, stopping at the first error."""

import time

import psycopg
import pytest

from sql.connection import beside, connect, spread
from sql.frames import read_frame_beside


@pytest.fixture
def log(db):
    db.execute("CREATE TABLE spread_log (command integer, backend integer, started timestamptz, ended timestamptz)")
    yield db
    db.execute("DROP TABLE spread_log")


def command(n: int, seconds: float = 0.0) -> str:
    return (f"INSERT INTO spread_log SELECT {n}, pg_backend_pid(), clock_timestamp(), "
            f"(SELECT clock_timestamp() FROM pg_sleep({seconds}))")


def test_what_runs_beside_commits_whatever_the_callers_transaction_does(database_url, log):
    with psycopg.connect(database_url) as conn:  # a transaction open until rolled back
        conn.execute("SELECT 1")
        with beside(conn, 1) as (other,):
            other.execute(command(1))
        conn.rollback()
    assert [row["command"] for row in log.execute("SELECT command FROM spread_log")] == [1]


def test_spread_runs_every_command_once_side_by_side(log):
    with beside(log, 2) as others:
        pids = {conn.info.backend_pid for conn in others}
        started = time.perf_counter()
        spread(others, [command(n, 0.3) for n in range(6)])
        took = time.perf_counter() - started
    rows = log.execute("SELECT command, backend, started, ended FROM spread_log ORDER BY command").fetchall()
    assert [row["command"] for row in rows] == list(range(6))
    assert {row["backend"] for row in rows} == pids
    # Two at a time: some command started before another one ended, on the other connection.
    assert any(a["backend"] != b["backend"] and a["started"] < b["ended"] and b["started"] < a["ended"]
               for a in rows for b in rows)
    assert took < 6 * 0.3


def test_spread_raises_the_first_error_and_starts_nothing_after_it(log):
    commands = [command(0, 0.2), "SELECT no_such_column FROM spread_log", *[command(n, 0.2) for n in range(2, 8)]]
    with beside(log, 2) as others, pytest.raises(psycopg.errors.UndefinedColumn):
        spread(others, commands)
    done = [row["command"] for row in log.execute("SELECT command FROM spread_log ORDER BY command")]
    # The command in flight on the other connection when the error came may finish; no later one starts.
    assert 0 in done and len(done) <= 2


SETTINGS = "SELECT current_setting('jit') AS jit, current_setting('work_mem') AS work_mem"


def settings_everywhere(url: str) -> list[tuple]:
    """The settings on a pipeline connection, on one beside it and on a read beside it."""
    with connect(url) as conn, beside(conn, 1) as (other,):
        return [conn.execute(SETTINGS).fetchone(), other.execute(SETTINGS).fetchone(),
                read_frame_beside(conn, SETTINGS).row(0)]


def test_pipeline_connections_run_without_jit_and_keep_the_options_the_url_sets(database_url, monkeypatch):
    monkeypatch.setenv("PGOPTIONS", "-c work_mem=5MB")  # hidden by the URL's own options, as libpq has it
    url = f"{database_url}{'&' if '?' in database_url else '?'}options=-c%20work_mem%3D77MB"
    assert settings_everywhere(url) == [("off", "77MB")] * 3


def test_pipeline_connections_keep_pgoptions_and_let_it_turn_jit_back_on(database_url, monkeypatch):
    monkeypatch.setenv("PGOPTIONS", "-c work_mem=66MB")
    assert settings_everywhere(database_url) == [("off", "66MB")] * 3
    monkeypatch.setenv("PGOPTIONS", "-c jit=on")
    assert [jit for jit, _ in settings_everywhere(database_url)] == ["on"] * 3
