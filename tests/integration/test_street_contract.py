"""The street contract on a real broker: each street office receives only its own street's escalations,
including those sent before it ever connected, exactly once, with its own broker account, through the
Python subscriber and the Node one alike. What it cannot read is parked locally with the reason."""
import json
import secrets
import shutil
import subprocess
import sys
import uuid

import amqp
import pytest
import yaml
from kombu import Connection, Queue
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.demo.load import DEMO_FILE, organisation
from deploy.local import LocalPlatform
from deploy.street import account
from shared.bus import event_exchange, event_publisher, street_queue
from shared.config import REPO_ROOT
from shared.envelope import Event, to_message
from tests.support import WithRequestIds, answers, rabbitmqctl, wait_until

pytestmark = pytest.mark.integration

STREET_DIR = REPO_ROOT / "deploy" / "street"
# A second street with one community, so there is another street's matter to keep out.
HEDONG = {
    "communities": [{"code": "hd-1", "street": "hedong", "name_zh": "河东一社区", "name_en": "Hedong One"}],
    "staff": [{"code": "hedong-platform-01", "community": "hedong", "name": "河东街道平台", "role": "street_platform"}],
}


@pytest.fixture(scope="module")
def node_subscriber_installed():
    """The Node subscriber's packages, from the npm registry, exactly as its lock file pins them."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("Node.js and npm are needed for the Node street subscriber (Node 20 or newer)")
    if not (STREET_DIR / "node_modules" / "amqplib").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=STREET_DIR, check=True, capture_output=True)


@pytest.fixture(scope="module")
def dispatch(vhost, tmp_path_factory):
    folder = tmp_path_factory.mktemp("street")
    running = LocalPlatform(folder, env={"AMQP_URI": vhost.uri})
    running.migrate()
    running.start_service("dispatch")
    running.folder = folder
    with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as proxy:
        rpc = WithRequestIds(proxy)
        wait_until(lambda: answers(rpc.dispatch), what="dispatch up")
        org, _people = organisation(yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")))
        rpc.dispatch.import_organisation(org)
        rpc.dispatch.import_organisation(HEDONG)
    yield running
    running.stop_all()


@pytest.fixture(scope="module")
def offices(vhost):
    """Each street's own broker account, made as district IT makes it (deploy/street/account.py)."""
    made = {}
    for street in ("lanshan", "hedong"):
        user, password = f"street-{street}-{vhost.name[-8:]}", secrets.token_hex(8)
        account.apply(street, vhost.name, user, password)
        made[street] = vhost.uri.replace("guest:guest@", f"{user}:{password}@")
    yield made
    for uri in made.values():
        user = uri.split("//")[1].split(":")[0]
        rabbitmqctl("delete_user", user, check=False)


def hazard_reported(community: str) -> Event:
    """A major hazard starts at the street: dispatch escalates it at once."""
    report_id = f"{community}-{uuid.uuid4().hex[:8]}"
    return Event(type="report.created", source="reporting", correlation_id=report_id, payload={
        "report_id": report_id, "community": community, "category": "safety.major_hazard",
        "description": "燃气异味", "reporter_id": "someone", "reporter_role": "grid_worker", "channel": "app"})


def report(vhost, community: str) -> str:
    event = hazard_reported(community)
    event_publisher(vhost.uri).publish(to_message(event), exchange=event_exchange("reporting"), routing_key=event.type)
    return event.payload["report_id"]


def waiting(vhost, street: str) -> int:
    with Connection(vhost.uri) as connection:
        return street_queue(street)(connection.channel()).queue_declare(passive=True).message_count


def received(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def send_raw(vhost, street: str, body: bytes, content_type: str = "application/json") -> None:
    """What a broken or newer publisher could put on a street's key (the platform's own account)."""
    with Connection(vhost.uri) as connection:
        channel = connection.channel()
        channel.basic_publish(amqp.Message(body, content_type=content_type), exchange="dispatch.events",
                              routing_key=f"report.escalated.street.{street}.safety.major_hazard")


def test_a_street_account_may_bind_only_its_own_streets_key(dispatch, offices):
    with Connection(offices["lanshan"]) as connection:
        own = connection.channel()
        own.queue_bind("street.lanshan.escalations", "dispatch.events", "report.escalated.street.lanshan.#")
        for key in ("report.escalated.street.hedong.#", "report.escalated.street.#", "report.escalated.#"):
            with pytest.raises(amqp.exceptions.AccessRefused):
                connection.channel().queue_bind("street.lanshan.escalations", "dispatch.events", key)
        with pytest.raises(amqp.exceptions.AccessRefused):  # nor read another street's queue
            Queue("street.hedong.escalations", channel=connection.channel()).get()
        with pytest.raises(amqp.exceptions.AccessRefused):  # nor make a queue of its own to bind elsewhere
            connection.channel().queue_declare("street.lanshan.spy", durable=True)


def test_each_street_receives_only_its_own_escalations_once_even_those_sent_before_it_connected(
        vhost, dispatch, offices, node_subscriber_installed):
    # Registered streets have their queues before any office ever connected ...
    early = {"lanshan": [report(vhost, "ytl"), report(vhost, "ytl")], "hedong": [report(vhost, "hd-1")]}
    wait_until(lambda: waiting(vhost, "lanshan") == 2 and waiting(vhost, "hedong") == 1, timeout_s=60,
               what="the early escalations to wait in each street's queue")

    folder = dispatch.folder
    lanshan_out, hedong_out = folder / "lanshan.jsonl", folder / "hedong.jsonl"
    # ... then the offices connect: Lanshan with the Python subscriber (broker from AMQP_URI), Hedong with Node.
    dispatch.env["AMQP_URI"] = offices["lanshan"]
    dispatch.start_process("lanshan-office", [sys.executable, "-m", "deploy.street.subscriber", "--street",
                                              "lanshan", "--jsonl", str(lanshan_out), "--state",
                                              str(folder / "lanshan-state")])
    dispatch.env["AMQP_URI"] = vhost.uri
    dispatch.start_process("hedong-office", ["node", str(STREET_DIR / "subscriber.js"), "--street", "hedong",
                                             "--amqp-uri", offices["hedong"], "--jsonl", str(hedong_out),
                                             "--state", str(folder / "hedong-state")])
    late = {"lanshan": [report(vhost, "ytl")], "hedong": [report(vhost, "hd-1")]}
    expected = {street: early[street] + late[street] for street in early}
    out = {"lanshan": lanshan_out, "hedong": hedong_out}

    def report_ids(street):
        return [event["payload"]["report_id"] for event in received(out[street])]

    wait_until(lambda: all(sorted(report_ids(s)) == sorted(expected[s]) for s in out), timeout_s=60,
               what="each office to receive its street's escalations")

    # The broker delivers a copy again (as after a lost ack), and things no subscriber can read arrive.
    for street in out:
        send_raw(vhost, street, json.dumps(received(out[street])[0]).encode())
        send_raw(vhost, street, b"\x00not json")
        newer = {**received(out[street])[0], "id": str(uuid.uuid4()), "version": 2}
        send_raw(vhost, street, json.dumps(newer).encode())
    wait_until(lambda: all(waiting(vhost, s) == 0 for s in out), what="the offices to take every message")

    for street, parked_at in (("lanshan", folder / "lanshan-state"), ("hedong", folder / "hedong-state")):
        parked = [json.loads(line) for line in (parked_at / "parked.jsonl").read_text().splitlines()]
        assert sorted(report_ids(street)) == sorted(expected[street])  # once each, and only its own street's
        assert all(event["payload"]["street"] == street for event in received(out[street]))
        reasons = " | ".join(entry["reason"] for entry in parked)
        assert len(parked) == 2, reasons
        assert "not JSON" in reasons and "version 2" in reasons and "newer" in reasons
