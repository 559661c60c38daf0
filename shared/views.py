"""Pieces of the views every service dumps its records through."""
from marshmallow import fields

from shared.times import shown_local


def local_time(attribute: str) -> fields.Function:
    """A stored UTC moment, shown in Asia/Shanghai with its offset."""
    return fields.Function(lambda obj: shown_local(getattr(obj, attribute)))


def mask_phone(phone: str | None) -> str | None:
    """A phone number for someone who does not handle the matter: 13812341004 -> 138****1004."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 1) + digits[-2:] if len(digits) > 2 else "**"
