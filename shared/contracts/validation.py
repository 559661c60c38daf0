"""What every request schema of the contracts is built from: the base class that
refuses unknown fields, the field helpers, the size limits, and ``load``, which
turns marshmallow's complaints into a list of {field, code, params}, where code is
a key of shared.contracts.messages, so every error names its field in both languages.

shared.contracts.rpc and shared.contracts.scoring both build on this module.
"""
import re
from datetime import date, datetime, timezone
from functools import cache

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.contracts.errors import InvalidInput
from shared.contracts.messages import MESSAGES

MAX_PHOTOS = 9
MAX_NOTE = 2000
MAX_TEXT = 4000
# The years a date or moment on this platform can mean: anything else is a typo or an attack (and beyond
# year 9999 or 1 some arithmetic on it overflows).
EARLIEST, LATEST = date(1970, 1, 1), date(2100, 12, 31)

_TYPE_ERRORS = {
    "Not a valid string.": "text",
    "Not a valid integer.": "integer",
    "Not a valid number.": "number",
    "Not a valid boolean.": "boolean",
    "Not a valid list.": "list",
    "Not a valid mapping type.": "object",
    "Not a valid datetime.": "datetime",
    "Not a valid date.": "date",
    "Not a valid UUID.": "uuid",
}
_EXPECTED_ZH = {"text": "文本", "integer": "整数", "number": "数字", "boolean": "布尔值", "list": "列表",
                "object": "对象", "datetime": "日期时间", "date": "日期", "uuid": "UUID"}


def _error_entry(field: str, message: str) -> dict:
    if message == "too_many_photos":
        return {"field": field, "code": message, "params": {"max": MAX_PHOTOS}}
    if message in MESSAGES:
        return {"field": field, "code": message, "params": {}}
    if message == "Missing data for required field." or message == "Field may not be null.":
        return {"field": field, "code": "required", "params": {}}
    if message == "Unknown field.":
        return {"field": field, "code": "unknown_field", "params": {}}
    if message in _TYPE_ERRORS:
        kind = _TYPE_ERRORS[message]
        return {"field": field, "code": "wrong_type", "params": {"expected": kind, "expected_zh": _EXPECTED_ZH[kind]}}
    longer = re.match(r"Longer than maximum length (\d+)\.", message)
    if longer:
        return {"field": field, "code": "too_long", "params": {"max": int(longer.group(1))}}
    return {"field": field, "code": "invalid_value", "params": {"detail": message}}


def flatten_errors(messages, prefix: str = "") -> list[dict]:
    """marshmallow's nested error dict -> [{field: 'photos.3', code, params}]."""
    if isinstance(messages, list):
        out = []
        for message in messages:
            nested = isinstance(message, dict)
            out.extend(flatten_errors(message, prefix) if nested else [_error_entry(prefix, message)])
        return out
    out = []
    for key, value in messages.items():
        name = "" if key == "_schema" else str(key)
        path = f"{prefix}.{name}" if prefix and name else (prefix or name)
        out.extend(flatten_errors(value, path))
    return out


@cache
def _instance(schema: type[Schema]) -> Schema:
    return schema()  # building a schema is costly; loading with one is thread-safe


def load(schema: type[Schema], data) -> dict:
    """Load ``data`` with the schema class, or raise InvalidInput naming every bad field."""
    if not isinstance(data, dict):
        raise InvalidInput([{"field": "", "code": "not_json", "params": {}}])
    try:
        return _instance(schema).load(data)
    except ValidationError as exc:
        raise InvalidInput(flatten_errors(exc.messages)) from None


def load_each(schema, items, field: str) -> list[dict]:
    """Load every item of a list with ``schema``; errors name the item: ``rules.3.points``."""
    if not isinstance(items, list):
        raise InvalidInput.one(field, "wrong_type", expected="list", expected_zh="列表")
    loaded, errors = [], []
    for index, item in enumerate(items):
        try:
            loaded.append(load(schema, item))
        except InvalidInput as bad:
            errors += [{**error, "field": f"{field}.{index}" + (f".{error['field']}" if error["field"] else "")}
                       for error in bad.errors]
    if errors:
        raise InvalidInput(errors)
    return loaded


class Request(Schema):
    """A request's body or query: a field the schema does not name is an error, not ignored."""

    class Meta:
        unknown = RAISE


def text(max_length: int, min_length: int = 0, **kwargs):
    """A string of at most ``max_length``; with ``min_length``, an empty one is ``required``."""
    rules = [validate.Length(max=max_length)]
    if min_length:
        rules.insert(0, validate.Length(min=min_length, error="required"))
    return fields.String(validate=rules, **kwargs)


def one_of(choices, error="invalid_value", **kwargs):
    """A string that must be one of ``choices``."""
    return fields.String(validate=validate.OneOf(choices, error=error), **kwargs)


def list_of(inner, min_length: int = 0, error: str = "required", max_length: int = 50, **kwargs):
    """A list of ``inner`` fields, at most ``max_length`` long; shorter than ``min_length`` is ``error``."""
    rules = [validate.Length(max=max_length)]
    if min_length:
        rules.insert(0, validate.Length(min=min_length, error=error))
    return fields.List(inner, validate=rules, **kwargs)


class Moment(fields.AwareDateTime):
    """An ISO 8601 moment with its time zone, between EARLIEST and LATEST."""

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            in_range = EARLIEST <= moment.astimezone(timezone.utc).date() <= LATEST
        except OverflowError:  # a time zone pushes it past year 1 or 9999
            in_range = False
        if not in_range:
            raise ValidationError("date_out_of_range")
        return moment


class Day(fields.Date):
    """An ISO 8601 date between EARLIEST and LATEST."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= day <= LATEST:
            raise ValidationError("date_out_of_range")
        return day
