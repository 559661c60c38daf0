"""Dispatch's nameko shell: RPC entrypoints, event subscriptions and the deadline
clock, nothing else.

Run as many instances as the load needs: they share each subscription queue
(competing consumers) and one database; every instance checks deadlines, and a
task's step is taken by exactly one of them.
"""
from nameko.extensions import DependencyProvider

from services.dispatch import figures, office, patrols, service_layer
from services.dispatch.models import inbox, outbox, rpc_inbox
from services.dispatch.supervision import SupervisionPolicy
from shared.bus import StreetQueues, subscribe
from shared.clock import Clock, every
from shared.entrypoints import command, query
from shared.observability import Observability
from shared.storage import Storage


class SupervisionSettings(DependencyProvider):
    """Reads SUPERVISION from config.yml at start-up: how near is near, how long overdue work waits."""

    def setup(self):
        self.policy = SupervisionPolicy.from_settings(self.container.config.get("SUPERVISION") or {})

    def get_dependency(self, worker_ctx):
        return self.policy


class WorkCalendars(DependencyProvider):
    """The process's cached working calendar (service_layer.Calendars), shared by its workers."""

    def setup(self):
        self.calendars = service_layer.Calendars()

    def get_dependency(self, worker_ctx):
        return self.calendars


class DispatchService:
    name = "dispatch"

    db = Storage(outbox, inbox, rpc_inbox)
    observability = Observability()  # probes, /metrics and the log context, on PROBE_BIND
    clock = Clock()
    supervision = SupervisionSettings()
    calendars = WorkCalendars()
    street_queues = StreetQueues()

    @query
    def health(self):
        return {"service": self.name, **self.db.health()}

    @command
    def import_organisation(self, organisation):
        imported = service_layer.import_organisation(self.db.unit_of_work(), organisation)
        # A street is registered with its first community: from now on its escalations wait for it.
        streets = service_layer.registered_streets(self.db.unit_of_work())
        self.db.after_commit(lambda: self.street_queues.declare(streets))
        return imported

    @command
    def import_calendar(self, days):
        return service_layer.import_calendar(self.db.unit_of_work(), days)

    @query
    def list_calendar(self, year):
        return service_layer.list_calendar(self.db.unit_of_work(), year)

    @command
    def set_calendar_day(self, caller, day, change):
        return service_layer.set_calendar_day(self.db.unit_of_work(), caller, day, change, self.clock.now())

    @query
    def calendar_changes(self, year):
        return service_layer.calendar_changes(self.db.unit_of_work(), year)

    @query
    def list_tasks(self, caller, filters):
        return service_layer.list_tasks(self.db.unit_of_work(), caller, filters, self.clock.now(),
                                       self.calendars)

    @query
    def export_tasks(self, caller, filters, after, limit):
        return service_layer.export_tasks(self.db.unit_of_work(), caller, filters, after, limit)

    @query
    def get_task(self, caller, task_id):
        return service_layer.get_task(self.db.unit_of_work(), caller, task_id, self.clock.now(), self.calendars)

    @query
    def public_organisation(self, community):
        return service_layer.public_organisation(self.db.unit_of_work(), community)

    @query
    def places(self, caller):
        return service_layer.places(self.db.unit_of_work(), caller)

    @query
    def tasks_of_report(self, report_id):
        return service_layer.tasks_of_report(self.db.unit_of_work(), report_id)

    @command
    def accept_task(self, caller, task_id):
        return service_layer.accept_task(self.db.unit_of_work(), caller, task_id, self.clock.now())

    @command
    def resolve_task(self, caller, task_id, resolution):
        return service_layer.resolve_task(self.db.unit_of_work(), caller, task_id, resolution, self.clock.now())

    @command
    def return_task(self, caller, task_id, details):
        return service_layer.return_task(self.db.unit_of_work(), caller, task_id, details, self.clock.now(),
                                         self.supervision)

    @command
    def escalate_task(self, caller, task_id, details):
        return service_layer.escalate_task(self.db.unit_of_work(), caller, task_id, details, self.clock.now(),
                                           self.supervision)

    @command
    def request_extension(self, caller, task_id, details):
        return service_layer.request_change(self.db.unit_of_work(), caller, task_id, "extension", details,
                                            self.clock.now())

    @command
    def request_deferral(self, caller, task_id, details):
        return service_layer.request_change(self.db.unit_of_work(), caller, task_id, "deferral", details,
                                            self.clock.now())

    @command
    def decide_request(self, caller, request_id, decision):
        return service_layer.decide_request(self.db.unit_of_work(), caller, request_id, decision, self.clock.now(),
                                            self.supervision)

    @command
    def resume_task(self, caller, task_id):
        return service_layer.resume_task(self.db.unit_of_work(), caller, task_id, self.clock.now(), self.supervision)

    @query
    def figures(self, caller, query):
        return figures.figures(self.db.unit_of_work(), caller, query)

    @query
    def list_requests(self, caller, filters=None):
        return office.list_requests(self.db.unit_of_work(), caller, filters)

    @query
    def escalated_queue(self, caller):
        return office.escalated_queue(self.db.unit_of_work(), caller)

    @query
    def community_plan(self, caller, community):
        return office.community_plan(self.db.unit_of_work(), caller, community)

    @command
    def start_patrol(self, caller, start):
        return patrols.start(self.db.unit_of_work(), caller, start, self.clock.now())

    @command
    def check_in(self, caller, patrol_id, check_in):
        return patrols.check_in(self.db.unit_of_work(), caller, patrol_id, check_in, self.clock.now())

    @command
    def add_track(self, caller, patrol_id, track):
        return patrols.add_track(self.db.unit_of_work(), caller, patrol_id, track, self.clock.now())

    @command
    def end_patrol(self, caller, patrol_id, end):
        return patrols.end(self.db.unit_of_work(), caller, patrol_id, end, self.clock.now())

    @query
    def get_patrol(self, caller, patrol_id):
        return patrols.get(self.db.unit_of_work(), caller, patrol_id)

    @query
    def list_patrols(self, caller, filters):
        return patrols.list_patrols(self.db.unit_of_work(), caller, filters)

    @query
    def patrol_coverage(self, caller, period):
        return patrols.coverage(self.db.unit_of_work(), caller, period)

    @subscribe("reporting", "report.created")
    def on_report_created(self, event):
        service_layer.on_report_created(self.db.unit_of_work(), event, self.clock.now(), self.supervision,
                                        self.calendars)

    @subscribe("reporting", "report.verified")
    def on_report_verified(self, event):
        service_layer.on_report_verified(self.db.unit_of_work(), event, self.supervision)

    @subscribe("reporting", "report.reopened")
    def on_report_reopened(self, event):
        service_layer.on_report_reopened(self.db.unit_of_work(), event, self.clock.now(), self.supervision)

    @subscribe("reporting", "report.rated")
    def on_report_rated(self, event):
        service_layer.on_report_rated(self.db.unit_of_work(), event)

    @subscribe("mediation", "case.resolved")
    def on_case_resolved(self, event):
        service_layer.on_case_settled(self.db.unit_of_work(), event, self.clock.now())

    @subscribe("mediation", "case.referred")
    def on_case_referred(self, event):
        service_layer.on_case_settled(self.db.unit_of_work(), event, self.clock.now())

    @subscribe("mediation", "case.closed")
    def on_case_closed(self, event):
        service_layer.on_case_settled(self.db.unit_of_work(), event, self.clock.now())

    @every("STREET_QUEUES_CHECK_S", 300, eager=True)
    def declare_street_queues(self):
        """At start and now and then: a broker that was replaced or restored gets every street's queue back."""
        self.street_queues.declare(service_layer.registered_streets(self.db.unit_of_work()))

    @every("DEADLINE_CHECK_INTERVAL_S", 30)
    def check_deadlines(self):
        while service_layer.check_deadlines(self.db.unit_of_work(), self.clock.now(), self.supervision):
            pass  # a full batch may leave more due tasks behind
