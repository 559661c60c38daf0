"""Patrol rules (巡查), without a broker or a database."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from services.dispatch import patrolling
from shared.domain import RuleBroken

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 in Linyi


@dataclass
class Walk:
    started_at: datetime
    ended_at: datetime | None = None
    distance_m: int | None = None


def broken(rule, *args, **kwargs) -> RuleBroken:
    with pytest.raises(RuleBroken) as raised:
        rule(*args, **kwargs)
    return raised.value


def test_a_patrol_starts_now_or_earlier_from_an_outbox_but_not_twice():
    patrolling.check_start(NOW - timedelta(days=2), NOW, None)
    patrolling.check_start(NOW + timedelta(minutes=4), NOW, None)  # the phone's clock runs a little ahead
    assert broken(patrolling.check_start, NOW + timedelta(hours=1), NOW, None).code == "in_the_future"
    assert broken(patrolling.check_start, NOW - timedelta(days=8), NOW, None).params == {"field": "started_at",
                                                                                         "days": 7}
    assert broken(patrolling.check_start, NOW, NOW, "p-1").code == "patrol_open"


def test_a_step_belongs_to_its_open_patrol_in_time():
    walk = Walk(started_at=NOW - timedelta(hours=1))
    patrolling.check_step(walk, NOW - timedelta(minutes=30), NOW)
    assert broken(patrolling.check_step, walk, NOW - timedelta(hours=2), NOW).code == "outside_patrol"
    late = broken(patrolling.check_step, walk, NOW + timedelta(hours=1), NOW, field="points.3.at")
    assert (late.code, late.params) == ("in_the_future", {"field": "points.3.at"})
    walk.ended_at = NOW
    assert broken(patrolling.check_step, walk, NOW, NOW).code == "patrol_ended"


def test_ending_sets_the_end_once_and_never_before_the_start():
    walk = Walk(started_at=NOW - timedelta(hours=1))
    assert broken(patrolling.end, walk, NOW - timedelta(hours=2), NOW, 0).code == "outside_patrol"
    assert patrolling.end(walk, NOW, NOW, 850) is True
    assert (walk.ended_at, walk.distance_m) == (NOW, 850)
    assert patrolling.end(walk, NOW + timedelta(minutes=1), NOW, 900) is False
    assert (walk.ended_at, walk.distance_m) == (NOW, 850)


def test_the_track_length_is_measured_on_the_earth():
    # 0.001° of latitude is about 111 m.
    assert patrolling.distance_m([(35.05, 118.35), (35.051, 118.35), (35.052, 118.35)]) == 222
    assert patrolling.distance_m([(35.05, 118.35)]) == 0


def test_coverage_counts_a_grids_buildings_checked_in_at_per_day():
    buildings = {"g04": ["47", "48"], "g01": ["41", "42", "43"]}
    visits = [
        {"day": "2026-12-01", "grid": "g04", "walker": "张燕", "building": "47"},
        {"day": "2026-12-01", "grid": "g04", "walker": "张燕", "building": "47"},
        {"day": "2026-12-01", "grid": "g01", "walker": "刘玉兰", "building": None},
        {"day": "2026-12-02", "grid": "g04", "walker": "张燕", "building": "48"},
        {"day": "2026-12-02", "grid": "g04", "walker": "马文军", "building": "47"},
    ]
    assert patrolling.coverage(buildings, visits) == [
        {"day": "2026-12-01", "grid": "g01", "walkers": ["刘玉兰"], "buildings_visited": [], "buildings_total": 3,
         "coverage": 0.0},
        {"day": "2026-12-01", "grid": "g04", "walkers": ["张燕"], "buildings_visited": ["47"], "buildings_total": 2,
         "coverage": 0.5},
        {"day": "2026-12-02", "grid": "g04", "walkers": ["张燕", "马文军"], "buildings_visited": ["47", "48"],
         "buildings_total": 2, "coverage": 1.0},
    ]
