"""Patrols (巡查, 走街串巷), in plain Python: a grid worker walks her grid, checks in (打卡) at the
buildings she visits, and her phone may sample where she walks while the page is open.

The phone may be offline in a basement: it says when each step happened, and the platform takes its
word within limits — a step is not in the future, not before the patrol began, and not so old that
it cannot be a patrol still being sent. Functions take any object with the patrol's attributes and
change it, or raise RuleBroken with a message code. No framework imports.
"""
import math
from datetime import datetime, timedelta

from shared.domain import RuleBroken

# A phone's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)
# An outbox may hold a patrol for a while, but a patrol is a day's walk, not a week's.
OLDEST_STEP = timedelta(days=7)
LONGEST_PATROL = timedelta(hours=16)
EARTH_RADIUS_M = 6_371_000


def _when(moment: datetime, now: datetime, field: str) -> None:
    if moment > now + CLOCK_SKEW:
        raise RuleBroken("in_the_future", field=field)
    if moment < now - OLDEST_STEP:
        raise RuleBroken("too_old", field=field, days=OLDEST_STEP.days)


def check_start(started_at: datetime, now: datetime, open_patrol_id: str | None) -> None:
    """One patrol at a time per person."""
    _when(started_at, now, "started_at")
    if open_patrol_id is not None:
        raise RuleBroken("patrol_open", id=open_patrol_id)


def check_step(patrol, at: datetime, now: datetime, field: str = "at") -> None:
    """A check-in or a track point of an open patrol, in its time."""
    if patrol.ended_at is not None:
        raise RuleBroken("patrol_ended")
    _when(at, now, field)
    if at < patrol.started_at or at > patrol.started_at + LONGEST_PATROL:
        raise RuleBroken("outside_patrol", field=field)


def end(patrol, ended_at: datetime, now: datetime, distance_m: int) -> bool:
    """End the patrol; False if it had ended already (ending again changes nothing)."""
    if patrol.ended_at is not None:
        return False
    _when(ended_at, now, "ended_at")
    if ended_at < patrol.started_at:
        raise RuleBroken("outside_patrol", field="ended_at")
    patrol.ended_at = min(ended_at, patrol.started_at + LONGEST_PATROL)
    patrol.distance_m = distance_m
    return True


def distance_m(points: list[tuple[float, float]]) -> int:
    """How far the sampled track goes, in metres (great-circle between successive WGS-84 points)."""
    total = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(points, points[1:]):
        phi1, phi2 = math.radians(lat1), math.radians(lat2)
        a = (math.sin((phi2 - phi1) / 2) ** 2
             + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
        total += 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
    return round(total)


def coverage(buildings_of_grid: dict[str, list[str]], visits: list[dict]) -> list[dict]:
    """Per day and grid: who patrolled, which of the grid's buildings were checked in at, and the share.

    ``visits`` are {day, grid, walker, building or None} — a patrol without a check-in still shows
    who walked that day. Days and grids without any patrol are left out."""
    rows: dict[tuple, dict] = {}
    for visit in visits:
        row = rows.setdefault((visit["day"], visit["grid"]), {"walkers": set(), "buildings": set()})
        row["walkers"].add(visit["walker"])
        if visit["building"] is not None:
            row["buildings"].add(visit["building"])
    out = []
    for (day, grid), row in sorted(rows.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        in_grid = buildings_of_grid.get(grid, [])
        visited = sorted(row["buildings"] & set(in_grid), key=in_grid.index)
        out.append({"day": day, "grid": grid, "walkers": sorted(row["walkers"]), "buildings_visited": visited,
                    "buildings_total": len(in_grid),
                    "coverage": round(len(visited) / len(in_grid), 4) if in_grid else None})
    return out
