"""Benchmark: the office exports 100,000 reports (导出) as CSV and as an Excel workbook.

    python -m bench.export [--reports 100000] [--formats csv,xlsx]

Starts the whole platform (real processes, SQLite, a RabbitMQ vhost of its own),
loads the demo street, writes the reports straight into reporting's database (as
a year of a busy street would leave them), then downloads
GET /api/v1/exports/reports.csv and .xlsx as the community office. Prints, per
format: the time to the first byte and to the last, the rows received, and the
peak resident memory (VmHWM) of the gateway's and reporting's processes before
and after, which shows whether the export was held in memory whole.
"""
import argparse
import csv
import io
import random
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import insert

from bench.measure import sign_in
from deploy.local import LocalPlatform, ensure_broker
from services.reporting.models import Report
from shared.config import amqp_uri
from shared.db import create_db_engine
from tests.support import Vhost

CATEGORIES = [("sanitation.garbage", "41"), ("property.abandoned_item", "47"), ("safety.hazard", "44"),
              ("property.facility", "52"), ("city.encroachment", "49"), ("dispute.neighbour", "55")]
GRID_OF_BUILDING = {"41": "g01", "44": "g02", "47": "g04", "49": "g05", "52": "g06", "55": "g08"}
BATCH = 5000


def report_rows(count: int):
    rng = random.Random(11)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for n in range(count):
        category, building = rng.choice(CATEGORIES)
        created = start + timedelta(seconds=rng.randrange(330 * 24 * 3600))
        closed = created + timedelta(hours=rng.expovariate(1 / 30)) if rng.random() < 0.9 else None
        yield dict(id=str(uuid.uuid4()), community="ytl", category=category,
                   description=f"{building}号楼 第{n}条 批量上报的问题描述", grid=GRID_OF_BUILDING[building],
                   building=building, unit="1", address=None, latitude=None, longitude=None, photos=[],
                   attributes={}, urgent=rng.random() < 0.02, channel="patrol", reporter_id=f"bench-{n % 50}",
                   reporter_role="grid_worker", reporter_name="网格员", status="closed" if closed else "assigned",
                   level="grid", task_sequence=1, task_version=1, handler_staff_code="ytl-wy-01", handler_name="物业",
                   deadline_at=created + timedelta(days=5), rework_count=0, reopen_count=0,
                   rating="satisfied" if closed else None, created_at=created, updated_at=closed or created,
                   closed_at=closed)


def load_reports(database_url: str, count: int) -> None:
    engine = create_db_engine(database_url)
    batch = []
    with engine.begin() as connection:
        for row in report_rows(count):
            batch.append(row)
            if len(batch) == BATCH:
                connection.execute(insert(Report.__table__), batch)
                batch = []
        if batch:
            connection.execute(insert(Report.__table__), batch)
    engine.dispose()


def peak_memory_mb(session_leader: int) -> float:
    """The highest VmHWM among the processes of one process session (a gunicorn master and its workers)."""
    peak = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[3]) != session_leader:
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (OSError, ValueError):
            continue
    return peak / 1024


def download(session, url: str) -> tuple[float, float, bytes]:
    started = time.perf_counter()
    first = None
    body = io.BytesIO()
    with session.get(url, stream=True, timeout=600) as answer:
        answer.raise_for_status()
        for chunk in answer.iter_content(chunk_size=64 * 1024):
            first = first or time.perf_counter() - started
            body.write(chunk)
    return first, time.perf_counter() - started, body.getvalue()


def rows_in(fmt: str, content: bytes) -> int:
    if fmt == "csv":
        return sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig")))) - 1
    return sum(1 for _ in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows()) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    ensure_broker(amqp_uri())
    vhost = Vhost().create()
    folder = Path(tempfile.mkdtemp(prefix="grid-bench-export-"))
    platform = LocalPlatform(folder, env={"AMQP_URI": vhost.uri, "RPC_TIMEOUT_S": "30", "GATEWAY_WORKERS": "1"})
    try:
        platform.start_all()
        platform.load_demo()
        started = time.perf_counter()
        load_reports(platform.env["REPORTING_DATABASE_URL"], args.reports)
        print(f"loaded {args.reports:,} reports in {time.perf_counter() - started:.1f} s", flush=True)
        office = sign_in(platform.url, "ytl-admin")
        office.get(f"{platform.url}/api/v1/exports/reports.csv?grid=g01").raise_for_status()  # warm up
        gateway, reporting = platform.processes["gateway"][0].pid, platform.processes["reporting"][0].pid
        for fmt in args.formats.split(","):
            before = peak_memory_mb(gateway), peak_memory_mb(reporting)
            first, total, content = download(office, f"{platform.url}/api/v1/exports/reports.{fmt}")
            after = peak_memory_mb(gateway), peak_memory_mb(reporting)
            rows = rows_in(fmt, content)
            print(f"{fmt:<5} {rows:>8,} rows  {len(content) / 2**20:7.1f} MiB   first byte "
                  f"{first:6.2f} s   all {total:6.1f} s   ({rows / total:,.0f} rows/s)   "
                  f"peak RSS gateway {before[0]:.0f} -> {after[0]:.0f} MB, reporting {before[1]:.0f} -> "
                  f"{after[1]:.0f} MB", flush=True)
    finally:
        platform.stop_all()
        vhost.delete()


if __name__ == "__main__":
    main()
