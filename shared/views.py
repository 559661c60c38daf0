"""Pieces of the views every service dumps its records through."""
from marshmallow import fields

from shared.times import shown_local


def local_time(attribute: str) -> fields.Function:
    """A stored UTC moment, shown in Asia/Shanghai with its offset."""
    return fields.Function(lambda obj: shown_local(getattr(obj, attribute)))
