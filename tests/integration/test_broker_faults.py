"""Faults on a private RabbitMQ node that this module starts on its own ports, and restarts.

The whole platform runs against it. Poison of every kind is parked, never dropped or looped; a replay
takes each parked message once. Restarting the node while a client files reports ends with the same
books: every report the client was told 201 exists once, none doubled, each with one task, nothing parked.
"""
import json
import sqlite3
import threading
import time
import uuid

import amqp
import pytest
import requests
from kombu import Connection

from deploy.demo.load import DEMO_PASSWORD
from deploy.local import LocalPlatform
from shared.bus import event_exchange, parked_counts, parked_queue, replay_parked, work_queue
from shared.contracts.subscriptions import subscription
from shared.envelope import Event, to_message
from tests.rabbit import free_port, start_nodes, stop_nodes
from tests.support import wait_until

pytestmark = pytest.mark.integration

CREATED = subscription("dispatch", "reporting", "report.created")


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    nodes = start_nodes(tmp_path_factory.mktemp("rabbit"), 1, "grid-faults")
    yield nodes[0]
    stop_nodes(nodes)


@pytest.fixture(scope="module")
def platform(node, tmp_path_factory):
    running = LocalPlatform(tmp_path_factory.mktemp("platform"),
                            env={"AMQP_URI": node.uri, "EVENT_RETRY_DELAYS_S": "[0.2, 0.5]", "RPC_TIMEOUT_S": "5",
                                 "GATEWAY_WORKERS": "1"},
                            gateway_bind=f"127.0.0.1:{free_port()}")
    try:
        running.start_all()
        running.load_demo()
        yield running
    finally:
        running.stop_all()


def send(uri: str, body: bytes, content_type: str = "application/json", headers: dict | None = None) -> None:
    """A message on report.created as a broken, foreign or newer publisher might send it."""
    with Connection(uri) as connection:
        channel = connection.channel()
        channel.confirm_select()
        channel.basic_publish(amqp.Message(body, content_type=content_type, application_headers=headers or {}),
                              exchange=event_exchange("reporting").name, routing_key="report.created")


def envelope(payload: dict, version: int = 1) -> bytes:
    event = Event(type="report.created", source="reporting", payload=payload, correlation_id="x")
    return json.dumps({**to_message(event), "version": version}).encode()


def for_nobody(report_id: str) -> dict:
    """A valid report for a community dispatch does not know: it fails every time (no handler)."""
    return {"report_id": report_id, "community": "nowhere", "category": "sanitation.garbage", "description": "垃圾",
            "reporter_id": "someone", "reporter_role": "grid_worker", "channel": "app"}


def take_parked(uri: str) -> list:
    with Connection(uri) as connection:
        channel = connection.channel()
        taken = []
        while (message := channel.basic_get(parked_queue(CREATED).name, no_ack=True)) is not None:
            taken.append(message)
        return taken


def parked_now(uri: str) -> int:
    return parked_counts(uri)[parked_queue(CREATED).name]


def test_poison_of_every_kind_is_parked_with_its_raw_body_never_dropped_or_looped(platform, node):
    take_parked(node.uri)
    send(node.uri, b"\xff{ not json", headers={"x-sent-by": "a broken client"})
    send(node.uri, "纯文本".encode(), content_type="text/plain")
    send(node.uri, b'{"hello": "not an envelope"}')
    send(node.uri, envelope({"report_id": "r-1"}))  # breaks report.created's schema
    send(node.uri, envelope(for_nobody("r-2"), version=2))
    send(node.uri, envelope(for_nobody("r-3")), headers={"x-delivery-attempt": "many"})
    send(node.uri, envelope(for_nobody("r-4")), headers={"x-delivery-attempt": -5})

    wait_until(lambda: parked_now(node.uri) == 7, timeout_s=60, what="all seven to be parked")
    time.sleep(1.5)  # a hot loop or a late copy would show now
    parked = {message.body: message.headers for message in take_parked(node.uri)}
    assert len(parked) == 7
    assert "cannot be decoded" in parked[b"\xff{ not json"]["x-error"]
    assert parked[b"\xff{ not json"]["x-sent-by"] == "a broken client"  # raw body and headers kept
    assert "text/plain" in parked["纯文本".encode()]["x-error"]
    assert "not an event envelope" in parked[b'{"hello": "not an envelope"}']["x-error"]
    by_report = {json.loads(body)["payload"]["report_id"]: headers for body, headers in parked.items()
                 if body.startswith(b"{\"id\"")}
    assert "breaks its schema" in by_report["r-1"]["x-error"] and "x-delivery-attempt" not in by_report["r-1"]
    assert "version 2 is newer" in by_report["r-2"]["x-error"] and "x-delivery-attempt" not in by_report["r-2"]
    for retried in ("r-3", "r-4"):  # retried through both delays, counted from a garbled header, then parked
        assert by_report[retried]["x-delivery-attempt"] == 2 and "no_handler" in by_report[retried]["x-error"]


def test_a_replay_takes_each_parked_message_once_and_parks_again_what_fails_again(platform, node):
    take_parked(node.uri)
    for n in range(30):
        send(node.uri, envelope({"report_id": f"broken-{n}"}))  # parked at once, and again at once on replay
    wait_until(lambda: parked_now(node.uri) == 30, timeout_s=60, what="thirty parked")

    assert replay_parked(node.uri, CREATED) == 30
    wait_until(lambda: parked_now(node.uri) == 30, timeout_s=60, what="the thirty parked again")
    replays = [message.headers["x-replays"] for message in take_parked(node.uri)]
    assert replays == [1] * 30


def test_restarting_the_broker_while_reports_are_filed_loses_and_doubles_nothing(platform, node):
    http = requests.Session()
    token = http.post(f"{platform.url}/api/v1/auth/token", json={"username": "zhangyan", "password": DEMO_PASSWORD},
                      timeout=30).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    run = uuid.uuid4().hex[:6]
    told: dict[int, str] = {}  # the reports the client was told 201, by their number

    def file_reports():
        for n in range(30):
            key = f"fault-{run}-{n}"
            give_up = time.monotonic() + 120  # the node takes ~15 s to come back; generous on a busy machine
            while time.monotonic() < give_up:
                try:
                    answer = http.post(f"{platform.url}/api/v1/reports", timeout=30, headers={"Idempotency-Key": key},
                                       json={"category": "sanitation.garbage", "building": "47",
                                             "description": f"{run} 垃圾 {n}"})
                except requests.RequestException:
                    answer = None
                if answer is not None and answer.status_code == 201:
                    told[n] = answer.json()["report"]["id"]
                    break
                time.sleep(0.5)  # 503 while the broker is away: the same key again

    client = threading.Thread(target=file_reports)
    client.start()
    wait_until(lambda: len(told) >= 8, timeout_s=60, what="the first reports")
    node.stop()
    node.start()
    client.join(timeout=300)
    assert not client.is_alive()
    assert len(told) == 30, f"the client was told 201 for only {sorted(told)}"

    reporting = sqlite3.connect(platform.data_dir / "reporting.db")
    stored = dict(reporting.execute("SELECT description, count(*) FROM reports WHERE description LIKE ? "
                                    "GROUP BY description", (f"{run} %",)).fetchall())
    assert stored == {f"{run} 垃圾 {n}": 1 for n in range(30)}, "a report was lost or doubled"
    dispatch = sqlite3.connect(platform.data_dir / "dispatch.db")

    def tasks() -> dict:
        marks = ",".join("?" * len(told))
        return dict(dispatch.execute(f"SELECT report_id, count(*) FROM tasks WHERE report_id IN ({marks}) "
                                     "GROUP BY report_id", list(told.values())).fetchall())

    books = wait_until(lambda: len(t := tasks()) == 30 and t, timeout_s=90, what="a task for every report")
    assert set(books.values()) == {1}, "a report got two tasks"
    assert sum(parked_counts(node.uri).values()) == 0, "something was parked"
    assert all(count == 0 for count in _work_queue_depths(node.uri)), "something is still going round"


def _work_queue_depths(uri: str) -> list[int]:
    with Connection(uri) as connection:
        channel = connection.channel()
        return [work_queue(CREATED)(channel).queue_declare(passive=True).message_count]
