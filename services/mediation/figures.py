"""The community desk's figures, per station and period, counted in the database.

Asia/Shanghai days, both ends included:
- received: cases opened at the station; visitors: of those, walk-ins and phone calls;
  escalations: of those, matters that climbed from a report
- mediated: mediation started; mediation succeeded (agreement performed) / failed, and the success rate
- resolved; difficult problems solved (came by escalation and resolved); average days to resolve
- overdue: open past their deadline now, or resolved after it, among deadlines in the period
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as when

from services.mediation.domain import OPEN_STATUSES, STATION_NAMES
from services.mediation.models import Case
from shared.db import count_where
from shared.times import SHANGHAI

OPEN = tuple(status.value for status in OPEN_STATUSES)  # plain strings for the query


def station_figures(uow, community: str, first_day: date, last_day: date, now: datetime) -> dict:
    """Each station's figures and the desk's total, one GROUP BY per kind of moment."""
    start = datetime.combine(first_day, time(), SHANGHAI)
    end = datetime.combine(last_day + timedelta(days=1), time(), SHANGHAI)
    c = Case
    mine = c.community == community
    opened = and_(c.opened_at >= start, c.opened_at < end)
    resolved = and_(c.resolved_at >= start, c.resolved_at < end)
    started = and_(c.mediation_started_at >= start, c.mediation_started_at < end)
    failed = and_(c.mediation_failed_at >= start, c.mediation_failed_at < end)
    late = and_(c.due_at >= start, c.due_at < end, c.due_at < now,
                or_(and_(c.status.in_(OPEN)), and_(c.resolved_at.is_not(None), c.resolved_at > c.due_at)))
    queries = {
        "opened_station": [count_where(opened).label("received"),
                           count_where(and_(opened, c.source.in_(("walk_in", "phone")))).label("visitors"),
                           count_where(and_(opened, c.source == "escalation")).label("escalations")],
        "resolved_station": [count_where(resolved).label("resolved"),
                             count_where(and_(resolved, c.source == "escalation")).label("difficult_solved"),
                             func.coalesce(func.sum(when((resolved, c.resolve_seconds), else_=0)), 0)
                             .label("resolve_seconds"),
                             count_where(and_(resolved, c.outcome == "agreement_performed"))
                             .label("mediation_succeeded")],
        "station": [count_where(started).label("mediated"), count_where(failed).label("mediation_failed"),
                    count_where(late).label("overdue")],
    }
    rows = {station: {"station": station, "station_name": {"zh": names[0], "en": names[1]}}
            for station, names in STATION_NAMES.items()}
    with uow:
        for column, counts in queries.items():
            key = getattr(c, column)
            for row in uow.session.execute(select(key.label("key"), *counts).where(mine).group_by(key)).mappings():
                if row["key"] in rows:
                    rows[row["key"]].update({k: int(v or 0) for k, v in row.items() if k != "key"})
    names = ("received", "visitors", "escalations", "resolved", "difficult_solved", "resolve_seconds",
             "mediation_succeeded", "mediated", "mediation_failed", "overdue")
    for row in rows.values():
        for name in names:
            row.setdefault(name, 0)
    total = {name: sum(row[name] for row in rows.values()) for name in names}
    return {"community": community, "from": first_day.isoformat(), "to": last_day.isoformat(),
            "stations": [_rates(row) for row in rows.values()], "total": _rates({"station": None, **total})}


def _rates(row: dict) -> dict:
    ended = row["mediation_succeeded"] + row["mediation_failed"]
    row["success_rate"] = round(row["mediation_succeeded"] / ended, 4) if ended else None
    row["average_days_to_resolve"] = round(row["resolve_seconds"] / 86400 / row["resolved"], 2) \
        if row["resolved"] else None
    del row["resolve_seconds"]
    return row
