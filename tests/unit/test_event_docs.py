"""The published event contract is the code's: current, valid, and its example passes."""
import json
from pathlib import Path

import jsonschema

from shared.contracts import jsonschema as generator
from shared.contracts.events import PAYLOADS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"


def test_every_event_has_a_current_schema_in_docs():
    for name, content in generator.rendered().items():
        path = DOCS / name
        assert path.exists(), f"{name} missing: run python -m shared.contracts.jsonschema"
        assert path.read_text(encoding="utf-8") == content, (
            f"{name} is stale: run python -m shared.contracts.jsonschema")
    assert len(generator.rendered()) == len(PAYLOADS)


def test_the_published_schemas_are_valid_json_schema():
    for path in DOCS.glob("*.schema.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def test_the_escalation_example_validates_and_a_broken_one_does_not():
    schema = json.loads((DOCS / "report.escalated.v1.schema.json").read_text(encoding="utf-8"))
    example = json.loads((DOCS / "examples" / "report.escalated.json").read_text(encoding="utf-8"))
    jsonschema.validate(example, schema, format_checker=jsonschema.FormatChecker())
    del example["payload"]["task_id"]
    try:
        jsonschema.validate(example, schema)
    except jsonschema.ValidationError as error:
        assert "task_id" in error.message
    else:
        raise AssertionError("a payload without task_id passed the schema")
