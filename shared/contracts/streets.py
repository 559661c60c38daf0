"""A street's code names its queue (``street.<code>.escalations``), its routing key and its broker account:
no dots, nothing a topic pattern or a permission's regular expression would read."""
import re

STREET_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def is_street_code(value) -> bool:
    return isinstance(value, str) and STREET_CODE.fullmatch(value) is not None
