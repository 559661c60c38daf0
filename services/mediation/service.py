"""Mediation's nameko shell: the six stations' RPC entrypoints and the escalations
they receive, each one call into service_layer."""
from services.mediation import service_layer
from services.mediation.models import inbox, outbox, rpc_inbox
from shared.bus import subscribe
from shared.clock import Clock
from shared.entrypoints import command, query
from shared.observability import Observability
from shared.storage import Storage


class MediationService:
    name = "mediation"

    db = Storage(outbox, inbox, rpc_inbox)
    observability = Observability()  # probes, /metrics and the log context, on PROBE_BIND
    clock = Clock()

    @query
    def health(self):
        return {"service": self.name, **self.db.health()}

    @command
    def import_station_staff(self, staff):
        return service_layer.import_station_staff(self.db.unit_of_work(), staff)

    # reception (接访站)
    @command
    def open_case(self, caller, data):
        return service_layer.open_case(self.db.unit_of_work(), caller, data, self.clock.now())

    @subscribe("dispatch", "report.escalated")
    def on_report_escalated(self, event):
        service_layer.on_report_escalated(self.db.unit_of_work(), event, self.clock.now())

    @query
    def list_cases(self, caller, filters=None):
        return service_layer.list_cases(self.db.unit_of_work(), caller, filters, self.clock.now())

    @query
    def get_case(self, caller, case_id):
        return service_layer.get_case(self.db.unit_of_work(), caller, case_id, self.clock.now())

    @command
    def add_party(self, caller, case_id, data):
        return service_layer.add_party(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    # triage (事务分流站)
    @command
    def route_case(self, caller, case_id, data):
        return service_layer.route_case(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @command
    def send_back(self, caller, case_id, data):
        return service_layer.send_back(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    # dispute mediation (争议调解站)
    @command
    def record_consent(self, caller, case_id, data):
        return service_layer.record_consent(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @command
    def appoint_mediators(self, caller, case_id, data):
        return service_layer.appoint_mediators(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @command
    def give_rights_notice(self, caller, case_id, data):
        return service_layer.give_rights_notice(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @command
    def hold_session(self, caller, case_id, data):
        return service_layer.hold_session(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @command
    def extend_mediation(self, caller, case_id, data):
        return service_layer.extend_mediation(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @command
    def fail_mediation(self, caller, case_id, data):
        return service_layer.fail_mediation(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @command
    def draft_agreement(self, caller, case_id, data):
        return service_layer.draft_agreement(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @command
    def sign_agreement(self, caller, agreement_id, data):
        return service_layer.sign_agreement(self.db.unit_of_work(), caller, agreement_id, data, self.clock.now())

    @command
    def record_performance(self, caller, agreement_id, obligation_id, data):
        return service_layer.record_performance(self.db.unit_of_work(), caller, agreement_id, obligation_id, data,
                                                self.clock.now())

    @command
    def record_judicial_confirmation(self, caller, agreement_id, data):
        return service_layer.record_judicial_confirmation(self.db.unit_of_work(), caller, agreement_id, data,
                                                          self.clock.now())

    @query
    def agreement_document(self, caller, agreement_id):
        return service_layer.agreement_document(self.db.unit_of_work(), caller, agreement_id)

    @query
    def agreement_pdf(self, caller, agreement_id):
        return service_layer.agreement_pdf(self.db.unit_of_work(), caller, agreement_id)

    # legal services (法律服务站)
    @command
    def record_consultation(self, caller, data):
        return service_layer.record_consultation(self.db.unit_of_work(), caller, data, self.clock.now())

    @command
    def refer_to_legal_aid(self, caller, case_id, data):
        return service_layer.refer_to_legal_aid(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @command
    def resolve_case(self, caller, case_id, data):
        return service_layer.resolve_case(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    # supervision (督导督办站)
    @query
    def supervision_lists(self, caller):
        return service_layer.supervision_lists(self.db.unit_of_work(), caller, self.clock.now())

    @command
    def issue_supervision_order(self, caller, case_id, data):
        return service_layer.issue_supervision_order(self.db.unit_of_work(), caller, case_id, data,
                                                     self.clock.now())

    @command
    def record_follow_up(self, caller, case_id, data):
        return service_layer.record_follow_up(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    # residents' council (居民议事站)
    @command
    def raise_agenda_item(self, caller, data):
        return service_layer.raise_agenda_item(self.db.unit_of_work(), caller, data, self.clock.now())

    @command
    def hold_meeting(self, caller, data):
        return service_layer.hold_meeting(self.db.unit_of_work(), caller, data, self.clock.now())

    @command
    def decide(self, caller, item_id, data):
        return service_layer.decide(self.db.unit_of_work(), caller, item_id, data, self.clock.now())

    @query
    def council_items(self, caller, filters=None):
        return service_layer.council_items(self.db.unit_of_work(), caller, filters)

    @query
    def council_meetings(self, caller):
        return service_layer.council_meetings(self.db.unit_of_work(), caller)

    @query
    def published_decisions(self, community):
        return service_layer.published_decisions(self.db.unit_of_work(), community)

    # figures
    @query
    def figures(self, caller, query):
        return service_layer.figures(self.db.unit_of_work(), caller, query, self.clock.now())
