"""RPC inbox: a command (a mutating RPC) changes the books once per request id, whatever comes again.

The caller names every command with a request id (the gateway: the client's
Idempotency-Key scoped to its account, or an id of its own). The service
records the id and its answer in the same transaction as the change, under the
table's primary key; the same id again (a request redelivered after the
service died before replying, a client's retry after a timeout) gets the first
answer back and changes nothing. Kept for ``RETENTION`` (a setting), much longer
than any retry: a phone that was offline for days can still resend.
"""
from kombu.utils import json
from sqlalchemy import Column, MetaData, String, Table, Text, delete, insert, select

from shared.db import UTCDateTime


def define_rpc_inbox(metadata: MetaData) -> Table:
    return Table(
        "rpc_inbox",
        metadata,
        Column("request_id", String(255), primary_key=True),
        Column("command", String(120), nullable=False),  # the entrypoint's name, for ops reading the table
        Column("answer", Text, nullable=False),  # JSON, as the first caller received it
        Column("handled_at", UTCDateTime(), nullable=False, index=True),
    )


class Answer:
    """A command's recorded answer (a wrapper: the answer itself may be None)."""

    def __init__(self, value):
        self.value = value


def recorded_answer(connection, table: Table, request_id: str) -> Answer | None:
    row = connection.execute(select(table.c.answer).where(table.c.request_id == request_id)).first()
    return None if row is None else Answer(json.loads(row.answer))


def record(connection, table: Table, request_id: str, command: str, answer, now) -> None:
    """Raises IntegrityError when the request was recorded meanwhile (the same request, run twice at once)."""
    connection.execute(insert(table).values(request_id=request_id, command=command, answer=json.dumps(answer),
                                            handled_at=now))


def prune(connection, table: Table, before) -> int:
    """Forget requests answered before ``before``; returns how many."""
    return connection.execute(delete(table).where(table.c.handled_at < before)).rowcount
