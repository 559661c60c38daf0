"""What a street office runs to receive escalations from its communities.

    AMQP_URI=amqps://street-lanshan:…@mq.district.example/grid \\
    python -m deploy.street.subscriber --street lanshan                  # print each one
    python -m deploy.street.subscriber --street lanshan --jsonl in.jsonl # append each to a file
    python -m deploy.street.subscriber --street lanshan --forward https://street.example/api/escalations
    python -m deploy.street.subscriber --street lanshan --parked         # what it set aside, and why

It consumes the street's own durable queue (``street.<street>.escalations``, bound
to ``report.escalated.street.<street>.#`` on ``dispatch.events``), which the
platform declared when the street was registered: every escalation waits there
while the office is offline, even one sent before it first connected. The
contract is in docs/events/README.md; this program needs nothing of the
platform but the broker address and that document.

- Each escalation is handled once: the ids of delivered events are kept in the
  state folder (``--state``), and a repeated delivery is acknowledged unseen.
- It is acknowledged only after it was printed, written or forwarded.
- What it cannot read (not JSON, not an envelope, a newer major version than it
  understands) is parked at once in the state folder with the reason: retrying
  cannot help. A forward the endpoint refuses (4xx) is tried three times, then
  parked. An endpoint that is down is retried with a growing pause, never parked.
"""
import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import requests
from kombu import Connection, Exchange, Queue
from kombu.exceptions import OperationalError

# The platform's exchange: a street's account may bind to it, never declare it.
EXCHANGE = Exchange("dispatch.events", type="topic", durable=True, no_declare=True)
READABLE_VERSION = 1  # the envelope's major version this subscriber understands
REFUSALS_BEFORE_PARKING = 3
ENVELOPE_FIELDS = ("id", "type", "version", "occurred_at", "payload")


def street_queue(street: str) -> Queue:
    """Declared exactly as the platform declares it (a quorum queue), so declaring it again changes nothing."""
    return Queue(f"street.{street}.escalations", exchange=EXCHANGE, routing_key=f"report.escalated.street.{street}.#",
                 durable=True, queue_arguments={"x-queue-type": "quorum"})


class Unreadable(Exception):
    """This message can never be understood by this subscriber: park it, say why."""


class Refused(Exception):
    """The endpoint refused the escalation (4xx): it will likely refuse it again."""


def read(body: bytes, street: str) -> dict:
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Unreadable(f"not JSON: {exc}") from None
    if not isinstance(event, dict) or any(field not in event for field in ENVELOPE_FIELDS):
        raise Unreadable(f"not an event envelope (needs {', '.join(ENVELOPE_FIELDS)})")
    if not isinstance(event["version"], int) or event["version"] > READABLE_VERSION:
        raise Unreadable(f"version {event['version']!r} of {event['type']} is newer than this subscriber reads "
                         f"({READABLE_VERSION}): upgrade the subscriber, then replay it with --replay-parked")
    if event["type"] != "report.escalated" or event["payload"].get("street") != street:
        raise Unreadable(f"not an escalation for street {street}: {event['type']} for {event['payload'].get('street')}")
    return event


class State:
    """The state folder: ids already delivered (``seen``) and what was parked (``parked.jsonl``)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.seen_file = folder / "seen"
        self.parked_file = folder / "parked.jsonl"
        self.seen = set(self.seen_file.read_text().split()) if self.seen_file.exists() else set()

    def remember(self, event_id: str) -> None:
        _append(self.seen_file, event_id + "\n")
        self.seen.add(event_id)

    def park(self, body: bytes, headers: dict, reason: str) -> None:
        entry = {"parked_at": datetime.now(timezone.utc).isoformat(), "reason": reason,
                 "body": body.decode("utf-8", "replace"), "headers": {k: str(v) for k, v in headers.items()}}
        _append(self.parked_file, json.dumps(entry, ensure_ascii=False) + "\n")

    def parked(self) -> list[dict]:
        if not self.parked_file.exists():
            return []
        return [json.loads(line) for line in self.parked_file.read_text(encoding="utf-8").splitlines()]

    def take_parked(self) -> list[dict]:
        entries = self.parked()
        self.parked_file.unlink(missing_ok=True)
        return entries


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


def describe(event: dict) -> str:
    p = event["payload"]
    return (f"{event['occurred_at']}  {p['community']}  {p['category']}  from {p['from_level']}: {p['reason']}\n"
            f"    report {p['report_id']}  task {p['task_id']}  due {p['deadline_at']}\n    {p['description']}")


def deliver(event: dict, args) -> None:
    if args.jsonl:
        _append(Path(args.jsonl), json.dumps(event, ensure_ascii=False) + "\n")
    elif args.forward:
        answer = requests.post(args.forward, json=event, timeout=10)
        if 400 <= answer.status_code < 500:
            raise Refused(f"{args.forward} answered {answer.status_code}: {answer.text[:200]}")
        answer.raise_for_status()
    else:
        print(describe(event), flush=True)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def handle(body: bytes, headers: dict, state: State, args) -> None:
    """Deliver one message once, or park it; returns when the message may be acknowledged."""
    try:
        event = read(body, args.street)
    except Unreadable as exc:
        state.park(body, headers, str(exc))
        say(f"parked a message: {exc}")
        return
    if event["id"] in state.seen:
        return  # delivered before; the broker sent it again
    refusals, pause = 0, 1
    while True:
        try:
            deliver(event, args)
            break
        except Refused as exc:
            refusals += 1
            if refusals >= REFUSALS_BEFORE_PARKING:
                state.park(body, headers, f"refused {refusals} times: {exc}")
                say(f"parked {event['id']}: refused {refusals} times: {exc}")
                return
            say(f"{event['id']} refused ({exc}); trying again in {pause} s")
        except Exception as exc:  # the endpoint is away: keep it, it is not the message's fault
            say(f"could not deliver {event['id']} ({exc}); trying again in {pause} s")
        time.sleep(pause)
        pause = min(pause * 2, 60)
    state.remember(event["id"])


def run(args, state: State) -> None:
    queue = street_queue(args.street)
    with Connection(args.amqp_uri, heartbeat=60) as connection:
        channel = connection.channel()
        queue(channel).declare()

        def on_message(message):
            handle(message.body, message.headers or {}, state, args)
            message.ack()

        with connection.Consumer(queue, on_message=on_message, channel=channel) as consumer:
            consumer.qos(prefetch_count=10)
            say(f"listening on {queue.name}")
            while True:
                try:
                    connection.drain_events(timeout=5)
                except TimeoutError:
                    connection.heartbeat_check()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.street.subscriber", description=__doc__.splitlines()[0])
    parser.add_argument("--street", required=True, help="the street's code, e.g. lanshan")
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
                        help="the broker, with the street's own account (default: AMQP_URI)")
    parser.add_argument("--state", help="folder for delivered ids and parked messages (default: street-<street>)")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--jsonl", help="append each escalation to this file, one JSON per line")
    target.add_argument("--forward", help="POST each escalation as JSON to this URL")
    actions = parser.add_mutually_exclusive_group()
    actions.add_argument("--parked", action="store_true", help="list what was parked, and why, then stop")
    actions.add_argument("--replay-parked", action="store_true", help="handle the parked messages once more")
    args = parser.parse_args(argv)
    state = State(Path(args.state or f"street-{args.street}"))
    if args.parked:
        for entry in state.parked():
            print(f"{entry['parked_at']}  {entry['reason']}\n    {entry['body'][:200]}")
        return 0
    if args.replay_parked:
        for entry in state.take_parked():  # each once; what fails again is parked again
            handle(entry["body"].encode("utf-8"), entry["headers"], state, args)
        return 0
    while True:
        try:
            run(args, state)
        except (OperationalError, ConnectionError, OSError) as exc:
            say(f"broker unavailable ({exc}); retrying in 5 s")
            time.sleep(5)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
