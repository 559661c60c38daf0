"""Open311's shapes without a broker: XML as the spec nests it, status notes from the public
steps, and agency_responsible as an organisation, never a person."""
import xml.etree.ElementTree as ET

from flask import Flask

from gateway.open311 import _agency_name, _status_notes, answer

ORGANISATION = {"community": {"zh": "砚台岭社区", "en": "Yantailing Community"}, "street": "兰山街道综治中心",
                "grids": {"g04": "第四网格"}, "companies": {"ytl-wy": "砚台岭物业服务中心"}, "buildings": ["44", "47"]}


def step(action, zh, en, note=None):
    return {"at": "2026-11-26T08:30:00.000+08:00", "action": action, "action_name": {"zh": zh, "en": en},
            "note": note}


def test_xml_nests_lists_as_the_spec_names_them_and_drops_what_xml_cannot_carry():
    with Flask(__name__).test_request_context():
        body = answer("xml", "service_definition", {"service_code": "sanitation.garbage", "attributes": [
            {"code": "volume", "required": False, "values": [{"key": "small", "name": "少量\x0b"}]}]})
    assert body.content_type == "text/xml; charset=utf-8"
    root = ET.fromstring(body.get_data())
    assert root.findtext("attributes/attribute/required") == "false"
    assert root.findtext("attributes/attribute/values/value/name") == "少量"
    with Flask(__name__).test_request_context():
        errors = ET.fromstring(answer("xml", "errors", [{"code": 403, "description": "no"}], 403).get_data())
    assert errors.findtext("error/code") == "403"


def test_status_notes_say_the_latest_step_and_the_handling_note():
    steps = [step("dispatched", "派遣", "dispatched"), step("resolved", "处置反馈", "resolved", "沙发已清运"),
             step("verified", "核查通过", "verified", "现场已清理"), step("closed", "结案", "closed")]
    assert _status_notes(steps, "zh") == "结案(核查通过:现场已清理)"
    assert _status_notes(steps[:2], "en") == "resolved:沙发已清运"
    assert _status_notes([], "zh") is None


def test_the_agency_is_an_organisation():
    assert _agency_name({"kind": "property", "level": "grid", "company": "ytl-wy", "grid": "g04"},
                        ORGANISATION, "zh") == "砚台岭物业服务中心"
    assert _agency_name({"kind": "grid", "level": "grid", "company": None, "grid": "g04"},
                        ORGANISATION, "zh") == "砚台岭社区第四网格"
    assert _agency_name({"kind": "grid", "level": "community", "company": None, "grid": "g04"},
                        ORGANISATION, "en") == "Yantailing Community"
    assert _agency_name({"kind": "grid", "level": "street", "company": None, "grid": "g04"},
                        ORGANISATION, "zh") == "兰山街道综治中心"
    assert _agency_name(None, ORGANISATION, "zh") is None
