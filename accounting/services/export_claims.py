"""Claiming the entries of an export batch while its file is being written.

An entry belongs to at most one batch (ExportItem's primary key). The build reads the period's unclaimed
entries, writes them, and records each one it wrote as claimed; the claims commit together with the batch's
final status, so a failed or cancelled build holds nothing. Builds run one at a time (an advisory lock in
PostgreSQL, the database write lock in SQLite), so two exports never read the same unclaimed entry.

``ThreadedClaims`` (PostgreSQL, outside a transaction) inserts on a connection of its own in a thread: the
database indexes the claims while Python writes the file, instead of before it. ``InlineClaims`` inserts
on Django's connection inside one atomic block (SQLite, and callers already inside a transaction).
"""

import queue
import threading
from collections.abc import Sequence

from django.db import connection, transaction

from accounting.models import ExportBatch, ExportItem

EXPORT_LOCK_KEY = 74_010_001  # pg_advisory_xact_lock key: one export build at a time
_BUILDING = ExportBatch.Status.BUILDING.value
# runs of consecutive entry ids: (first[], last[])
_INSERT_RUNS_SQL = ("INSERT INTO accounting_exportitem (entry_id, batch_id) SELECT g, %s "
                    "FROM unnest(%s::bigint[], %s::bigint[]) AS r(first, last), generate_series(r.first, r.last) g")
_STATUS_SQL = "SELECT status FROM accounting_exportbatch WHERE id = %s"


def _finish_sql(fields: dict, adapt) -> tuple[str, list]:
    """UPDATE of the batch, only while it is still BUILDING (a cancellation meanwhile wins)."""
    columns = [ExportBatch._meta.get_field(name).column for name in fields]
    sql = (f"UPDATE accounting_exportbatch SET {', '.join(f'{c} = %s' for c in columns)} "  # noqa: S608 (model columns)
           "WHERE id = %s AND status = %s")
    return sql, [adapt(value) for value in fields.values()]


def _runs_params(batch_id: int, runs: Sequence[Sequence[int]]) -> list:
    return [batch_id, [first for first, _ in runs], [last for _, last in runs]]


class InlineClaims:
    """Claims in Django's connection, inside one atomic block around the whole build."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.active = False
        self._atomic = transaction.atomic()

    def __enter__(self) -> "InlineClaims":
        self._atomic.__enter__()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EXPORT_LOCK_KEY])
            # a write first: SQLite takes its database write lock here, before anything is read
            cursor.execute("UPDATE accounting_exportbatch SET progress = 0 WHERE id = %s AND status = %s",
                           [self.batch_id, _BUILDING])
            self.active = cursor.rowcount == 1
        return self

    def add(self, runs: Sequence[Sequence[int]]) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_INSERT_RUNS_SQL, _runs_params(self.batch_id, runs))
        else:
            ExportItem.objects.bulk_create([ExportItem(entry_id=i, batch_id=self.batch_id)
                                            for first, last in runs for i in range(first, last + 1)])

    def finish(self, fields: dict) -> bool:
        updated = ExportBatch.objects.filter(pk=self.batch_id, status=_BUILDING).update(**fields)
        if updated != 1:
            transaction.set_rollback(True)
        return updated == 1

    def abandon(self) -> None:
        transaction.set_rollback(True)

    def __exit__(self, *exc_info) -> None:
        self._atomic.__exit__(*exc_info)


class ThreadedClaims:
    """Claims on a separate PostgreSQL connection, inserted by a thread while the file is written."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.active = False
        self._conn = connection.get_new_connection(connection.get_connection_params())  # not autocommit
        self._queue: queue.Queue = queue.Queue(maxsize=8)
        self._failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="export-claims", daemon=True)

    def __enter__(self) -> "ThreadedClaims":
        try:
            with self._conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EXPORT_LOCK_KEY])
                cursor.execute(_STATUS_SQL, [self.batch_id])
                row = cursor.fetchone()
        except BaseException:  # __exit__ will not run: close the connection here
            self._conn.close()
            raise
        self.active = row is not None and row[0] == _BUILDING
        self._thread.start()
        return self

    def _run(self) -> None:
        with self._conn.cursor() as cursor:
            while (runs := self._queue.get()) is not None:
                if self._failure:
                    continue  # drain: the reader learns of the failure at its next add()
                try:
                    cursor.execute(_INSERT_RUNS_SQL, _runs_params(self.batch_id, runs))
                except BaseException as exc:
                    self._failure.append(exc)

    def add(self, runs: Sequence[Sequence[int]]) -> None:
        if self._failure:
            raise self._failure[0]
        self._queue.put(runs)

    def _drain(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def finish(self, fields: dict) -> bool:
        self._drain()
        if self._failure:
            raise self._failure[0]
        sql, params = _finish_sql(fields, self._adapt)
        with self._conn.cursor() as cursor:
            cursor.execute(sql, [*params, self.batch_id, _BUILDING])
            updated = cursor.rowcount
        if updated == 1:
            self._conn.commit()
        return updated == 1

    def abandon(self) -> None:
        self._drain()

    @staticmethod
    def _adapt(value):
        if hasattr(value, "tzinfo"):
            return connection.ops.adapt_datetimefield_value(value)
        return value

    def __exit__(self, *exc_info) -> None:
        self._drain()
        try:
            self._conn.rollback()  # no-op after a commit; releases the advisory lock either way
        finally:
            self._conn.close()
