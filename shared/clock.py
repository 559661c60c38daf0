"""Where a service reads the time. The system clock in production; in tests a
clock that the test moves, so real processes can live through a weekend in a second.

    CLOCK: system            # the default
    CLOCK: file:/tmp/now     # the file holds an ISO 8601 moment; missing or empty = system time
"""
from datetime import datetime
from pathlib import Path

from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from shared.times import as_utc, utcnow


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


class FileClock:
    def __init__(self, path: str):
        self.path = Path(path)

    def now(self) -> datetime:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            text = ""
        return as_utc(datetime.fromisoformat(text)) if text else utcnow()

    def set(self, moment: datetime) -> None:
        """Move the clock (tests); written whole so a reader never sees half a moment."""
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(as_utc(moment).isoformat())
        temporary.replace(self.path)


def clock_from(setting: str | None):
    if not setting or setting == "system":
        return SystemClock()
    if setting.startswith("file:"):
        return FileClock(setting[len("file:"):])
    raise ValueError(f"CLOCK must be 'system' or 'file:/path', not {setting!r}")


class Clock(DependencyProvider):
    """``clock = Clock()`` in a service: ``self.clock.now()``, from config CLOCK."""

    def setup(self):
        self.clock = clock_from(self.container.config.get("CLOCK"))

    def get_dependency(self, worker_ctx):
        return self.clock


class Every(Timer):
    """``@every("SETTING", default_s)``: a timer whose interval comes from config."""

    def __init__(self, setting: str, default_s: float, **kwargs):
        self.setting = setting
        super().__init__(interval=default_s, **kwargs)

    def setup(self):
        self.interval = float(self.container.config.get(self.setting, self.interval))
        super().setup()


every = Every.decorator
