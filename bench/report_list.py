"""Benchmark: the newest-first report list over 1,000,000 reports in PostgreSQL.

    python -m bench.report_list [--reports 1000000] [--runs 20]

Creates a throw-away PostgreSQL database, makes reporting's schema in it, loads
a year of reports with COPY (two communities, ten grids, a dozen categories),
then times reporting's list_reports() for the community office, page 1 and
page 1000, and a grid worker's page 1. Beside them, in the same run: the floor
(reading 20 reports by primary key) and the way it was before (an exact count
and OFFSET over whole rows).
"""
import argparse
import random
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, text

from bench.figures import CATEGORIES, copy_rows, line, timed
from services.reporting import service_layer
from services.reporting.models import Base, Report, inbox, outbox
from shared.db import create_db_engine, session_factory
from shared.uow import UnitOfWork
from tests.support import PostgresDatabase

YEAR_START = datetime(2026, 1, 1, tzinfo=timezone.utc)
OFFICE = {"account_id": "ytl-admin", "role": "community_admin", "name": "办公室", "community": "ytl"}
GRID_WORKER = {"account_id": "ytl-gw-03", "role": "grid_worker", "name": "网格员", "community": "ytl",
               "grid": "g03", "staff_code": "ytl-gw-03"}
COLUMNS = ("id, community, category, description, grid, building, photos, attributes, urgent, channel, reporter_id, "
           "reporter_role, reporter_name, status, level, task_sequence, task_version, handler_staff_code, "
           "rework_count, reopen_count, created_at, updated_at")


def report_rows(count: int):
    rng = random.Random(11)
    for n in range(count):
        community = "ytl" if n % 5 else "jqs"
        grid = f"g{rng.randint(1, 8 if community == 'ytl' else 2):02d}"
        at = (YEAR_START + timedelta(seconds=rng.randrange(365 * 24 * 3600))).replace(tzinfo=None).isoformat()
        reporter = f"{community}-gw-{grid[1:]}"
        yield (f"r{n:07d}", community, rng.choice(CATEGORIES), "压测案卷", grid, str(rng.randint(41, 60)), "[]", "{}",
               "false", "app", reporter, "grid_worker", "网格员", rng.choice(("assigned", "closed", "closed")),
               "grid", 1, 1, f"{community}-h{rng.randint(1, 20):02d}", 0, 0, at, at)


def load(engine, count: int) -> None:
    def categories(cursor):
        for code in CATEGORIES:
            cursor.execute("INSERT INTO categories (code, name_zh, name_en, group_code, group_zh, group_en, "
                           "description_zh, description_en, attributes, active) "
                           "VALUES (%s, %s, %s, 'g', 'g', 'g', '', '', '[]', true)", (code, code, code))

    copy_rows(engine, "reports", COLUMNS, report_rows(count), before=categories)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_list", description=__doc__.splitlines()[0])
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

        def listed(caller, page):
            return lambda: service_layer.list_reports(UnitOfWork(sessions, outbox, inbox, "reporting"), caller,
                                                      {"page": page, "per_page": 20})

        first = listed(OFFICE, 1)()
        ids = [item["id"] for item in first["items"]]

        def floor():
            with engine.connect() as connection:
                connection.execute(text("SELECT * FROM reports WHERE id = ANY(:ids)"), {"ids": ids}).all()

        def before(page):
            def run():
                with sessions() as session:
                    where = Report.community == "ytl"
                    session.scalar(select(func.count()).select_from(Report).where(where))
                    session.scalars(select(Report).where(where)
                                    .order_by(Report.created_at.desc(), Report.id)
                                    .offset((page - 1) * 20).limit(20)).all()
            return run

        print(f"\nbench.report_list: Yantailing's reports newest first, 20 a page, among {args.reports:,} "
              f"(PostgreSQL; total shown {first['total']:,}, capped {first['total_capped']})")
        print(line("list_reports, office, page 1", timed(listed(OFFICE, 1), args.runs)))
        print(line("list_reports, office, page 1000", timed(listed(OFFICE, 1000), args.runs)))
        print(line("list_reports, a grid worker, page 1", timed(listed(GRID_WORKER, 1), args.runs)))
        print(line("peer: floor, 20 reports by primary key", timed(floor, args.runs)))
        print(line("peer: before, exact count + OFFSET, page 1", timed(before(1), max(3, args.runs // 5))))
        print(line("peer: before, exact count + OFFSET, page 1000", timed(before(1000), max(3, args.runs // 5))))
        return 0
    finally:
        engine.dispose()
        database.drop()


if __name__ == "__main__":
    raise SystemExit(main())
