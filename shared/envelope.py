"""The one envelope every event travels in.

id (uuid), type, version, occurred_at (UTC, ISO 8601), source service,
correlation_id (the report or case it belongs to) and payload. Consumers
ignore fields they do not know.
"""
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from marshmallow import EXCLUDE, Schema, fields, post_load

from shared.times import utcnow

# The major version of the envelope and payloads this code writes and reads. A change that is not
# backwards compatible raises it; a consumer parks an event of a newer version instead of misreading it.
EVENT_VERSION = 1


@dataclass(frozen=True)
class Event:
    type: str
    source: str
    payload: dict
    correlation_id: str | None = None
    version: int = EVENT_VERSION
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=utcnow)


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.UUID(required=True)
    type = fields.String(required=True)
    version = fields.Integer(required=True)
    occurred_at = fields.AwareDateTime(required=True, default_timezone=None)
    source = fields.String(required=True)
    correlation_id = fields.String(allow_none=True, load_default=None)
    payload = fields.Dict(required=True)

    @post_load
    def _make_event(self, data, **_kwargs):
        data["id"] = str(data["id"])
        return Event(**data)


_schema = EnvelopeSchema()


def to_message(event: Event) -> dict:
    """Plain JSON types only: other consumers must not see kombu's type markers."""
    return _schema.dump(event)


def from_message(body: dict) -> Event:
    """Raises marshmallow.ValidationError for a body that is not an envelope."""
    return _schema.load(body)
