"""What travels between services: the event envelope, request validation that
names every bad field, messages in Chinese and English, and event payload schemas."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from marshmallow import ValidationError

from shared.contracts import reasons, rpc, validation
from shared.contracts.errors import InvalidInput
from shared.contracts.events import dump_payload, load_payload
from shared.contracts.messages import MESSAGES, render
from shared.envelope import Event, from_message, to_message

# envelope ----------------------------------------------------------------


def an_event(**changes) -> Event:
    fields = {"type": "task.accepted", "source": "dispatch", "payload": {"task_id": "t1", "version": 2},
              "correlation_id": "r1", "occurred_at": datetime(2024, 3, 15, 8, 0, 0, 123456, tzinfo=timezone.utc)}
    return Event(**{**fields, **changes})


def over_the_wire(message: dict) -> dict:
    return json.loads(json.dumps(message))


def test_an_event_survives_the_round_trip_through_json():
    event = an_event()
    assert from_message(over_the_wire(to_message(event))) == event


def test_an_envelope_holds_plain_json_types_only():
    message = to_message(an_event())
    assert over_the_wire(message) == message
    assert message["occurred_at"] == "2024-03-15T08:00:00.123456+00:00"


def test_an_event_without_a_correlation_id_round_trips():
    event = an_event(correlation_id=None)
    assert from_message(over_the_wire(to_message(event))).correlation_id is None


def test_each_new_event_gets_its_own_id_and_an_aware_utc_time():
    first, second = Event("report.closed", "reporting", {}), Event("report.closed", "reporting", {})
    assert first.id != second.id
    assert first.occurred_at.utcoffset() == timedelta(0)


def test_fields_a_consumer_does_not_know_are_ignored():
    event = an_event()
    message = {**to_message(event), "priority": "high", "trace": {"span": "abc"}}
    assert from_message(message) == event


@pytest.mark.parametrize("body", [
    {"hello": "world"},
    {"task_id": "t1", "version": 2},  # a bare payload, not wrapped
], ids=["unrelated", "bare-payload"])
def test_a_body_that_is_not_an_envelope_is_rejected(body):
    with pytest.raises(ValidationError):
        from_message(body)


def test_an_envelope_with_a_naive_time_is_rejected():
    message = {**to_message(an_event()), "occurred_at": "2024-03-15T08:00:00"}
    with pytest.raises(ValidationError) as rejected:
        from_message(message)
    assert "occurred_at" in rejected.value.messages


def test_an_envelope_with_a_malformed_id_is_rejected():
    with pytest.raises(ValidationError) as rejected:
        from_message({**to_message(an_event()), "id": "not-a-uuid"})
    assert "id" in rejected.value.messages


# request validation ------------------------------------------------------

GOOD_REPORT = {"category": "sanitation.garbage", "description": "44号楼下垃圾桶满溢", "building": "44"}


def errors_of(schema, data) -> list[dict]:
    with pytest.raises(InvalidInput) as refused:
        validation.load(schema, data)
    return refused.value.errors


def test_a_good_report_loads_with_its_defaults():
    loaded = validation.load(rpc.NewReport, GOOD_REPORT)
    assert loaded["photos"] == [] and loaded["urgent"] is False and loaded["channel"] == "app"


@pytest.mark.parametrize(("change", "expected"), [
    ({"colour": "red"}, {"field": "colour", "code": "unknown_field", "params": {}}),
    ({"building": None}, {"field": "location", "code": "location_required", "params": {}}),
    ({"photos": [f"https://photos.example/{n}.jpg" for n in range(10)]},
     {"field": "photos", "code": "too_many_photos", "params": {"max": 9}}),
    ({"description": "很长" * (5 * 1024 * 1024 // 6)},  # about 5 MB of UTF-8
     {"field": "description", "code": "too_long", "params": {"max": 4000}}),
    ({"urgent": "maybe"},
     {"field": "urgent", "code": "wrong_type", "params": {"expected": "boolean", "expected_zh": "布尔值"}}),
    ({"latitude": "north"},
     {"field": "latitude", "code": "wrong_type", "params": {"expected": "number", "expected_zh": "数字"}}),
    ({"description": 42},
     {"field": "description", "code": "wrong_type", "params": {"expected": "text", "expected_zh": "文本"}}),
    ({"photos": ["https://photos.example/1.jpg", "ftp://photos.example/2.jpg"]},
     {"field": "photos.1", "code": "invalid_photo", "params": {}}),
    ({"description": ""}, {"field": "description", "code": "required", "params": {}}),
    ({"unit": "2", "building": None, "grid": "g1"}, {"field": "building", "code": "required", "params": {}}),
], ids=["unknown-field", "missing-location", "ten-photos", "5MB-text", "wrong-type-boolean", "wrong-type-number",
        "wrong-type-text", "bad-photo-url", "empty-description", "unit-without-building"])
def test_a_bad_report_is_refused_naming_the_field(change, expected):
    assert errors_of(rpc.NewReport, {**GOOD_REPORT, **change}) == [expected]


def test_nine_photos_are_allowed():
    photos = [f"https://photos.example/{n}.jpg" for n in range(9)]
    assert validation.load(rpc.NewReport, {**GOOD_REPORT, "photos": photos})["photos"] == photos


def test_a_description_of_exactly_the_limit_is_allowed():
    validation.load(rpc.NewReport, {**GOOD_REPORT, "description": "x" * rpc.MAX_DESCRIPTION})


def test_every_bad_field_is_named_at_once():
    errors = errors_of(rpc.NewReport, {"building": "44", "urgent": "maybe", "colour": "red"})
    assert {(e["field"], e["code"]) for e in errors} == {
        ("category", "required"), ("description", "required"), ("urgent", "wrong_type"), ("colour", "unknown_field"),
    }


def test_a_body_that_is_not_a_json_object_is_refused():
    assert errors_of(rpc.NewReport, ["not", "an", "object"]) == [{"field": "", "code": "not_json", "params": {}}]


@pytest.mark.parametrize("note", [None, "", "   "], ids=["absent", "empty", "blank"])
def test_a_failed_verification_needs_a_note(note):
    data = {"passed": False} if note is None else {"passed": False, "note": note}
    assert errors_of(rpc.Verification, data) == [{"field": "note", "code": "standard_reason_required", "params": {}}]


def test_a_failed_verification_with_a_note_and_a_passed_one_without_load():
    assert validation.load(rpc.Verification, {"passed": False, "note": "垃圾仍未清运"})["passed"] is False
    assert validation.load(rpc.Verification, {"passed": True}) == {"passed": True, "note": None, "reason_code": None,
                                                         "photos": [], "responsible_household": None, "rule": None}


@pytest.mark.parametrize("schema, kind", [(rpc.TaskReturn, "return"), (rpc.Escalation, "escalation"),
                                          (rpc.DeferralRequest, "deferral")])
def test_a_reason_is_a_standard_code_words_or_both_and_other_needs_words(schema, kind):
    code = reasons.codes(kind)[0]
    assert validation.load(schema, {"reason_code": code})["reason"] is None
    assert validation.load(schema, {"reason_code": code, "reason": "见照片"})["reason_code"] == code
    assert validation.load(schema, {"reason": "见照片"})["reason_code"] is None
    assert errors_of(schema, {}) == [{"field": "reason", "code": "standard_reason_required", "params": {}}]
    assert errors_of(schema, {"reason_code": "other", "reason": " "}) == [
        {"field": "reason", "code": "standard_reason_required", "params": {}}]
    assert errors_of(schema, {"reason_code": "not_a_reason", "reason": "x"}) == [
        {"field": "reason_code", "code": "unknown_reason", "params": {}}]


def test_a_failure_reason_goes_only_with_a_failed_verification():
    assert validation.load(rpc.Verification, {"passed": False, "reason_code": "recurred"})["note"] is None
    assert errors_of(rpc.Verification, {"passed": True, "reason_code": "recurred"}) == [
        {"field": "reason_code", "code": "reason_on_failure_only", "params": {}}]
    assert errors_of(rpc.Verification, {"passed": False, "reason_code": "weather", "note": "x"}) == [
        {"field": "reason_code", "code": "unknown_reason", "params": {}}]


def test_a_standard_reason_reads_in_chinese_with_its_note():
    assert reasons.stated("escalation", "law_enforcement", None) == "涉及执法,本级无法解决"
    assert reasons.stated("escalation", "law_enforcement", "占道经营") == "涉及执法,本级无法解决:占道经营"
    assert reasons.stated("escalation", "other", "需街道协调") == "需街道协调"
    assert reasons.stated("escalation", None, "需街道协调") == "需街道协调"
    listed = reasons.listed()
    assert set(listed) == {"return", "escalation", "extension", "deferral", "verification_failure"}
    assert all(items[-1] == {"code": "other", "name": {"zh": "其他", "en": "Other"}, "needs_note": True}
               for items in listed.values())


def test_a_rating_must_be_one_of_the_three():
    assert errors_of(rpc.Rating, {"rating": "great"}) == [{"field": "rating", "code": "invalid_rating", "params": {}}]


def test_nested_errors_are_flattened_to_dotted_field_names():
    flat = validation.flatten_errors({"photos": {3: ["invalid_photo"]}, "_schema": ["Unknown field."]})
    assert flat == [{"field": "photos.3", "code": "invalid_photo", "params": {}},
                    {"field": "", "code": "unknown_field", "params": {}}]


def test_an_unrecognised_validation_message_becomes_invalid_value_with_its_detail():
    assert validation.flatten_errors({"page": ["Must be greater than or equal to 1."]}) == [
        {"field": "page", "code": "invalid_value", "params": {"detail": "Must be greater than or equal to 1."}}]


def test_every_code_request_validation_produces_has_a_message():
    bad_requests = [
        (rpc.NewReport, {**GOOD_REPORT, "colour": "red", "urgent": "x", "description": "x" * 5000,
                           "photos": ["ftp://x"], "channel": "fax"}),
        (rpc.NewReport, {**GOOD_REPORT, "building": None}),
        (rpc.NewReport, {**GOOD_REPORT, "photos": ["https://p/x.jpg"] * 10}),
        (rpc.NewReport, {}),
        (rpc.Verification, {"passed": False}),
        (rpc.Rating, {"rating": "great"}),
    ]
    codes = {e["code"] for schema, data in bad_requests for e in errors_of(schema, data)}
    assert codes >= {"unknown_field", "wrong_type", "too_long", "invalid_photo", "invalid_value", "location_required",
                     "too_many_photos", "required", "standard_reason_required", "invalid_rating"}
    assert codes <= MESSAGES.keys()


# messages ----------------------------------------------------------------

def test_messages_are_rendered_in_chinese_by_default():
    assert render("too_many_photos", max=9) == "最多 9 张照片。"
    assert render("too_long", "zh", max=4000) == "长度不能超过 4000 个字符。"


def test_messages_are_rendered_in_english_on_request():
    assert render("too_many_photos", "en", max=9) == "At most 9 photos."
    assert render("location_required", "en") == "Give a location: a grid, a building (and unit) or an address."


def test_every_message_has_both_a_chinese_and_an_english_text():
    for code, (zh, en) in MESSAGES.items():
        assert zh and en and zh != en, code


def test_a_message_missing_its_params_is_shown_unfilled_rather_than_failing():
    assert render("too_many_photos", "en") == "At most {max} photos."


def test_an_unknown_code_is_shown_as_itself():
    assert render("no_such_code", "en") == "no_such_code"


# event payloads ----------------------------------------------------------

TASK = {"task_id": "t1", "report_id": "r1", "community": "ytl", "sequence": 1, "version": 2,
        "deadline_at": datetime(2026, 11, 27, 6, 0, tzinfo=timezone.utc), "staff_code": "wy-01",
        "handler_name": "王师傅"}
ASSIGNED = {**TASK, "version": 1, "grid": "g1", "level": "grid", "handler_kind": "property", "company": "绿城物业",
            "category": "sanitation.garbage", "deadline_at": datetime(2024, 3, 18, 3, 0, tzinfo=timezone.utc)}


def test_a_payload_is_dumped_to_plain_json_types():
    dumped = dump_payload("task.assigned", ASSIGNED)
    assert dumped["deadline_at"] == "2024-03-18T03:00:00+00:00"
    assert json.loads(json.dumps(dumped)) == dict(dumped)


def test_a_dumped_payload_loads_back_to_the_same_values():
    loaded = load_payload("task.assigned", over_the_wire(dump_payload("task.assigned", ASSIGNED)))
    assert loaded == ASSIGNED


def test_a_payload_missing_a_required_field_is_not_published():
    without_staff = {k: v for k, v in TASK.items() if k != "staff_code"}
    with pytest.raises(ValueError, match="staff_code"):
        dump_payload("task.accepted", without_staff)


def test_a_payload_with_a_naive_deadline_is_not_published():
    with pytest.raises(ValueError, match="deadline_at"):
        dump_payload("task.assigned", {**ASSIGNED, "deadline_at": datetime(2024, 3, 18, 3, 0)})


def test_a_consumer_ignores_payload_fields_it_does_not_know():
    on_the_wire = dump_payload("task.accepted", TASK)
    assert load_payload("task.accepted", {**on_the_wire, "added_in_a_later_version": True}) == TASK


def test_a_consumer_refuses_a_payload_missing_a_required_field():
    with pytest.raises(ValidationError):
        load_payload("task.returned", TASK)  # no reason
