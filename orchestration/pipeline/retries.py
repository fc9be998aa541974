"""Transient database errors: a step that meets one runs again rather than failing its tasks.

A lock wait that timed out, a deadlock, a serialization failure, a lost
connection or a restarting server says nothing about the payload: the same
step succeeds once the other transaction is gone or the server is back. Any
other error fails the step at once.
"""

from contextlib import contextmanager

import dagster as dg
import psycopg

LOCK_NOT_AVAILABLE = "55P03"
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
# The server shutting down, crashed or still starting: it is being restarted.
SERVER_RESTARTING = frozenset({"57P01", "57P02", "57P03"})
TRANSIENT_SQLSTATES = frozenset({LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED, SERIALIZATION_FAILURE, *SERVER_RESTARTING})
# Waits of 1, 2, 4, 8, 16, 16 s: about 45 s rides out a server restart.
MAX_RETRIES = 6
LONGEST_WAIT_SECONDS = 16


def is_transient(error: BaseException) -> bool:
    """Whether running the same statements again may succeed: a conflict with another transaction, or no
    connection (an `OperationalError` without a SQLSTATE, or one of class 08, connection exception)."""
    if not isinstance(error, psycopg.Error):
        return False
    sqlstate = error.sqlstate or ""
    if sqlstate in TRANSIENT_SQLSTATES or sqlstate.startswith("08"):
        return True
    return isinstance(error, psycopg.OperationalError) and not sqlstate


@contextmanager
def retried_when_transient(context: dg.AssetExecutionContext):
    """Turn a transient database error inside the block into a retry of the whole step."""
    try:
        yield
    except psycopg.Error as error:
        if not is_transient(error):
            raise
        wait = min(2 ** context.retry_number, LONGEST_WAIT_SECONDS)
        context.log.warning(f"transient database error ({error.sqlstate or 'connection'}: {error}); "
                            f"step retried in {wait} s")
        raise dg.RetryRequested(max_retries=MAX_RETRIES, seconds_to_wait=wait) from error
