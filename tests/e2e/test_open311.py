"""Open311 GeoReport v2 over HTTP, as a standard client drives it: services and definitions in JSON
and XML, a request filed with an API key (and refused without one), read back by id and in filtered
lists, closed through the normal staff flow — and never a person's name, phone or account."""
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest
import requests
import yaml

from deploy.demo.load import DEMO_API_KEY, DEMO_FILE
from shared.config import REPO_ROOT
from tests.e2e.test_report_loop import report_in_status, task_of

pytestmark = pytest.mark.e2e

BASE = "/open311/v2"


class Open311Client:
    """What an Open311 app does: plain GETs and form POSTs; every answer kept for the privacy check."""

    def __init__(self, base_url: str):
        self.base_url = base_url + BASE
        self.answers: list[requests.Response] = []

    def get(self, path: str, **params) -> requests.Response:
        answer = requests.get(self.base_url + path, params=params, timeout=30)
        self.answers.append(answer)
        return answer

    def post(self, path: str, data: dict) -> requests.Response:
        answer = requests.post(self.base_url + path, data=data, timeout=30)
        self.answers.append(answer)
        return answer


@pytest.fixture(scope="module")
def client(platform):
    return Open311Client(platform.url)


@pytest.fixture(scope="module")
def personal_values():
    """Every name and phone number of a person in the demo street, and every account name."""
    doc = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if "name" in node and ("username" in node or "account" in node or "phone" in node):
                found.add(node["name"])
            for key in ("phone", "username", "account"):
                if isinstance(node.get(key), str):
                    found.add(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return {v for v in found if len(v) >= 2}


def file_sofa(client, **extra):
    data = {"api_key": DEMO_API_KEY, "service_code": "property.abandoned_item", "address_id": "47",
            "description": "47号楼前有一张废弃沙发占着车位", "attribute[item_type]": "furniture",
            "lat": "35.0631", "long": "118.3427", "media_url": "https://example.org/sofa.jpg",
            "email": "someone@example.org", "first_name": "王", "last_name": "小明", "phone": "13900000000", **extra}
    answer = client.post("/requests.json", data)
    assert answer.status_code == 200, answer.text
    [created] = answer.json()
    assert created["service_request_id"] and created["service_notice"]
    return created["service_request_id"]


def test_services_and_a_definition_in_json_and_xml(client):
    services = client.get("/services.json")
    assert services.status_code == 200 and services.headers["Content-Type"].startswith("application/json")
    by_code = {s["service_code"]: s for s in services.json()}
    sofa = by_code["property.abandoned_item"]
    assert sofa["service_name"] == "废弃物占用车位" and sofa["group"] == "物业" and sofa["metadata"] is True
    assert sofa["type"] == "realtime"
    assert by_code["safety.hazard"]["metadata"] is False

    as_xml = client.get("/services.xml", lang="en")
    assert as_xml.headers["Content-Type"].startswith("text/xml")
    assert as_xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(as_xml.content)
    assert root.tag == "services"
    xml_sofa = next(s for s in root.findall("service") if s.findtext("service_code") == "property.abandoned_item")
    assert xml_sofa.findtext("service_name") == "Abandoned item on a parking space"
    assert xml_sofa.findtext("metadata") == "true" and xml_sofa.findtext("group") == "Property matters"
    assert len(root.findall("service")) == len(by_code)

    definition = client.get("/services/property.abandoned_item.json").json()
    assert definition["service_code"] == "property.abandoned_item"
    [attribute] = definition["attributes"]
    assert attribute["code"] == "item_type" and attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] is False and attribute["order"] == 1 and attribute["variable"] is True
    assert attribute["description"] == "物品类型" and attribute["datatype_description"]
    assert {"key": "furniture", "name": "家具"} in attribute["values"]

    root = ET.fromstring(client.get("/services/property.abandoned_item.xml").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "property.abandoned_item"
    xml_attribute = root.find("attributes/attribute")
    assert xml_attribute.findtext("code") == "item_type" and xml_attribute.findtext("required") == "false"
    assert [v.findtext("key") for v in xml_attribute.findall("values/value")] == ["furniture", "vehicle", "other"]

    missing = client.get("/services/no.such.service.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404

    discovery = client.get("/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")


def test_posting_needs_a_valid_key_and_answers_in_the_spec_error_format(client):
    data = {"service_code": "property.abandoned_item", "address_id": "47", "description": "沙发"}
    without = client.post("/requests.json", data)
    assert without.status_code == 403
    [error] = without.json()
    assert error["code"] == 403 and "api_key" in error["description"]
    wrong = client.post("/requests.xml", {**data, "api_key": "ytl-demo.not-the-secret"})
    assert wrong.status_code == 403 and wrong.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(wrong.content)
    assert root.tag == "errors" and root.findtext("error/code") == "403"

    keyed = {**data, "api_key": DEMO_API_KEY}
    no_code = client.post("/requests.json", {k: v for k, v in keyed.items() if k != "service_code"})
    assert no_code.status_code == 400 and "service_code" in no_code.json()[0]["description"]
    unknown = client.post("/requests.json", {**keyed, "service_code": "no.such"})
    assert unknown.status_code == 404
    nowhere = client.post("/requests.json", {k: v for k, v in keyed.items() if k != "address_id"})
    assert nowhere.status_code == 400 and nowhere.json()[0]["code"] == 400
    no_building = client.post("/requests.json", {**keyed, "address_id": "999"})
    assert no_building.status_code == 400
    too_long = client.post("/requests.json", {**keyed, "description": "长" * 4001})
    assert too_long.status_code == 400 and "description" in too_long.json()[0]["description"]
    bad_attribute = client.post("/requests.json", {**keyed, "attribute[item_type]": "spaceship"})
    assert bad_attribute.status_code == 400 and "attribute[item_type]" in bad_attribute.json()[0]["description"]
    elsewhere = client.post("/requests.json", {**keyed, "jurisdiction_id": "jqs"})
    assert elsewhere.status_code == 403


def test_a_request_is_filed_read_back_and_closed_by_the_normal_flow(client, as_user, as_handler, personal_values):
    request_id = file_sofa(client)
    by_address = file_sofa(client, address_id="", lat="", long="", address_string="砚台岭路 12 号门口",
                           description="路口有一张旧床垫")

    # Staff see it like any report: same flow, channel open311, filed as the key.
    admin = as_user("ytl-admin")
    staff_view = admin.get(f"/api/v1/reports/{request_id}").json()
    assert staff_view["channel"] == "open311" and staff_view["location"]["building"] == "47"
    assert staff_view["reporter"]["id"] == "api-key:ytl-demo" and staff_view["reporter"]["role"] == "resident"
    assert staff_view["attributes"] == {"item_type": "furniture"}
    assert staff_view["photos"] == ["https://example.org/sofa.jpg"]
    assert admin.get(f"/api/v1/reports/{by_address}").json()["location"]["address"] == "砚台岭路 12 号门口"

    [one] = client.get(f"/requests/{request_id}.json", jurisdiction_id="ytl").json()
    assert one["service_request_id"] == request_id and one["status"] == "open"
    assert one["service_code"] == "property.abandoned_item" and one["service_name"] == "废弃物占用车位"
    assert one["address_id"] == "47" and one["address"] == "47号楼" and one["lat"] == pytest.approx(35.0631)
    assert one["requested_datetime"].endswith("+08:00") and one["updated_datetime"].endswith("+08:00")
    assert one["media_url"] == "https://example.org/sofa.jpg"
    assert one["description"] == "47号楼前有一张废弃沙发占着车位"

    # With the key instead of a jurisdiction, and in XML.
    root = ET.fromstring(client.get(f"/requests/{request_id}.xml", api_key=DEMO_API_KEY).content)
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == request_id
    assert root.findtext("request/status") == "open"

    both = client.get("/requests.json", jurisdiction_id="ytl", service_request_id=f"{request_id},{by_address}")
    assert {r["service_request_id"] for r in both.json()} == {request_id, by_address}
    now = datetime.now(timezone.utc)
    window = {"start_date": (now - timedelta(hours=1)).isoformat(), "end_date": (now + timedelta(hours=1)).isoformat()}
    listed = client.get("/requests.json", jurisdiction_id="ytl", service_code="property.abandoned_item",
                        status="open", **window).json()
    listed_ids = {r["service_request_id"] for r in listed}
    assert request_id in listed_ids and by_address in listed_ids
    assert not client.get("/requests.json", jurisdiction_id="ytl", status="closed", **window).json()
    assert not [r for r in client.get("/requests.json", jurisdiction_id="jqs").json()
                if r["service_request_id"] == request_id]  # another community's list never shows it
    assert client.get("/requests.json").status_code == 400  # whose requests? no jurisdiction, no key
    assert client.get("/requests.json", jurisdiction_id="nowhere").status_code == 404
    assert client.get("/requests.json", jurisdiction_id="ytl", start_date="yesterday").status_code == 400
    [token] = client.get(f"/tokens/{request_id}.json", jurisdiction_id="ytl").json()
    assert token == {"service_request_id": request_id, "token": request_id}
    assert client.get("/requests/no-such-id.json", jurisdiction_id="ytl").status_code == 404

    # The property company handles it, the grid worker verifies on site, it closes.
    task = task_of(admin, request_id)
    handler = as_handler(task)
    dispatched = client.get(f"/requests/{request_id}.json", jurisdiction_id="ytl").json()[0]
    assert dispatched["agency_responsible"] == "砚台岭物业服务中心"
    assert dispatched["expected_datetime"] == task["deadline_at"]
    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    assert handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "沙发已清运"}).status_code == 200
    report_in_status(admin, request_id, "resolved")
    still_open = client.get(f"/requests/{request_id}.json", jurisdiction_id="ytl").json()[0]
    assert still_open["status"] == "open" and "沙发已清运" in still_open["status_notes"]
    verified = as_user("zhangyan").post(f"/api/v1/reports/{request_id}/verification",
                                        json={"passed": True, "note": "现场已清理"})
    assert verified.status_code == 200, verified.text

    closed = client.get(f"/requests/{request_id}.json", jurisdiction_id="ytl").json()[0]
    assert closed["status"] == "closed"
    assert closed["status_notes"].startswith("结案") and "现场已清理" in closed["status_notes"]
    assert closed["agency_responsible"] == "砚台岭物业服务中心"
    english = client.get(f"/requests/{request_id}.xml", jurisdiction_id="ytl", lang="en")
    assert ET.fromstring(english.content).findtext("request/status_notes").startswith("closed")
    assert request_id in {r["service_request_id"] for r in
                          client.get("/requests.json", jurisdiction_id="ytl", status="closed", **window).json()}
    assert request_id not in {r["service_request_id"] for r in
                              client.get("/requests.json", jurisdiction_id="ytl", status="open", **window).json()}

    # No person anywhere in what Open311 answered: not a name, phone, username or account.
    assert {"吴丽", "张燕", "13863901001", "ytl-44-1-01"} <= personal_values
    for answer in client.answers:
        for value in personal_values | {"api-key:ytl-demo", "13900000000", "someone@example.org", "小明"}:
            assert value not in answer.text, (answer.url, value)
        if answer.headers["Content-Type"].startswith("application/json") and answer.status_code == 200:
            for item in answer.json() if isinstance(answer.json(), list) else [answer.json()]:
                assert not {"reporter", "handler", "phone", "household", "email", "first_name"} & set(item)
                assert item.get("account_id") is None


def test_a_dispute_is_listed_without_its_text(client):
    request_id = file_sofa(client, service_code="dispute.neighbour", description="邻居家装修噪声,双方争吵",
                           **{"attribute[item_type]": ""})
    [shown] = client.get(f"/requests/{request_id}.json", jurisdiction_id="ytl").json()
    assert shown["description"] is None and shown["media_url"] is None and shown["status"] == "open"


def test_each_key_has_its_own_rate_limit(platform, client):
    made = subprocess.run([sys.executable, "-m", "gateway.keys", "create", "--name", "rate test app",
                           "--community", "ytl", "--rpm", "3"], env=platform.env, cwd=REPO_ROOT,
                          capture_output=True, text=True, check=True)
    key = made.stdout.splitlines()[0].strip()
    answers = [client.get("/services.json", api_key=key) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    limited = answers[3]
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
    [error] = limited.json()
    assert error["code"] == 429 and "秒" in error["description"]
    assert client.get("/services.json", api_key=DEMO_API_KEY).status_code == 200  # other keys go on
