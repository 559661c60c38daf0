"""Scoring's nameko shell."""
from nameko.rpc import rpc

from services.scoring import service_layer
from services.scoring.models import inbox, outbox
from shared.bus import subscribe
from shared.storage import Storage


class ScoringService:
    name = "scoring"

    db = Storage(outbox, inbox)

    @rpc
    def health(self):
        return {"service": self.name, **self.db.health()}

    @subscribe("reporting", "report.closed")
    def on_report_closed(self, event):
        service_layer.note_event(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.resolved")
    def on_task_resolved(self, event):
        service_layer.note_event(self.db.unit_of_work(), event)
