"""Property: whatever people do and however the clock moves, a task never climbs
before its deadline, and a report climbs to each level at most once."""
import tempfile
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.dispatch import service_layer
from services.dispatch.models import Task
from shared.envelope import Event
from tests.integration.test_deadlines import FILED, Dispatch

pytestmark = pytest.mark.integration

actions = st.lists(st.one_of(
    st.tuples(st.just("tick"), st.integers(min_value=0, max_value=60 * 60)),  # minutes
    st.tuples(st.just("accept"), st.none()),
    st.tuples(st.just("resolve"), st.none()),
    st.tuples(st.just("fail_verification"), st.none()),
    st.tuples(st.just("extend"), st.integers(min_value=1, max_value=72)),  # hours past the deadline
    st.tuples(st.just("escalate_by_hand"), st.none()),
), max_size=25)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=actions, urgent=st.booleans())
def test_no_task_climbs_before_its_deadline_and_each_level_is_reached_once(steps, urgent):
    with tempfile.TemporaryDirectory() as folder:
        dispatch = Dispatch(f"sqlite:///{folder}/dispatch.db")
        report = dispatch.report(FILED, urgent=urgent)
        now = FILED
        for action, amount in steps:
            task = dispatch.task(report)
            handler = dispatch.caller_for(task)
            try:
                if action == "tick":
                    now += timedelta(minutes=amount)
                    before = {t.id for t in _escalated(dispatch, report)}
                    dispatch.check(now)
                    for climbed in _escalated(dispatch, report):
                        if climbed.id not in before and climbed.escalation_reason == "overdue":
                            assert now >= climbed.deadline_at, "climbed before its deadline"
                            assert now >= climbed.escalate_at
                elif action == "accept":
                    service_layer.accept_task(dispatch.uow(), handler, task.id, now)
                elif action == "resolve":
                    service_layer.resolve_task(dispatch.uow(), handler, task.id, {"note": "done"}, now)
                elif action == "fail_verification":
                    _verification_failed(dispatch, report, task)
                elif action == "extend":
                    until = (task.deadline_at + timedelta(hours=amount)).isoformat()
                    request = service_layer.request_change(dispatch.uow(), handler, task.id, "extension",
                                                           {"reason": "more time", "until": until}, now)
                    service_layer.decide_request(dispatch.uow(), _office(), request["id"], {"approve": True}, now,
                                                 dispatch.supervision)
                else:
                    service_layer.escalate_task(dispatch.uow(), handler, task.id, {"reason": "cannot solve"}, now,
                                                dispatch.supervision)
            except service_layer.Conflict:
                pass  # the action did not fit the task's state: refused, nothing changed
        levels = [e["payload"]["level"] for e in dispatch.events(report, "report.escalated")]
        assert len(levels) == len(set(levels)), f"a level reached twice: {levels}"
        open_tasks = [t for t in _all(dispatch, report) if t.status not in ("escalated", "returned", "closed")]
        assert len(open_tasks) <= 1
        dispatch.engine.dispose()


def _office() -> dict:
    return {"account_id": "ytl-admin", "role": "community_admin", "name": "办公室", "community": "ytl",
            "staff_code": "ytl-office-01"}


def _all(dispatch, report_id) -> list[Task]:
    with dispatch.sessions() as session:
        return session.scalars(select(Task).where(Task.report_id == report_id)).all()


def _escalated(dispatch, report_id) -> list[Task]:
    return [t for t in _all(dispatch, report_id) if t.status == "escalated"]


def _verification_failed(dispatch, report_id, task):
    event = Event(type="report.verified", source="reporting", correlation_id=report_id, payload={
        "report_id": report_id, "community": "ytl", "task_id": task.id, "passed": False, "note": "not done",
        "verifier_id": "ytl-gw-02", "rework_count": task.rework_count + 1})
    service_layer.on_report_verified(dispatch.uow(), event, dispatch.supervision)
