"""Reporting's nameko shell: RPC entrypoints and event subscriptions, nothing else."""
from services.reporting import service_layer
from services.reporting.models import inbox, outbox, rpc_inbox
from shared.bus import subscribe
from shared.clock import Clock
from shared.entrypoints import command, query
from shared.observability import Observability
from shared.storage import Storage


class ReportingService:
    name = "reporting"

    db = Storage(outbox, inbox, rpc_inbox)
    clock = Clock()
    observability = Observability()  # probes, /metrics and the log context, on PROBE_BIND

    @query
    def health(self):
        return {"service": self.name, **self.db.health()}

    @command
    def import_categories(self, categories):
        return service_layer.import_categories(self.db.unit_of_work(), categories)

    @query
    def list_categories(self):
        return service_layer.list_categories(self.db.unit_of_work())

    @command
    def create_report(self, caller, report):
        return service_layer.create_report(self.db.unit_of_work(), caller, report, self.clock.now())

    @query
    def possible_duplicates(self, caller, lookup):
        return service_layer.possible_duplicates(self.db.unit_of_work(), caller, lookup, self.clock.now())

    @command
    def support_report(self, caller, report_id):
        return service_layer.support_report(self.db.unit_of_work(), caller, report_id, self.clock.now())

    @query
    def get_report(self, caller, report_id):
        return service_layer.get_report(self.db.unit_of_work(), caller, report_id)

    @query
    def list_reports(self, caller, filters):
        return service_layer.list_reports(self.db.unit_of_work(), caller, filters)

    @query
    def public_reports(self, community, filters):
        return service_layer.public_reports(self.db.unit_of_work(), community, filters)

    @command
    def verify_report(self, caller, report_id, verification):
        return service_layer.verify_report(self.db.unit_of_work(), caller, report_id, verification,
                                           self.clock.now())

    @command
    def rate_report(self, caller, report_id, rating):
        return service_layer.rate_report(self.db.unit_of_work(), caller, report_id, rating, self.clock.now())

    @query
    def notifications(self, caller, filters):
        return service_layer.notifications(self.db.unit_of_work(), caller, filters)

    @command
    def mark_read(self, caller, read):
        return service_layer.mark_read(self.db.unit_of_work(), caller, read)

    @command
    def upload_media(self, caller, content_type, content_b64):
        return service_layer.upload_media(self.db.unit_of_work(), caller, content_type, content_b64,
                                          self.clock.now())

    @query
    def get_media(self, caller, media_id):
        return service_layer.get_media(self.db.unit_of_work(), caller, media_id)

    @subscribe("dispatch", "task.assigned")
    def on_task_assigned(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.accepted")
    def on_task_accepted(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.resolved")
    def on_task_resolved(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.returned")
    def on_task_returned(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.warned")
    def on_task_warned(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.overdue")
    def on_task_overdue(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.supervised")
    def on_task_supervised(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.extension_requested")
    def on_extension_requested(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.deferral_requested")
    def on_deferral_requested(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.request_decided")
    def on_request_decided(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "task.resumed")
    def on_task_resumed(self, event):
        service_layer.follow_task(self.db.unit_of_work(), event)

    @subscribe("dispatch", "report.escalated")
    def on_report_escalated(self, event):
        service_layer.follow_escalation(self.db.unit_of_work(), event)

    @subscribe("mediation", "case.opened")
    def on_case_opened(self, event):
        service_layer.follow_case(self.db.unit_of_work(), event)

    @subscribe("mediation", "case.routed")
    def on_case_routed(self, event):
        service_layer.follow_case(self.db.unit_of_work(), event)
        service_layer.file_handed_over_case(self.db.unit_of_work(), event, self.clock.now())

    @subscribe("mediation", "agreement.signed")
    def on_agreement_signed(self, event):
        service_layer.follow_case(self.db.unit_of_work(), event)

    @subscribe("mediation", "case.resolved")
    def on_case_resolved(self, event):
        service_layer.follow_case(self.db.unit_of_work(), event)

    @subscribe("mediation", "case.referred")
    def on_case_referred(self, event):
        service_layer.follow_case(self.db.unit_of_work(), event)

    @subscribe("mediation", "case.closed")
    def on_case_closed(self, event):
        service_layer.follow_case(self.db.unit_of_work(), event)

    @subscribe("mediation", "case.reopened")
    def on_case_reopened(self, event):
        service_layer.follow_case(self.db.unit_of_work(), event)
