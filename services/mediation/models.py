"""Mediation's own tables. For now only its outbox and inbox; its records come with its own issue."""
from sqlalchemy.orm import DeclarativeBase

from shared.db import new_metadata
from shared.inbox import define_inbox
from shared.outbox import define_outbox


class Base(DeclarativeBase):
    metadata = new_metadata()


outbox = define_outbox(Base.metadata)
inbox = define_inbox(Base.metadata)
