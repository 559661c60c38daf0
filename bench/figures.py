"""Benchmark: the street office's figures for one month over 1,000,000 reports in PostgreSQL.

    python -m bench.figures [--reports 1000000] [--runs 20]

Creates a throw-away PostgreSQL database (TEST_POSTGRES_URI, default the local
server), migrates dispatch's schema into it, loads a year of report facts with
COPY (two communities, ten grids, a dozen categories, handlers, escalations,
ratings), then times dispatch's figures() for one month, whole and grouped by
grid, handler and category. Beside them, in the same run: the floor (counting
the month's rows with the same index) and the naive way (loading the month's
rows and counting in Python).
"""
import argparse
import io
import random
import statistics
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text

from services.dispatch import figures
from services.dispatch.models import Base, ReportFacts, inbox, outbox
from shared.db import create_db_engine, session_factory
from shared.uow import UnitOfWork
from tests.support import PostgresDatabase

YEAR_START = datetime(2026, 1, 1, tzinfo=timezone.utc)
MONTH = (datetime(2026, 6, 1, tzinfo=timezone.utc), datetime(2026, 7, 1, tzinfo=timezone.utc))
CATEGORIES = ["safety.hazard", "city.encroachment", "sanitation.garbage", "governance.public_order",
              "stability.risk", "environment.pollution", "registration.household", "property.abandoned_item",
              "property.facility", "dispute.neighbour", "dispute.night_disturbance", "safety.major_hazard"]
OFFICE = {"account_id": "ytl-admin", "role": "community_admin", "name": "办公室", "community": "ytl"}


def fact_rows(count: int):
    rng = random.Random(7)
    for n in range(count):
        community = "ytl" if n % 5 else "jqs"
        grid = f"g{rng.randint(1, 8 if community == 'ytl' else 2):02d}"
        found = YEAR_START + timedelta(seconds=rng.randrange(365 * 24 * 3600))
        due = found + timedelta(hours=rng.choice((4, 24, 72, 120)))
        closed = found + timedelta(hours=rng.expovariate(1 / 30)) if rng.random() < 0.93 else None
        red = closed is None or closed > due
        level = rng.choices(("grid", "community", "street"), (85, 12, 3))[0]
        rating = rng.choices(("satisfied", "basically_satisfied", "unsatisfied", None), (60, 20, 5, 15))[0]
        yield (f"r{n:07d}", community, grid, rng.choice(CATEGORIES), f"{community}-h{rng.randint(1, 20):02d}",
               found.isoformat(), due.isoformat(), closed.isoformat() if closed else None,
               bool(closed and closed <= due), level, level if closed else None, rng.random() < 0.01,
               red or rng.random() < 0.2, red, int(rng.random() < 0.05), int(rng.random() < 0.04),
               int(rng.random() < 0.06), int(level != "grid"), int(level == "street"), rating if closed else None)


def load(engine, count: int) -> None:
    columns = ("report_id, community, grid, category, handler, found_at, due_at, closed_at, closed_on_time, level, "
               "closed_level, deferred, yellow, red, extensions, returns, reworks, escalations_community, "
               "escalations_street, rating")
    copy_rows(engine, "report_facts", columns, fact_rows(count))


def copy_rows(engine, table: str, columns: str, rows, before=lambda cursor: None) -> None:
    """Bulk-load ``rows`` with COPY (after ``before`` has run on the same cursor), then VACUUM ANALYZE
    the table, as autovacuum does to a live one."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        before(cursor)
        batch = io.StringIO()
        for row in rows:
            batch.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
        batch.seek(0)
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", batch)
        raw.commit()
        raw.driver_connection.autocommit = True
        cursor.execute(f"VACUUM ANALYZE {table}")
    finally:
        raw.close()


def timed(action, runs: int) -> list[float]:
    action()  # warm the cache, as a dashboard that is open all day would
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return timings


def line(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return (f"{name:<48} p50 {statistics.median(ms):8.1f} ms   max {ms[-1]:8.1f} ms   (runs={len(ms)})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.figures", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)

    database = PostgresDatabase().create()
    engine = create_db_engine(database.url)
    try:
        Base.metadata.create_all(engine)
        started = time.perf_counter()
        load(engine, args.reports)
        print(f"loaded {args.reports:,} reports in {time.perf_counter() - started:.1f} s")
        sessions = session_factory(engine)
        query = {"period_from": MONTH[0].isoformat(), "period_to": MONTH[1].isoformat()}

        def month(group_by):
            return lambda: figures.figures(UnitOfWork(sessions, outbox, inbox, "dispatch"), OFFICE,
                                           {**query, "group_by": group_by})

        def floor():
            with engine.connect() as connection:
                connection.execute(text("SELECT count(*) FROM report_facts WHERE community = 'ytl' "
                                        "AND found_at >= :a AND found_at < :b"), {"a": MONTH[0], "b": MONTH[1]})

        def naive():
            with sessions() as session:
                rows = session.scalars(select(ReportFacts).where(
                    ReportFacts.community == "ytl", ReportFacts.found_at >= MONTH[0],
                    ReportFacts.found_at < MONTH[1])).all()
                return sum(1 for r in rows if r.closed_at), len(rows)

        whole = month("none")()["rows"][0]
        print(f"\nbench.figures: one month (June 2026) of Yantailing among {args.reports:,} reports, PostgreSQL")
        print(f"  found {whole['found']:,}, closed {whole['closed']:,}, completion {whole['completion_rate']:.2%}, "
              f"on time {whole['on_time_rate']:.2%}, satisfaction {whole['satisfaction_rate']:.2%}")
        for group_by in ("none", "grid", "handler", "category"):
            print(line(f"figures(group_by={group_by})", timed(month(group_by), args.runs)))
        print(line("peer: floor, count(*) of the month", timed(floor, args.runs)))
        print(line("peer: naive, load the month's rows", timed(naive, max(3, args.runs // 5))))
        return 0
    finally:
        engine.dispose()
        database.drop()


if __name__ == "__main__":
    raise SystemExit(main())
