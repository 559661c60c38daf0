"""Load the demo street into a running platform.

    python -m deploy.demo.load [--file deploy/demo/lanshan.yml]

The catalogue goes to reporting, the organisation and the working calendar to
dispatch, households and village rules to scoring, by RPC (each service owns
its data); accounts go into the gateway's own database. Loading
twice changes nothing: every record is keyed by its code.
"""
import argparse
import time
import uuid
from pathlib import Path

import yaml
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from gateway import accounts, keys
from shared.config import SERVICE_NAMES, amqp_uri, component_config
from shared.db import create_db_engine, session_factory

DEMO_FILE = Path(__file__).with_name("lanshan.yml")
CALENDAR_DIR = Path(__file__).parents[1] / "calendar"
DEMO_PASSWORD = "lanshan2026"  # published with the demo; every demo account has it
# The demo Open311 app's API key for Yantailing: published with the demo, so never use it in a real
# deployment (make real keys with `python -m gateway.keys create`).
DEMO_API_KEY_ID, DEMO_API_KEY_SECRET = "ytl-demo", "open311-demo-only-lanshan2026"
DEMO_API_KEY = f"{DEMO_API_KEY_ID}.{DEMO_API_KEY_SECRET}"


def catalogue(doc: dict) -> list[dict]:
    groups = doc["category_groups"]
    return [
        {"code": c["code"], "name_zh": c["name_zh"], "name_en": c["name_en"], "group_code": c["group"],
         "group_zh": groups[c["group"]]["zh"], "group_en": groups[c["group"]]["en"],
         "description_zh": c["description_zh"], "description_en": c["description_en"],
         "attributes": c["attributes"], "active": True}
        for c in doc["categories"]
    ]


def organisation(doc: dict) -> tuple[dict, list[dict]]:
    """Dispatch's organisation import, and every person as (account, staff) rows."""
    org = {key: [] for key in ("communities", "grids", "property_companies", "buildings", "units", "staff",
                               "category_policies", "routing_rules")}
    people = []

    def add(person: dict, community: str, role: str, **scope):
        org["staff"].append({"code": person["code"], "community": community, "name": person["name"], "role": role,
                             "phone": person.get("phone"), **scope})
        people.append({"username": person["username"], "name": person["name"], "role": role,
                       "community": community, "staff_code": person["code"], **scope})

    street = doc["street"]
    for person in street["platform"]:
        # The street platform's staff belong to the street, not to one community.
        add(person, street["code"], "street_platform")
    # District IT and the stations' staff have accounts but take no dispatched work.
    people += [{"username": p["username"], "name": p["name"], "role": "district_it",
                "community": street["district"]["code"], "staff_code": p["code"]} for p in street["district_it"]]
    for c in doc["communities"]:
        code = c["code"]
        org["communities"].append({"code": code, "street": doc["street"]["code"], "name_zh": c["name_zh"],
                                   "name_en": c["name_en"]})
        for person in c["office"]:
            add(person, code, person["role"])
        for company in c["property_companies"]:
            org["property_companies"].append({"code": company["code"], "community": code, "name": company["name"]})
            for person in company["staff"]:
                add(person, code, "property_staff", company=company["code"])
        for grid in c["grids"]:
            org["grids"].append({"community": code, "code": grid["code"], "name": grid["name"]})
            add(grid["worker"], code, "grid_worker", grid=grid["code"])
            add(grid["leader"], code, "grid_leader", grid=grid["code"])
            for building in grid["buildings"]:
                b = building["code"]
                org["buildings"].append({"community": code, "code": b, "grid": grid["code"],
                                         "property_company": building["property_company"]})
                add(building["leader"], code, "building_leader", grid=grid["code"], building=b)
                for unit in building["units"]:
                    org["units"].append({"community": code, "building": b, "code": unit["code"]})
                    add(unit["leader"], code, "unit_leader", grid=grid["code"], building=b, unit=unit["code"])
                    for volunteer in unit["volunteers"]:
                        add(volunteer, code, "volunteer", grid=grid["code"], building=b, unit=unit["code"])
                    for household in unit["households"]:
                        people += [{"username": m["account"], "name": m["name"], "role": "resident", "community": code,
                                    "grid": grid["code"], "building": b, "unit": unit["code"]}
                                   for m in household["members"] if m.get("account")]
        for person in c["review_group"]:
            add(person, code, "review_group")
        people += [{"username": p["username"], "name": p["name"], "role": "station_staff", "community": code,
                    "staff_code": p["code"], "station": s["station"]} for s in c["stations"] for p in s["staff"]]
        org["routing_rules"].extend({"community": code, **rule} for rule in c["routing_rules"])
    org["category_policies"] = [
        {"category": c["code"], "handler_kind": c["handler"], "level": c["level"], "is_dispute": c["dispute"],
         "limit_amount": c["time_limit"]["amount"], "limit_unit": c["time_limit"]["unit"]}
        for c in doc["categories"]
    ]
    return org, people


def households(doc: dict) -> list[dict]:
    """Every unit's households with their members, for scoring."""
    return [
        {"code": h["code"], "community": c["code"], "building": b["code"], "unit": u["code"],
         "members": [{"name": m["name"], "account": m.get("account"), "phone": m.get("phone")} for m in h["members"]]}
        for c in doc["communities"] for g in c["grids"] for b in g["buildings"] for u in b["units"]
        for h in u["households"]
    ]


def village_rules(doc: dict) -> list[dict]:
    return [{"valid_to": None, "concerns_petitioning": False, **rule, "valid_from": str(rule["valid_from"])}
            for rule in doc["village_rules"]]


def station_staff(doc: dict) -> list[dict]:
    """Each community's station staff, for mediation (mediators are appointed from them)."""
    return [{"code": p["code"], "community": c["code"], "name": p["name"], "station": s["station"]}
            for c in doc["communities"] for s in c.get("stations", []) for p in s["staff"]]


def calendar_days() -> list[dict]:
    """Every year's holidays and make-up working days in deploy/calendar/."""
    days = []
    for path in sorted(CALENDAR_DIR.glob("*.yml")):
        year = yaml.safe_load(path.read_text(encoding="utf-8"))
        days += [{"date": str(d["date"]), "kind": "holiday", "name": d["name"]} for d in year["holidays"]]
        days += [{"date": str(d["date"]), "kind": "workday", "name": d["name"]} for d in year["makeup_workdays"]]
    return days


def wait_for_services(cluster, deadline_s: float = 90) -> None:
    give_up = time.monotonic() + deadline_s
    for name in SERVICE_NAMES:
        while True:
            try:
                getattr(cluster, name).health()
                break
            except (UnknownService, RpcTimeout):
                if time.monotonic() > give_up:
                    raise SystemExit(f"the {name} service did not answer within {deadline_s:.0f}s") from None
                time.sleep(0.5)


def new_request_id() -> str:
    """Each import is a command of its own (a second load imports again, whatever the file says now)."""
    return f"demo-load:{uuid.uuid4()}"


def load(path: Path = DEMO_FILE, uri: str | None = None) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    org, people = organisation(doc)
    with ClusterRpcProxy({"AMQP_URI": uri or amqp_uri()}, timeout=30) as cluster:
        wait_for_services(cluster)
        cluster.reporting.import_categories(catalogue(doc), command_id=new_request_id())
        counts = cluster.dispatch.import_organisation(org, command_id=new_request_id())
        counts["calendar_days"] = cluster.dispatch.import_calendar(calendar_days(), command_id=new_request_id())
        counts["households"] = cluster.scoring.import_households(households(doc), command_id=new_request_id())
        counts["village_rules"] = cluster.scoring.import_rules(village_rules(doc), command_id=new_request_id())
        counts["station_staff"] = cluster.mediation.import_station_staff(station_staff(doc),
                                                                          command_id=new_request_id())
    sessions = session_factory(create_db_engine(component_config("gateway")["DATABASE_URL"]))
    # Everyone in the demo shares one published password, so one (slow, salted) hash serves all.
    demo_hash = accounts.hash_password(DEMO_PASSWORD)
    with sessions() as session:
        for person in people:
            accounts.save(session, person, demo_hash)
        keys.create(session, "砚台岭 Open311 demo app", "ytl", requests_per_minute=keys.DEFAULT_RPM,
                    key_id=DEMO_API_KEY_ID, secret=DEMO_API_KEY_SECRET)
        session.commit()
    return {**counts, "accounts": len(people), "api_keys": 1}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.demo.load", description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEMO_FILE)
    args = parser.parse_args(argv)
    summary = load(args.file)
    print("demo loaded: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    print(f"demo Open311 API key for Yantailing (demo only, published): {DEMO_API_KEY}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
