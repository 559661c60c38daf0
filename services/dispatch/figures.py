"""The figures a street office asks for, per period and per grid, handler or category.

One indexed GROUP BY over report_facts (a row per report, kept up to date as
the report moves), never a walk over every report.

- found: reports filed in the period; closed: of those, closed (办结)
- completion_rate (办结率) = closed / found
- on_time_rate (按期结案率) = closed on time / (due in the period − deferred)
- overdue: went red and are not deferred; yellow / red: cards shown
- extensions, returns, reworks: how often each happened
- escalated_community / escalated_street: reports that climbed to that level
- grid_resolution_rate (小事不出网格) = closed at grid level / closed
- community_resolution_rate (大事不出社区) = closed at grid or community level / closed
- satisfaction_rate (满意率) = satisfied or basically satisfied / rated

The community office counts its community; the street platform counts every community of
its street (group_by=community gives one row each).
"""
from sqlalchemy import func, select

from services.dispatch.models import Community, ReportFacts
from shared.contracts import rpc
from shared.contracts.validation import load
from shared.db import count_where

GROUPS = {"community": ReportFacts.community, "grid": ReportFacts.grid, "handler": ReportFacts.handler,
          "category": ReportFacts.category}


def figures(uow, caller: dict, query: dict) -> dict:
    caller = load(rpc.Caller, caller)
    query = load(rpc.FiguresQuery, query)
    f = ReportFacts
    start, end = query["period_from"], query["period_to"]
    columns = [
        func.count().label("found"),
        count_where(f.closed_at.is_not(None)).label("closed"),
        count_where(f.closed_on_time).label("closed_on_time"),
        count_where((f.due_at < end) & f.deferred.is_(False)).label("due"),
        count_where(f.red & f.deferred.is_(False) & f.closed_at.is_(None)).label("overdue"),
        count_where(f.yellow).label("yellow"),
        count_where(f.red).label("red"),
        func.coalesce(func.sum(f.extensions), 0).label("extensions"),
        func.coalesce(func.sum(f.returns), 0).label("returns"),
        func.coalesce(func.sum(f.reworks), 0).label("reworks"),
        count_where(f.escalations_community > 0).label("escalated_community"),
        count_where(f.escalations_street > 0).label("escalated_street"),
        count_where(f.closed_level == "grid").label("closed_at_grid"),
        count_where(f.closed_level.in_(("grid", "community"))).label("closed_in_community"),
        count_where(f.rating.is_not(None)).label("rated"),
        count_where(f.rating.in_(("satisfied", "basically_satisfied"))).label("satisfied"),
    ]
    group = GROUPS.get(query["group_by"])
    statement = select(*([group.label("key")] if group is not None else []), *columns).where(
        counted_communities(caller), f.found_at >= start, f.found_at < end)
    if group is not None:
        statement = statement.group_by(group).order_by(group)
    with uow:
        rows = uow.session.execute(statement).mappings().all()
    return {
        "community": caller["community"],
        "period_from": start.isoformat(),
        "period_to": end.isoformat(),
        "group_by": query["group_by"],
        "rows": [_with_rates(dict(row)) for row in rows if row["found"]],
    }


def counted_communities(caller: dict):
    """The street platform answers for its street's communities; everyone else for their own."""
    if caller["role"] == "street_platform":
        return ReportFacts.community.in_(select(Community.code).where(Community.street == caller["community"]))
    return ReportFacts.community == caller["community"]


def _with_rates(row: dict) -> dict:
    row = {k: v if k == "key" else int(v or 0) for k, v in row.items()}  # PostgreSQL sums are Decimal

    def rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    row["completion_rate"] = rate(row["closed"], row["found"])
    row["on_time_rate"] = rate(row["closed_on_time"], row["due"])
    row["grid_resolution_rate"] = rate(row["closed_at_grid"], row["closed"])
    row["community_resolution_rate"] = rate(row["closed_in_community"], row["closed"])
    row["satisfaction_rate"] = rate(row["satisfied"], row["rated"])
    return row
