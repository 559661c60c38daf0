"""JSON Schema of every event, written to docs/events/ for subscribers outside
the platform (the street platform first of all):

    python -m shared.contracts.jsonschema          # rewrite docs/events/*.schema.json

Generated from the same marshmallow payload schemas the services publish
through, so the published contract cannot drift from the code (a test checks
the files are current).
"""
import json
from pathlib import Path

from marshmallow import fields

from shared.contracts.events import PAYLOADS, source_of

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"
VERSION = 1

_TYPES = [
    (fields.AwareDateTime, {"type": "string", "format": "date-time"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Float, {"type": "number"}),
    (fields.String, {"type": "string"}),
    (fields.Dict, {"type": "object"}),
]


def _field(field: fields.Field) -> dict:
    if isinstance(field, fields.List):
        described = {"type": "array", "items": _field(field.inner)}
    elif isinstance(field, fields.Nested):
        described = _object(field.schema)
    else:
        described = next(dict(shape) for kind, shape in _TYPES if isinstance(field, kind))
    if field.allow_none:
        described["type"] = [described["type"], "null"]
    return described


def _object(schema) -> dict:
    doc = (type(schema).__doc__ or "").strip()
    described = {
        "type": "object",
        "properties": {name: _field(field) for name, field in schema.fields.items()},
        "required": [name for name, field in schema.fields.items() if field.required],
        "additionalProperties": True,  # consumers ignore what they do not know
    }
    return {"description": doc, **described} if doc else described


def payload_schema(event_type: str) -> dict:
    return _object(PAYLOADS[event_type]())


def envelope_schema(event_type: str) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{event_type}.v{VERSION}.schema.json",
        "title": f"{event_type} (version {VERSION})",
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "type": {"const": event_type},
            "version": {"const": VERSION},
            "occurred_at": {"type": "string", "format": "date-time"},
            "source": {"const": source_of(event_type)},
            "correlation_id": {"type": ["string", "null"]},
            "payload": payload_schema(event_type),
        },
        "required": ["id", "type", "version", "occurred_at", "source", "payload"],
        "additionalProperties": True,
    }


def rendered() -> dict[str, str]:
    """File name -> content for every event."""
    return {f"{event_type}.v{VERSION}.schema.json":
            json.dumps(envelope_schema(event_type), ensure_ascii=False, indent=2) + "\n"
            for event_type in sorted(PAYLOADS)}


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, content in rendered().items():
        (DOCS / name).write_text(content, encoding="utf-8")
        print(f"wrote docs/events/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
