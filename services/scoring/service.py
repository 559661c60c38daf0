"""Scoring's nameko shell: RPC entrypoints and event subscriptions, nothing else."""
from nameko.dependency_providers import Config

from services.scoring import service_layer
from services.scoring.models import inbox, outbox, rpc_inbox
from shared.bus import subscribe
from shared.clock import Clock
from shared.entrypoints import command, query
from shared.observability import Observability
from shared.storage import Storage

DEFAULT_REPORT_RULE = "ENV-REPORT"
DEFAULT_AGREEMENT_RULE = "STAB-AGREEMENT"


class ScoringService:
    name = "scoring"

    db = Storage(outbox, inbox, rpc_inbox)
    observability = Observability()  # probes, /metrics and the log context, on PROBE_BIND
    clock = Clock()
    config = Config()

    @query
    def health(self):
        return {"service": self.name, **self.db.health()}

    @command
    def import_households(self, households):
        return service_layer.import_households(self.db.unit_of_work(), households)

    @command
    def import_rules(self, rules):
        return service_layer.import_rules(self.db.unit_of_work(), rules)

    @query
    def my_household(self, caller):
        return service_layer.my_household(self.db.unit_of_work(), caller, self.clock.now())

    @query
    def ledger(self, caller, filters=None):
        return service_layer.ledger(self.db.unit_of_work(), caller, filters, self.clock.now())

    @command
    def propose_entry(self, caller, data):
        return service_layer.propose_entry(self.db.unit_of_work(), caller, data, self.clock.now())

    @command
    def verify_entry(self, caller, entry_id, data):
        return service_layer.verify_entry(self.db.unit_of_work(), caller, entry_id, data, self.clock.now())

    @command
    def object_to_entry(self, caller, entry_id, data):
        return service_layer.object_to_entry(self.db.unit_of_work(), caller, entry_id, data, self.clock.now())

    @command
    def decide_objection(self, caller, entry_id, data):
        return service_layer.decide_objection(self.db.unit_of_work(), caller, entry_id, data, self.clock.now())

    @command
    def reverse_entry(self, caller, entry_id, data):
        return service_layer.reverse_entry(self.db.unit_of_work(), caller, entry_id, data, self.clock.now())

    @command
    def open_period(self, caller, data):
        return service_layer.open_period(self.db.unit_of_work(), caller, data, self.clock.now())

    @command
    def settle_period(self, caller, code):
        return service_layer.settle_period(self.db.unit_of_work(), caller, code, self.clock.now())

    @query
    def publication(self, community, period_code):
        return service_layer.publication(self.db.unit_of_work(), community, period_code, self.clock.now())

    @subscribe("reporting", "report.closed")
    def on_report_closed(self, event):
        service_layer.on_report_closed(self.db.unit_of_work(), event, self.clock.now(),
                                       self.config.get("REPORT_RULE") or DEFAULT_REPORT_RULE)

    @query
    def staff_performance(self, caller, period):
        return service_layer.staff_performance(self.db.unit_of_work(), caller, period)

    @subscribe("mediation", "agreement.performed")
    def on_agreement_performed(self, event):
        service_layer.on_agreement_performed(self.db.unit_of_work(), event, self.clock.now(),
                                             self.config.get("AGREEMENT_RULE") or DEFAULT_AGREEMENT_RULE)

    @subscribe("mediation", "council.decided")
    def on_council_decided(self, event):
        service_layer.on_council_decided(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.resolved")
    def on_task_resolved(self, event):
        service_layer.count_for_staff(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.returned")
    def on_task_returned(self, event):
        service_layer.count_for_staff(self.db.unit_of_work(), event)

    @subscribe("reporting", "report.verified")
    def on_report_verified(self, event):
        service_layer.count_for_staff(self.db.unit_of_work(), event)

    @subscribe("reporting", "report.rated")
    def on_report_rated(self, event):
        service_layer.count_for_staff(self.db.unit_of_work(), event)
