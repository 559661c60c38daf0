"""Mediation's nameko shell: the six stations' RPC entrypoints and the escalations
they receive, each one call into service_layer."""
from services.mediation import service_layer
from services.mediation.models import inbox, outbox
from shared.bus import rpc, subscribe
from shared.clock import Clock
from shared.observability import Observability
from shared.storage import Storage


class MediationService:
    name = "mediation"

    db = Storage(outbox, inbox)
    observability = Observability()  # probes, /metrics and the log context, on PROBE_BIND
    clock = Clock()

    @rpc
    def health(self):
        return {"service": self.name, **self.db.health()}

    @rpc
    def import_station_staff(self, staff):
        return service_layer.import_station_staff(self.db.unit_of_work(), staff)

    # reception (接访站)
    @rpc
    def open_case(self, caller, data):
        return service_layer.open_case(self.db.unit_of_work(), caller, data, self.clock.now())

    @subscribe("dispatch", "report.escalated")
    def on_report_escalated(self, event):
        service_layer.on_report_escalated(self.db.unit_of_work(), event, self.clock.now())

    @rpc
    def list_cases(self, caller, filters=None):
        return service_layer.list_cases(self.db.unit_of_work(), caller, filters, self.clock.now())

    @rpc
    def get_case(self, caller, case_id):
        return service_layer.get_case(self.db.unit_of_work(), caller, case_id, self.clock.now())

    @rpc
    def add_party(self, caller, case_id, data):
        return service_layer.add_party(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    # triage (事务分流站)
    @rpc
    def route_case(self, caller, case_id, data):
        return service_layer.route_case(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @rpc
    def send_back(self, caller, case_id, data):
        return service_layer.send_back(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    # dispute mediation (争议调解站)
    @rpc
    def record_consent(self, caller, case_id, data):
        return service_layer.record_consent(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @rpc
    def appoint_mediators(self, caller, case_id, data):
        return service_layer.appoint_mediators(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @rpc
    def give_rights_notice(self, caller, case_id, data):
        return service_layer.give_rights_notice(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @rpc
    def hold_session(self, caller, case_id, data):
        return service_layer.hold_session(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @rpc
    def extend_mediation(self, caller, case_id, data):
        return service_layer.extend_mediation(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @rpc
    def fail_mediation(self, caller, case_id, data):
        return service_layer.fail_mediation(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @rpc
    def draft_agreement(self, caller, case_id, data):
        return service_layer.draft_agreement(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @rpc
    def sign_agreement(self, caller, agreement_id, data):
        return service_layer.sign_agreement(self.db.unit_of_work(), caller, agreement_id, data, self.clock.now())

    @rpc
    def record_performance(self, caller, agreement_id, obligation_id, data):
        return service_layer.record_performance(self.db.unit_of_work(), caller, agreement_id, obligation_id, data,
                                                self.clock.now())

    @rpc
    def record_judicial_confirmation(self, caller, agreement_id, data):
        return service_layer.record_judicial_confirmation(self.db.unit_of_work(), caller, agreement_id, data,
                                                          self.clock.now())

    @rpc
    def agreement_document(self, caller, agreement_id):
        return service_layer.agreement_document(self.db.unit_of_work(), caller, agreement_id)

    # legal services (法律服务站)
    @rpc
    def record_consultation(self, caller, data):
        return service_layer.record_consultation(self.db.unit_of_work(), caller, data, self.clock.now())

    @rpc
    def refer_to_legal_aid(self, caller, case_id, data):
        return service_layer.refer_to_legal_aid(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    @rpc
    def resolve_case(self, caller, case_id, data):
        return service_layer.resolve_case(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    # supervision (督导督办站)
    @rpc
    def supervision_lists(self, caller):
        return service_layer.supervision_lists(self.db.unit_of_work(), caller, self.clock.now())

    @rpc
    def issue_supervision_order(self, caller, case_id, data):
        return service_layer.issue_supervision_order(self.db.unit_of_work(), caller, case_id, data,
                                                     self.clock.now())

    @rpc
    def record_follow_up(self, caller, case_id, data):
        return service_layer.record_follow_up(self.db.unit_of_work(), caller, case_id, data, self.clock.now())

    # residents' council (居民议事站)
    @rpc
    def raise_agenda_item(self, caller, data):
        return service_layer.raise_agenda_item(self.db.unit_of_work(), caller, data, self.clock.now())

    @rpc
    def hold_meeting(self, caller, data):
        return service_layer.hold_meeting(self.db.unit_of_work(), caller, data, self.clock.now())

    @rpc
    def decide(self, caller, item_id, data):
        return service_layer.decide(self.db.unit_of_work(), caller, item_id, data, self.clock.now())

    @rpc
    def council_items(self, caller, filters=None):
        return service_layer.council_items(self.db.unit_of_work(), caller, filters)

    @rpc
    def council_meetings(self, caller):
        return service_layer.council_meetings(self.db.unit_of_work(), caller)

    @rpc
    def published_decisions(self, community):
        return service_layer.published_decisions(self.db.unit_of_work(), community)

    # figures
    @rpc
    def figures(self, caller, query):
        return service_layer.figures(self.db.unit_of_work(), caller, query, self.clock.now())
