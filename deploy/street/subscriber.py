"""What a street office runs to receive escalations from its communities.

    python -m deploy.street.subscriber --street lanshan                 # print each one
    python -m deploy.street.subscriber --street lanshan --jsonl in.jsonl # append each to a file
    python -m deploy.street.subscriber --street lanshan --forward https://street.example/api/escalations

It binds the street's own durable queue to the platform's escalation exchange
(``dispatch.events``, routing keys ``report.escalated.street.<category>``), so
every escalation waits for it while it is offline, and acknowledges each one
only after it was printed, written or forwarded. It needs nothing of the
platform but the broker address and the published schema (docs/events/).
"""
import argparse
import json
import sys
import time

import requests
from kombu import Connection, Exchange, Queue
from kombu.exceptions import OperationalError

EXCHANGE = Exchange("dispatch.events", type="topic", durable=True)


def street_queue(street: str) -> Queue:
    return Queue(f"street.{street}.escalations", exchange=EXCHANGE, routing_key="report.escalated.street.#",
                 durable=True)


def describe(event: dict) -> str:
    p = event["payload"]
    return (f"{event['occurred_at']}  {p['community']}  {p['category']}  from {p['from_level']}: {p['reason']}\n"
            f"    report {p['report_id']}  task {p['task_id']}  due {p['deadline_at']}\n    {p['description']}")


def deliver(event: dict, args) -> None:
    if args.jsonl:
        with open(args.jsonl, "a", encoding="utf-8") as out:
            out.write(json.dumps(event, ensure_ascii=False) + "\n")
    elif args.forward:
        requests.post(args.forward, json=event, timeout=10).raise_for_status()
    else:
        print(describe(event), flush=True)


def run(args) -> None:
    queue = street_queue(args.street)

    def on_message(body, message):
        event = body if isinstance(body, dict) else json.loads(body)
        if event.get("payload", {}).get("street") not in (None, args.street):
            message.ack()  # another street's matter on a shared exchange
            return
        try:
            deliver(event, args)
        except Exception as exc:  # keep it: the broker gives it back after a pause
            print(f"could not deliver {event.get('id')}: {exc}", file=sys.stderr, flush=True)
            time.sleep(2)
            message.requeue()
            return
        message.ack()

    with Connection(args.amqp_uri) as connection:
        with connection.Consumer(queue, callbacks=[on_message], accept=["json"]) as consumer:
            consumer.qos(prefetch_count=10)
            print(f"listening on {queue.name}", file=sys.stderr, flush=True)
            while True:
                try:
                    connection.drain_events(timeout=5)
                except TimeoutError:
                    connection.heartbeat_check()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.street.subscriber", description=__doc__.splitlines()[0])
    parser.add_argument("--street", required=True, help="the street's code, e.g. lanshan")
    parser.add_argument("--amqp-uri", default="amqp://guest:guest@127.0.0.1:5672/")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--jsonl", help="append each escalation to this file, one JSON per line")
    target.add_argument("--forward", help="POST each escalation as JSON to this URL")
    args = parser.parse_args(argv)
    while True:
        try:
            run(args)
        except (OperationalError, ConnectionError, OSError) as exc:
            print(f"broker unavailable ({exc}); retrying in 5 s", file=sys.stderr, flush=True)
            time.sleep(5)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
