"""Mediation's nameko shell."""
from nameko.rpc import rpc

from services.mediation import service_layer
from services.mediation.models import inbox, outbox
from shared.bus import subscribe
from shared.storage import Storage


class MediationService:
    name = "mediation"

    db = Storage(outbox, inbox)

    @rpc
    def health(self):
        return {"service": self.name, **self.db.health()}

    @subscribe("dispatch", "report.escalated")
    def on_report_escalated(self, event):
        service_layer.note_escalation(self.db.unit_of_work(), event)
