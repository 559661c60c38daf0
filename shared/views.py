"""Pieces of the views every service dumps its records through."""
from marshmallow import fields

from shared.times import shown_local


def local_time(attribute: str) -> fields.Function:
    """A stored UTC moment, shown in Asia/Shanghai with its offset."""
    return fields.Function(lambda obj: shown_local(getattr(obj, attribute)))


def mask_phone(phone: str | None) -> str | None:
    """A phone number for someone who is not handling the record: 13810001004 -> 138****1004.

    The first three and last four digits stay (enough to tell two numbers apart on
    the phone with the person), the rest become ``*``; a number too short to keep
    that much shows only its last two digits. Separators (spaces, dashes, a
    leading +86) are dropped first.
    """
    if phone is None:
        return None
    digits = "".join(c for c in str(phone) if c.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits:
        return ""
    if len(digits) < 8:
        return "*" * max(len(digits) - 2, 0) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
