"""Patrols' use cases (巡查): start, check in (打卡), send the track, end; the walker's list and the
office's coverage. Dispatch keeps them beside the organisation: a check-in names one of the
community's buildings, and coverage counts a grid's buildings.

Every step may come from a phone's outbox, again: a step with an id the phone chose, or a track
point at a moment already stored, is the same step, so sending twice changes nothing.
"""
import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from services.dispatch import patrolling
from services.dispatch.domain import place_order
from services.dispatch.models import Building, Patrol, PatrolCheckIn, PatrolPoint, Unit
from services.dispatch.schemas import check_in_view, patrol_view
from shared.contracts import rpc
from shared.contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.contracts.roles import OFFICE
from shared.contracts.validation import load
from shared.domain import RuleBroken
from shared.times import SHANGHAI, local_day, shown_local


def _apply(rule, *args, **kwargs):
    """A broken rule about a time the phone sent is bad input naming it; any other, a conflict."""
    try:
        return rule(*args, **kwargs)
    except RuleBroken as broken:
        params = dict(broken.params)
        field = params.pop("field", None)
        if field:
            raise InvalidInput.one(field, broken.code, **params) from None
        raise Conflict(broken.code, field="patrol_id", params=params) from None


def start(uow, caller: dict, data: dict, now: datetime) -> dict:
    caller = load(rpc.Caller, caller)
    data = load(rpc.PatrolStart, data)
    patrol_id = data["id"] or str(uuid.uuid4())
    with uow:
        existing = uow.session.get(Patrol, patrol_id)
        if existing is not None:
            if existing.staff_code != caller["staff_code"]:
                raise Conflict("patrol_id_taken", field="id", params={"id": patrol_id})
            return {**_dump(uow, existing), "created": False}
        open_id = uow.session.scalar(select(Patrol.id).where(Patrol.staff_code == caller["staff_code"],
                                                             Patrol.ended_at.is_(None)).limit(1))
        _apply(patrolling.check_start, data["started_at"], now, open_id)
        patrol = Patrol(id=patrol_id, community=caller["community"], grid=caller["grid"],
                        staff_code=caller["staff_code"], walker_name=caller["name"], started_at=data["started_at"])
        uow.session.add(patrol)
        uow.commit()
        return {**_dump(uow, patrol), "created": True}


def check_in(uow, caller: dict, patrol_id: str, data: dict, now: datetime) -> dict:
    caller = load(rpc.Caller, caller)
    data = load(rpc.CheckIn, data)
    check_in_id = data.pop("id") or str(uuid.uuid4())
    with uow:
        patrol = _own(uow, caller, patrol_id)
        done = uow.session.get(PatrolCheckIn, check_in_id)
        if done is not None:
            if done.patrol_id != patrol.id:
                raise Conflict("patrol_id_taken", field="id", params={"id": check_in_id})
            return check_in_view.dump(done)
        if uow.session.get(Building, (patrol.community, data["building"])) is None:
            raise InvalidInput.one("building", "unknown_building", value=data["building"])
        if data["unit"] and uow.session.get(Unit, (patrol.community, data["building"], data["unit"])) is None:
            raise InvalidInput.one("unit", "unknown_unit", value=data["unit"])
        _apply(patrolling.check_step, patrol, data["at"], now)
        done = PatrolCheckIn(id=check_in_id, patrol_id=patrol.id, **data)
        uow.session.add(done)
        uow.commit()
        return check_in_view.dump(done)


def add_track(uow, caller: dict, patrol_id: str, data: dict, now: datetime) -> dict:
    caller = load(rpc.Caller, caller)
    points = load(rpc.Track, data)["points"]
    with uow:
        patrol = _own(uow, caller, patrol_id)
        for n, point in enumerate(points):
            _apply(patrolling.check_step, patrol, point["at"], now, field=f"points.{n}.at")
        stored = set(uow.session.scalars(select(PatrolPoint.at).where(
            PatrolPoint.patrol_id == patrol.id, PatrolPoint.at.in_([p["at"] for p in points]))))
        for point in {p["at"]: p for p in points}.values():
            if point["at"] not in stored:
                uow.session.add(PatrolPoint(patrol_id=patrol.id, **point))
        uow.commit()
        return _dump(uow, patrol)


def end(uow, caller: dict, patrol_id: str, data: dict, now: datetime) -> dict:
    """The walk is over: patrol.ended tells who walked which buildings when."""
    caller = load(rpc.Caller, caller)
    data = load(rpc.PatrolEnd, data)
    with uow:
        patrol = _own(uow, caller, patrol_id)
        track = [(p.latitude, p.longitude) for p in _points(uow, patrol.id)]
        if _apply(patrolling.end, patrol, data["ended_at"], now, patrolling.distance_m(track)):
            check_ins = _check_ins(uow, patrol.id)
            uow.record("patrol.ended", {
                "patrol_id": patrol.id, "community": patrol.community, "grid": patrol.grid,
                "staff_code": patrol.staff_code, "started_at": patrol.started_at, "ended_at": patrol.ended_at,
                "buildings": sorted({c.building for c in check_ins}, key=place_order), "check_ins": len(check_ins),
                "distance_m": patrol.distance_m}, correlation_id=patrol.id)
        uow.commit()
        return _dump(uow, patrol)


def get(uow, caller: dict, patrol_id: str) -> dict:
    caller = load(rpc.Caller, caller)
    with uow:
        patrol = uow.session.scalars(select(Patrol).where(Patrol.id == patrol_id, _scope(caller))).first()
        if patrol is None:
            raise NotFound("patrol_not_found", field="patrol_id", params={"id": patrol_id})
        return {**_dump(uow, patrol), "check_ins": check_in_view.dump(_check_ins(uow, patrol.id), many=True),
                "track": [{"at": shown_local(p.at), "latitude": p.latitude, "longitude": p.longitude}
                          for p in _points(uow, patrol.id)]}


def list_patrols(uow, caller: dict, filters: dict) -> dict:
    """The caller's patrols (a grid leader: her grid's; the office: the community's), newest first."""
    caller = load(rpc.Caller, caller)
    filters = load(rpc.PatrolFilter, filters)
    conditions = [_scope(caller)]
    if filters["walker"]:
        conditions.append(Patrol.staff_code == filters["walker"])
    if filters["grid"]:
        conditions.append(Patrol.grid == filters["grid"])
    if filters["started_from"]:
        conditions.append(Patrol.started_at >= filters["started_from"])
    if filters["started_to"]:
        conditions.append(Patrol.started_at < filters["started_to"])
    page, per_page = filters["page"], filters["per_page"]
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(Patrol).where(*conditions))
        rows = uow.session.scalars(select(Patrol).where(*conditions).order_by(Patrol.started_at.desc(), Patrol.id)
                                   .offset((page - 1) * per_page).limit(per_page)).all()
        return {"items": [_dump(uow, p) for p in rows], "page": page, "per_page": per_page, "total": total}


def coverage(uow, caller: dict, query: dict) -> dict:
    """巡查覆盖: per day and grid, who patrolled and which of the grid's buildings they checked in at."""
    caller = load(rpc.Caller, caller)
    query = load(rpc.CoverageQuery, query)
    since = datetime.combine(query["from_"], time(), SHANGHAI)
    until = datetime.combine(query["to"] + timedelta(days=1), time(), SHANGHAI)
    conditions = [_scope(caller), Patrol.started_at >= since, Patrol.started_at < until]
    if query["grid"]:
        conditions.append(Patrol.grid == query["grid"])
    with uow:
        buildings: dict[str, list[str]] = {}
        for grid, code in uow.session.execute(select(Building.grid, Building.code)
                                              .where(Building.community == caller["community"])):
            buildings.setdefault(grid, []).append(code)
        for codes in buildings.values():
            codes.sort(key=place_order)
        rows = uow.session.execute(
            select(Patrol.started_at, Patrol.grid, Patrol.walker_name, PatrolCheckIn.building)
            .outerjoin(PatrolCheckIn, PatrolCheckIn.patrol_id == Patrol.id).where(*conditions)).all()
    visits = [{"day": local_day(started).isoformat(), "grid": grid, "walker": walker, "building": building}
              for started, grid, walker, building in rows]
    return {"community": caller["community"], "from": query["from_"].isoformat(), "to": query["to"].isoformat(),
            "rows": patrolling.coverage(buildings, visits)}


def _scope(caller: dict):
    """Whose patrols a caller may see, as SQL."""
    in_community = Patrol.community == caller["community"]
    if caller["role"] in OFFICE:
        return in_community
    if caller["role"] == "grid_leader" and caller["grid"]:
        return in_community & ((Patrol.grid == caller["grid"]) | (Patrol.staff_code == caller["staff_code"]))
    return in_community & (Patrol.staff_code == caller["staff_code"])


def _own(uow, caller: dict, patrol_id: str) -> Patrol:
    """A patrol its walker is changing: one the caller may see, and hers. Locked."""
    patrol = uow.session.scalars(select(Patrol).where(Patrol.id == patrol_id, _scope(caller))
                                 .with_for_update()).first()
    if patrol is None:
        raise NotFound("patrol_not_found", field="patrol_id", params={"id": patrol_id})
    if patrol.staff_code != caller["staff_code"]:
        raise Forbidden("not_your_patrol", field="patrol_id")
    return patrol


def _check_ins(uow, patrol_id: str) -> list[PatrolCheckIn]:
    return uow.session.scalars(select(PatrolCheckIn).where(PatrolCheckIn.patrol_id == patrol_id)
                               .order_by(PatrolCheckIn.at, PatrolCheckIn.id)).all()


def _points(uow, patrol_id: str) -> list[PatrolPoint]:
    return uow.session.scalars(select(PatrolPoint).where(PatrolPoint.patrol_id == patrol_id)
                               .order_by(PatrolPoint.at)).all()


def _dump(uow, patrol: Patrol) -> dict:
    """The patrol with what it holds so far: its check-ins' buildings and how many track points."""
    buildings = uow.session.scalars(select(PatrolCheckIn.building).where(PatrolCheckIn.patrol_id == patrol.id)
                                    .distinct()).all()
    points = uow.session.scalar(select(func.count()).select_from(PatrolPoint)
                                .where(PatrolPoint.patrol_id == patrol.id))
    return {**patrol_view.dump(patrol), "buildings": sorted(buildings, key=place_order), "track_points": points}
