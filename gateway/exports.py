"""导出: a table (Chinese headers, rows from an iterator) written as CSV or as an Excel workbook
(台账), sent as it is written, so a list of 100,000 reports never sits in memory whole.

CSV goes out row by row (UTF-8 with a BOM, so Excel opens the Chinese right). A workbook is a zip
that can only be closed once its last row is in: openpyxl's write-only mode keeps each row on disk
as it comes, the finished file is sent in chunks and deleted.
"""
import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from shared.times import SHANGHAI

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CHUNK_BYTES = 64 * 1024
CSV_ROWS_PER_CHUNK = 500
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Column:
    header: str  # Chinese, as the office's ledgers head them
    value: Callable[[dict], object]


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name and the file's
    columns: tuple[Column, ...]
    rows: Iterable[dict]


def local(moment: str | None) -> datetime | None:
    """An answer's time (ISO 8601 with its offset) as the wall clock in Asia/Shanghai, without zone."""
    if not moment:
        return None
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).replace(tzinfo=None, microsecond=0)


def percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%"


def file_name(title: str, fmt: str, plain: str = "export") -> str:
    """Content-Disposition with the Chinese name (RFC 5987) and a plain ASCII fallback."""
    return f"attachment; filename=\"{plain}.{fmt}\"; filename*=UTF-8''{quote(title)}.{fmt}"


def write(table: Table, fmt: str) -> Iterator[bytes]:
    return _csv(table) if fmt == "csv" else _xlsx(table)


def _csv(table: Table) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([c.header for c in table.columns])
    for n, row in enumerate(table.rows, start=1):
        writer.writerow([_text(c.value(row)) for c in table.columns])
        if n % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _xlsx(table: Table) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    sheet.freeze_panes = "A2"
    sheet.append([c.header for c in table.columns])
    for row in table.rows:
        sheet.append([_cell(sheet, c.value(row)) for c in table.columns])
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk


def _cell(sheet, value):
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, bool):
        return "是" if value else "否"
    return value
