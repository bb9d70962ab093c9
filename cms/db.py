"""The public site's hot statements, run as prepared statements on PostgreSQL.

Django's psycopg cursors bind parameters on the client, so PostgreSQL plans every statement
they send afresh. For the few fixed statements that most public requests run (the page store's
lookup and write, a results page's rows), planning costs more than running: the store lookup
takes about 0.4 ms to plan and 0.15 ms to run. `run_prepared` sends them with server-side
binding and `prepare=True`, so each connection plans each of them once.

They bypass Django's cursors but not its bookkeeping: errors are translated to Django's, and
with DEBUG (or `assertNumQueries`) they are logged in `connection.queries` like any query.
`execute_wrapper` hooks do not see them. A pooler in transaction mode (PgBouncer) needs its
prepared statement support turned on.
"""

import time

from django.db import InterfaceError, OperationalError, connection


def run_prepared(sql, params, *, fetch="one"):
    """Run one fixed statement (with `%s` placeholders); return its first row, all its rows
    (`fetch="all"`) or nothing (`fetch=None`).

    When Django would check the connection's health before this statement (the first statement
    of a request, with `CONN_HEALTH_CHECKS`), the statement is the check: if the connection
    turns out to be broken, it connects again and runs the statement once more. So only
    statements that can safely run twice (reads, upserts) belong here. Other databases run it
    through Django's cursor.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return _fetched(cursor, fetch)
    checking = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if checking:
        # Django's check would cost a round trip of its own (SELECT 1).
        connection.health_check_done = True
    try:
        return _run(sql, params, fetch)
    except (OperationalError, InterfaceError):
        if not checking:
            raise
        connection.close()
        return _run(sql, params, fetch)


def _run(sql, params, fetch):
    connection.ensure_connection()
    started = time.monotonic()
    try:
        with (
            connection.wrap_database_errors,
            connection.Database.Cursor(connection.connection) as cursor,
        ):
            cursor.execute(sql, params, prepare=True)
            return _fetched(cursor, fetch)
    finally:
        if connection.queries_logged:
            # Counted and shown like Django's own (DEBUG, assertNumQueries).
            connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def _fetched(cursor, fetch):
    if fetch == "one":
        return cursor.fetchone()
    if fetch == "all":
        return cursor.fetchall()
    return None
