"""Deadlines, supervision and the ladder in dispatch's service layer, on a real
database (SQLite, and PostgreSQL where it runs), with a clock the test controls."""
import json
from datetime import datetime, timedelta

import pytest
import yaml
from sqlalchemy import select

from deploy.demo.load import DEMO_FILE, calendar_days, organisation
from services.dispatch import figures, service_layer
from services.dispatch.models import Base, ReportFacts, Task, inbox, outbox
from services.dispatch.supervision import SupervisionPolicy
from shared.contracts.errors import InvalidInput
from shared.db import create_db_engine, session_factory
from shared.envelope import Event
from shared.times import SHANGHAI, as_utc
from shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

OFFICE = {"account_id": "ytl-admin", "role": "community_admin", "name": "办公室", "community": "ytl",
          "staff_code": "ytl-office-01"}


def shanghai(*args) -> datetime:
    return as_utc(datetime(*args, tzinfo=SHANGHAI))


class Dispatch:
    """Dispatch's use cases on one database, driven with explicit moments."""

    def __init__(self, url: str):
        self.engine = create_db_engine(url)
        Base.metadata.create_all(self.engine)
        self.sessions = session_factory(self.engine)
        org, _people = organisation(yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")))
        service_layer.import_organisation(self.uow(), org)
        service_layer.import_calendar(self.uow(), calendar_days())
        self.reports = 0
        self.supervision = SupervisionPolicy()  # the defaults, which config.yml's SUPERVISION repeats
        self.calendars = service_layer.Calendars()  # one process's cached calendar

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, outbox, inbox, "dispatch")

    def report(self, at: datetime, category="sanitation.garbage", building="44", urgent=False) -> str:
        self.reports += 1
        report_id = f"r-{self.reports}"
        event = Event(type="report.created", source="reporting", correlation_id=report_id, occurred_at=at, payload={
            "report_id": report_id, "community": "ytl", "category": category, "description": "测试",
            "building": building, "urgent": urgent, "reporter_id": "ytl-bl-44",
            "reporter_role": "building_leader", "channel": "app"})
        service_layer.on_report_created(self.uow(), event, at, self.supervision, self.calendars)
        return report_id

    def task(self, report_id: str) -> Task:
        with self.sessions() as session:
            return session.scalars(select(Task).where(Task.report_id == report_id).order_by(Task.sequence.desc())
                                   ).first()

    def caller_for(self, task: Task) -> dict:
        return {"account_id": task.staff_code, "role": "property_staff", "name": task.handler_name,
                "community": "ytl", "staff_code": task.staff_code, "company": task.company}

    def check(self, at: datetime) -> int:
        return service_layer.check_deadlines(self.uow(), at, self.supervision)

    def events(self, report_id: str, event_type: str | None = None) -> list[dict]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(outbox.c.event_type, outbox.c.routing_key, outbox.c.body)
                                      .order_by(outbox.c.id)).all()
        found = [{"type": t, "routing_key": k, **json.loads(b)} for t, k, b in rows]
        return [e for e in found
                if e["correlation_id"] == report_id and (event_type is None or e["type"] == event_type)]

    def facts(self, report_id: str) -> ReportFacts:
        with self.sessions() as session:
            return session.get(ReportFacts, report_id)


@pytest.fixture
def dispatch(database_url):
    running = Dispatch(database_url)
    yield running
    running.engine.dispose()


# 4 working hours from Wednesday 30 September 2026, 16:00: 1.5 h that day, then the
# National Day holidays (1-7 October, a weekend inside), then 2.5 h on Thursday 8 October.
FILED = shanghai(2026, 9, 30, 16, 0)
YELLOW = shanghai(2026, 10, 8, 10, 0)  # the last quarter of the limit (1 h) begins
DEADLINE = shanghai(2026, 10, 8, 11, 0)


def test_a_sanitation_task_goes_yellow_then_red_at_working_hour_boundaries_across_holidays(dispatch):
    report = dispatch.report(FILED)
    task = dispatch.task(report)
    assert task.deadline_at == DEADLINE and task.warn_at == YELLOW

    assert dispatch.check(shanghai(2026, 10, 3, 12, 0)) == 0  # a holiday weekend: nothing moves
    assert dispatch.check(YELLOW - timedelta(seconds=1)) == 0
    assert dispatch.check(YELLOW) == 1
    assert dispatch.task(report).supervision == "yellow"
    assert dispatch.check(DEADLINE - timedelta(seconds=1)) == 0
    assert dispatch.check(DEADLINE) == 1
    assert dispatch.task(report).supervision == "red"
    assert [e["type"] for e in dispatch.events(report)] == ["task.assigned", "task.warned", "task.overdue"]
    facts = dispatch.facts(report)
    assert facts.yellow and facts.red


def test_a_task_read_counts_down_in_working_time_only(dispatch):
    """The eight calendar days of the National Day week hold 4 working hours; the reader is told those."""
    report = dispatch.report(FILED)
    task_id = dispatch.task(report).id

    def countdown(now):
        listed = service_layer.list_tasks(dispatch.uow(), OFFICE, {"report_id": report}, now, dispatch.calendars)
        read = service_layer.get_task(dispatch.uow(), OFFICE, task_id, now, dispatch.calendars)
        assert listed["items"][0]["countdown"] == read["countdown"]
        return read["countdown"]

    assert countdown(FILED) == {"overdue": False, "working_minutes": 240, "working_days": 0, "hours": 4,
                                "minutes": 0, "card": "normal"}
    assert countdown(shanghai(2026, 10, 3, 12, 0))["working_minutes"] == 150  # 2.5 h, after a holiday's week
    assert countdown(shanghai(2026, 10, 8, 10, 30)) == {"overdue": False, "working_minutes": 30, "working_days": 0,
                                                        "hours": 0, "minutes": 30, "card": "yellow"}
    # Overdue by 11:00-12:00 and 13:30-14:00: the lunch break is not counted against the handler.
    assert countdown(shanghai(2026, 10, 8, 14, 0)) == {"overdue": True, "working_minutes": 90, "working_days": 0,
                                                       "hours": 1, "minutes": 30, "card": "red"}
    # One working day from a Friday afternoon: 1.5 h on Friday and Monday's whole 7.5 h.
    friday = shanghai(2026, 12, 4, 16, 0)
    hazard = dispatch.report(friday, category="safety.hazard", building="47")
    clock = service_layer.get_task(dispatch.uow(), OFFICE, dispatch.task(hazard).id, friday,
                                   dispatch.calendars)["countdown"]
    assert (clock["working_days"], clock["hours"], clock["minutes"]) == (1, 1, 30)


def test_a_resolved_or_deferred_task_has_no_countdown(dispatch):
    report = dispatch.report(FILED)
    task = dispatch.task(report)
    handler = dispatch.caller_for(task)
    service_layer.accept_task(dispatch.uow(), handler, task.id, FILED)
    service_layer.resolve_task(dispatch.uow(), handler, task.id, {"note": "已清理"}, FILED)
    assert service_layer.get_task(dispatch.uow(), OFFICE, task.id, FILED, dispatch.calendars)["countdown"] is None
    deferred = dispatch.task(dispatch.report(FILED))
    request = service_layer.request_change(dispatch.uow(), dispatch.caller_for(deferred), deferred.id, "deferral",
                                           {"reason": "需等待管网改造"}, FILED)
    service_layer.decide_request(dispatch.uow(), OFFICE, request["id"], {"approve": True, "note": None}, FILED,
                                 dispatch.supervision)
    assert service_layer.get_task(dispatch.uow(), OFFICE, deferred.id, FILED, dispatch.calendars)["countdown"] is None


def test_the_supervision_policy_handed_in_is_the_one_that_plans(dispatch):
    """Each dispatch instance plans with the SUPERVISION its own config gives (no policy shared by the process)."""
    dispatch.supervision = SupervisionPolicy(supervise_after=timedelta(hours=2))
    report = dispatch.report(FILED)
    assert dispatch.task(report).supervise_at == shanghai(2026, 10, 8, 14, 30)  # 2 working hours, across lunch
    dispatch.supervision = SupervisionPolicy()
    assert dispatch.task(dispatch.report(FILED)).supervise_at == shanghai(2026, 10, 8, 16, 30)


def test_a_day_the_office_corrects_counts_for_the_next_report_though_the_calendar_was_cached(dispatch):
    assert dispatch.task(dispatch.report(FILED)).deadline_at == DEADLINE  # the calendar is now cached
    office = {"account_id": "ytl-admin", "role": "community_admin", "name": "办公室", "community": "ytl"}
    service_layer.set_calendar_day(dispatch.uow(), office, "2026-10-08", {"kind": "holiday", "name": "停电"},
                                   FILED - timedelta(days=1))
    # Thursday 8 October is off now: the 2.5 h left run on Friday the 9th instead.
    assert dispatch.task(dispatch.report(FILED)).deadline_at == shanghai(2026, 10, 9, 11, 0)
    service_layer.set_calendar_day(dispatch.uow(), office, "2026-10-08", {"kind": "normal", "name": "已恢复供电"},
                                   FILED)
    assert dispatch.task(dispatch.report(FILED)).deadline_at == DEADLINE


def test_every_correction_of_the_calendar_is_kept_with_its_reason_who_and_when(dispatch):
    office = {"account_id": "ytl-admin", "role": "community_admin", "name": "办公室", "community": "ytl"}
    service_layer.set_calendar_day(dispatch.uow(), office, "2026-12-31", {"kind": "holiday", "name": " 检修停电 "},
                                   FILED)
    service_layer.set_calendar_day(dispatch.uow(), office, "2026-12-31", {"kind": "normal", "name": "检修改期"},
                                   FILED + timedelta(hours=1))
    assert [d for d in service_layer.list_calendar(dispatch.uow(), 2026) if d["date"] == "2026-12-31"] == []
    changes = service_layer.calendar_changes(dispatch.uow(), 2026)
    assert [(c["date"], c["kind"], c["reason"], c["by"]) for c in changes] == [
        ("2026-12-31", "normal", "检修改期", "ytl-admin"), ("2026-12-31", "holiday", "检修停电", "ytl-admin")]
    assert datetime.fromisoformat(changes[0]["at"]) == FILED + timedelta(hours=1)
    assert service_layer.calendar_changes(dispatch.uow(), 2027) == []
    with pytest.raises(InvalidInput) as refused:
        service_layer.set_calendar_day(dispatch.uow(), office, "2026-12-30", {"kind": "holiday", "name": "  "}, FILED)
    assert refused.value.errors[0]["field"] == "name"


def test_a_make_up_saturday_is_a_working_day(dispatch):
    report = dispatch.report(shanghai(2026, 10, 9, 17, 0), category="property.abandoned_item", building="47")
    # 0.5 h on Friday, then Saturday 10 October is worked (调休): due 3.5 h into it
    assert dispatch.task(report).deadline_at == shanghai(2026, 10, 10, 12, 0)


def test_overdue_work_is_supervised_then_climbs_once_to_the_community(dispatch):
    report = dispatch.report(FILED)
    supervise_at = shanghai(2026, 10, 8, 16, 30)  # 4 working hours past the deadline, across lunch
    escalate_at = shanghai(2026, 10, 9, 11, 0)  # one working day past the deadline
    assert dispatch.check(supervise_at) == 3  # yellow, red and the supervision order at once
    supervised = dispatch.events(report, "task.supervised")[0]["payload"]
    assert supervised["leader_code"] == "ytl-office-01"  # a property task's leader is the community office

    assert dispatch.check(escalate_at - timedelta(seconds=1)) == 0
    assert dispatch.check(escalate_at) == 1
    assert dispatch.check(escalate_at) == 0
    assert dispatch.check(escalate_at + timedelta(hours=1)) == 0
    escalated = dispatch.events(report, "report.escalated")
    assert len(escalated) == 1
    assert escalated[0]["routing_key"] == "report.escalated.community.sanitation.garbage"
    assert escalated[0]["payload"]["reason"] == "overdue"
    now_with = dispatch.task(report)
    assert (now_with.level, now_with.handler_kind, now_with.sequence) == ("community", "community", 2)
    assert dispatch.facts(report).escalations_community == 1


def test_an_approved_extension_moves_the_deadline_and_the_cards(dispatch):
    report = dispatch.report(FILED)
    task = dispatch.task(report)
    handler = dispatch.caller_for(task)
    service_layer.accept_task(dispatch.uow(), handler, task.id, FILED)
    new_deadline = shanghai(2026, 10, 12, 17, 30)
    request = service_layer.request_change(dispatch.uow(), handler, task.id, "extension",
                                           {"reason": "需联系环卫车辆", "until": new_deadline.isoformat()}, FILED)
    service_layer.decide_request(dispatch.uow(), OFFICE, request["id"], {"approve": True, "note": "同意"},
                                 shanghai(2026, 10, 8, 9, 0), dispatch.supervision)

    extended = dispatch.task(report)
    assert extended.deadline_at == new_deadline and extended.extension_count == 1
    assert dispatch.check(DEADLINE) == 0  # the old deadline passes quietly
    # Yellow one working day before the new deadline: the close of Saturday 10 October (调休) counts.
    assert dispatch.check(shanghai(2026, 10, 10, 17, 29)) == 0
    assert dispatch.check(shanghai(2026, 10, 10, 17, 30)) == 1
    assert dispatch.task(report).supervision == "yellow"
    assert dispatch.check(new_deadline - timedelta(seconds=1)) == 0
    assert dispatch.check(new_deadline) == 1 and dispatch.task(report).supervision == "red"
    assert dispatch.facts(report).extensions == 1 and dispatch.facts(report).due_at == new_deadline


def test_a_deferred_task_stands_still_and_is_not_counted_overdue(dispatch):
    report = dispatch.report(FILED)
    task = dispatch.task(report)
    request = service_layer.request_change(dispatch.uow(), dispatch.caller_for(task), task.id, "deferral",
                                           {"reason": "需等待管网改造"}, FILED)
    service_layer.decide_request(dispatch.uow(), OFFICE, request["id"], {"approve": True, "note": None}, FILED,
                                 dispatch.supervision)

    assert dispatch.check(shanghai(2026, 12, 31, 12, 0)) == 0
    assert dispatch.task(report).supervision == "normal"
    month = figures.figures(dispatch.uow(), OFFICE, {"period_from": shanghai(2026, 9, 1).isoformat(),
                                                    "period_to": shanghai(2026, 11, 1).isoformat()})
    assert month["rows"][0]["found"] == 1 and month["rows"][0]["overdue"] == 0 and month["rows"][0]["due"] == 0


def test_a_second_extension_is_refused(dispatch):
    report = dispatch.report(FILED)
    task = dispatch.task(report)
    handler = dispatch.caller_for(task)
    until = shanghai(2026, 10, 12, 17, 30).isoformat()
    first = service_layer.request_change(dispatch.uow(), handler, task.id, "extension",
                                         {"reason": "a", "until": until}, FILED)
    service_layer.decide_request(dispatch.uow(), OFFICE, first["id"], {"approve": True}, FILED, dispatch.supervision)
    from shared.contracts.errors import Conflict

    with pytest.raises(Conflict) as refused:
        service_layer.request_change(dispatch.uow(), handler, task.id, "extension",
                                     {"reason": "b", "until": shanghai(2026, 10, 20, 17, 30).isoformat()}, FILED)
    assert refused.value.code == "extension_used"


def test_urgent_and_big_matters_start_above_the_grid(dispatch):
    urgent = dispatch.report(FILED, urgent=True)
    big = dispatch.report(FILED, category="safety.major_hazard")
    assert dispatch.task(urgent).level == "community"
    assert dispatch.task(big).level == "street"
    assert dispatch.task(big).staff_code == "lanshan-platform-01"
    assert dispatch.events(big, "report.escalated")[0]["routing_key"] == \
        "report.escalated.street.lanshan.safety.major_hazard"
