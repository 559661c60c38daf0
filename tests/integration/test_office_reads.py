"""What the office and the street read, against their own databases (SQLite, and PostgreSQL where it
runs): the street's figures over its communities only, and exports read in keyset slices that
give every report, and every task, of the filtered list exactly once, in the list's order."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.dispatch import figures
from services.dispatch import service_layer as dispatch_layer
from services.dispatch.models import Base as DispatchBase
from services.dispatch.models import Community, ReportFacts, Task
from services.dispatch.models import inbox as dispatch_inbox
from services.dispatch.models import outbox as dispatch_outbox
from services.reporting import service_layer
from services.reporting.models import Base as ReportingBase
from services.reporting.models import Category, Report
from services.reporting.models import inbox as reporting_inbox
from services.reporting.models import outbox as reporting_outbox
from shared.db import create_db_engine, session_factory
from shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

JUNE = datetime(2026, 6, 1, tzinfo=timezone.utc)
STREET = {"account_id": "lanshan-street", "role": "street_platform", "name": "街道", "community": "lanshan"}
OFFICE = {"account_id": "ytl-admin", "role": "community_admin", "name": "办公室", "community": "ytl"}


def facts(report_id: str, community: str, closed: bool) -> ReportFacts:
    found = JUNE + timedelta(days=3)
    return ReportFacts(report_id=report_id, community=community, grid="g01", category="sanitation.garbage",
                       handler="h", found_at=found, due_at=found + timedelta(days=1),
                       closed_at=found + timedelta(hours=2) if closed else None, closed_on_time=closed,
                       level="grid", closed_level="grid" if closed else None, deferred=False, yellow=False,
                       red=False, extensions=0, returns=0, reworks=0, escalations_community=0,
                       escalations_street=0, rating=None)


def test_the_street_counts_each_of_its_communities_and_no_other_streets(database_url):
    engine = create_db_engine(database_url)
    DispatchBase.metadata.create_all(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        session.add_all([Community(code="ytl", street="lanshan", name_zh="砚台岭社区", name_en="Yantailing"),
                         Community(code="jqs", street="lanshan", name_zh="金雀山社区", name_en="Jinqueshan"),
                         Community(code="far", street="elsewhere", name_zh="别处社区", name_en="Elsewhere")])
        session.add_all([facts("a1", "ytl", True), facts("a2", "ytl", False), facts("b1", "jqs", True),
                         facts("c1", "far", True)])
        session.commit()

    def read(caller, group_by):
        return figures.figures(UnitOfWork(sessions, dispatch_outbox, dispatch_inbox, "dispatch"), caller,
                               {"period_from": JUNE.isoformat(), "period_to": (JUNE + timedelta(days=30)).isoformat(),
                                "group_by": group_by})

    rows = {row["key"]: (row["found"], row["closed"]) for row in read(STREET, "community")["rows"]}
    assert rows == {"jqs": (1, 1), "ytl": (2, 1)}
    [whole] = read(STREET, "none")["rows"]
    assert (whole["found"], whole["completion_rate"]) == (3, round(2 / 3, 4))
    [own] = read(OFFICE, "none")["rows"]
    assert own["found"] == 2
    engine.dispose()


def test_an_export_reads_the_filtered_list_in_slices_each_report_once_in_the_lists_order(database_url):
    engine = create_db_engine(database_url)
    ReportingBase.metadata.create_all(engine)
    sessions = session_factory(engine)
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    with sessions() as session:
        session.add(Category(code="sanitation.garbage", name_zh="暴露垃圾", name_en="Garbage", group_code="sanitation",
                             group_zh="卫生", group_en="Sanitation", attributes=[], active=True))
        for n in range(57):
            created = start + timedelta(minutes=n // 3)  # three reports share each minute: the id breaks ties
            session.add(Report(id=str(uuid.uuid4()), community="ytl" if n % 10 else "jqs",
                               category="sanitation.garbage", description=f"第{n}条", grid="g02" if n % 2 else "g01",
                               building="44", photos=[], attributes={}, urgent=False, channel="app",
                               reporter_id="r", reporter_role="resident", reporter_name="居民", status="submitted",
                               level="grid", task_sequence=0, task_version=0, rework_count=0, reopen_count=0,
                               created_at=created, updated_at=created))
        session.commit()

    def uow():
        return UnitOfWork(sessions, reporting_outbox, reporting_inbox, "reporting")

    listed = service_layer.list_reports(uow(), OFFICE, {"grid": "g02", "per_page": 100})
    exported, after, slices = [], None, 0
    while True:
        page = service_layer.export_reports(uow(), OFFICE, {"grid": "g02"}, after, 7)
        exported += [item["id"] for item in page["items"]]
        slices += 1
        after = page["after"]
        if after is None:
            break
    assert exported == [item["id"] for item in listed["items"]]
    assert len(exported) == listed["total"] > 7 and slices > 1
    engine.dispose()


@pytest.mark.parametrize("sort", ["deadline", "-deadline", "-created"])
def test_a_task_export_reads_the_filtered_list_in_slices_each_task_once_in_the_lists_order(database_url, sort):
    engine = create_db_engine(database_url)
    DispatchBase.metadata.create_all(engine)
    sessions = session_factory(engine)
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    with sessions() as session:
        for n in range(45):
            created = start + timedelta(minutes=n // 3)  # three tasks share each moment: the id breaks ties
            deadline = start + timedelta(hours=(n * 7) % 5)  # deadlines out of creation order, shared too
            session.add(Task(id=str(uuid.uuid4()), cause_event_id=str(uuid.uuid4()), report_id=f"r-{n}", sequence=1,
                             community="ytl" if n % 10 else "jqs", category="sanitation.garbage",
                             grid="g02" if n % 2 else "g01", building="44", description=f"第{n}条", photos=[],
                             level="grid", handler_kind="grid", staff_code="ytl-gw-02", handler_name="网格员",
                             status="closed" if n % 3 == 0 else "assigned", version=1, limit_unit="working_hours",
                             deadline_at=deadline, warn_at=deadline, supervise_at=deadline, created_at=created))
        session.commit()

    def uow():
        return UnitOfWork(sessions, dispatch_outbox, dispatch_inbox, "dispatch")

    filters = {"grid": "g02", "status": "assigned", "sort": sort}
    listed = dispatch_layer.list_tasks(uow(), OFFICE, {**filters, "per_page": 200},
                                     start + timedelta(days=1), dispatch_layer.Calendars())
    exported, after, slices = [], None, 0
    while True:
        page = dispatch_layer.export_tasks(uow(), OFFICE, filters, after, 4)
        exported += [item["id"] for item in page["items"]]
        slices += 1
        after = page["after"]
        if after is None:
            break
    assert exported == [item["id"] for item in listed["items"]]
    assert len(exported) == listed["total"] > 4 and slices > 1
    engine.dispose()
