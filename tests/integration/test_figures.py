"""The street office's figures against a small month worked out by hand."""

from datetime import datetime, timedelta, timezone

import pytest

from services.dispatch import figures
from services.dispatch.models import Base, ReportFacts, inbox, outbox
from shared.db import create_db_engine, session_factory
from shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

JUNE = datetime(2026, 6, 1, tzinfo=timezone.utc)
JULY = datetime(2026, 7, 1, tzinfo=timezone.utc)
OFFICE = {"account_id": "ytl-admin", "role": "community_admin", "name": "办公室", "community": "ytl"}


def fact(
    report_id,
    grid="g01",
    found=JUNE + timedelta(days=2),
    due_in_days=1,
    closed_after_days=None,
    level="grid",
    community="ytl",
    **flags,
):
    closed = found + timedelta(days=closed_after_days) if closed_after_days is not None else None
    due = found + timedelta(days=due_in_days)
    values = dict(
        report_id=report_id,
        community=community,
        grid=grid,
        category="sanitation.garbage",
        handler="ytl-wy-01",
        found_at=found,
        due_at=due,
        closed_at=closed,
        closed_on_time=bool(closed and closed <= due),
        level=level,
        closed_level=level if closed else None,
        deferred=False,
        yellow=False,
        red=False,
        extensions=0,
        returns=0,
        reworks=0,
        escalations_community=int(level != "grid"),
        escalations_street=int(level == "street"),
        rating=None,
    )
    return ReportFacts(**{**values, **flags})


# The month, by hand (grid g01 unless said):
#  r1 closed on time at grid, satisfied
#  r2 closed late at grid, went yellow and red, one rework, unsatisfied
#  r3 climbed to the community, closed there on time, basically satisfied, one extension
#  r4 climbed to the street, closed there on time (grid g02)
#  r5 open and overdue (red), returned once (grid g02)
#  r6 open, deferred (挂账) and red: not counted overdue, not counted due
#  r7 found in May: outside the month; r8 another community: not ours
def fixture_month() -> list[ReportFacts]:
    return [
        fact("r1", closed_after_days=0.5, rating="satisfied"),
        fact("r2", closed_after_days=3, yellow=True, red=True, reworks=1, rating="unsatisfied"),
        fact("r3", level="community", due_in_days=5, closed_after_days=4, extensions=1, rating="basically_satisfied"),
        fact("r4", grid="g02", level="street", due_in_days=5, closed_after_days=2),
        fact("r5", grid="g02", red=True, yellow=True, returns=1),
        fact("r6", red=True, deferred=True),
        fact("r7", found=JUNE - timedelta(days=3), closed_after_days=1),
        fact("r8", community="jqs", closed_after_days=1),
    ]


@pytest.fixture
def month(database_url):
    engine = create_db_engine(database_url)
    Base.metadata.create_all(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        session.add_all(fixture_month())
        session.commit()

    def figures_for(group_by="none"):
        return figures.figures(
            UnitOfWork(sessions, outbox, inbox, "dispatch"),
            OFFICE,
            {"period_from": JUNE.isoformat(), "period_to": JULY.isoformat(), "group_by": group_by},
        )

    yield figures_for
    engine.dispose()


def test_the_months_figures_match_the_hand_count(month):
    [row] = month()["rows"]
    assert {
        k: row[k]
        for k in (
            "found",
            "closed",
            "closed_on_time",
            "due",
            "overdue",
            "yellow",
            "red",
            "extensions",
            "returns",
            "reworks",
            "escalated_community",
            "escalated_street",
            "closed_at_grid",
            "closed_in_community",
            "rated",
            "satisfied",
        )
    } == {
        "found": 6,
        "closed": 4,
        "closed_on_time": 3,
        "due": 5,
        "overdue": 1,
        "yellow": 2,
        "red": 3,
        "extensions": 1,
        "returns": 1,
        "reworks": 1,
        "escalated_community": 2,
        "escalated_street": 1,
        "closed_at_grid": 2,
        "closed_in_community": 3,
        "rated": 3,
        "satisfied": 2,
    }
    assert row["completion_rate"] == round(4 / 6, 4)  # 办结率
    assert row["on_time_rate"] == round(3 / 5, 4)  # 按期结案率: closed on time / (due − deferred)
    assert row["grid_resolution_rate"] == 0.5  # 小事不出网格: 2 of 4 closed at the grid
    assert row["community_resolution_rate"] == 0.75  # 大事不出社区: 3 of 4 closed within the community
    assert row["satisfaction_rate"] == round(2 / 3, 4)


def test_figures_per_grid_split_the_same_month(month):
    rows = {row["key"]: row for row in month("grid")["rows"]}
    assert set(rows) == {"g01", "g02"}
    assert (rows["g01"]["found"], rows["g01"]["closed"], rows["g01"]["overdue"]) == (4, 3, 0)
    assert (rows["g02"]["found"], rows["g02"]["closed"], rows["g02"]["overdue"]) == (2, 1, 1)
    assert rows["g02"]["escalated_street"] == 1
