"""Dispatch's nameko shell: RPC entrypoints and event subscriptions, nothing else.

Run as many instances as the load needs: they share each subscription queue
(competing consumers) and one database.
"""
from nameko.rpc import rpc

from services.dispatch import service_layer
from services.dispatch.calendar import WorkCalendar
from services.dispatch.models import inbox, outbox
from shared.bus import subscribe
from shared.storage import Storage


class DispatchService:
    name = "dispatch"

    db = Storage(outbox, inbox)
    calendar = WorkCalendar()

    @rpc
    def health(self):
        return {"service": self.name, **self.db.health()}

    @rpc
    def import_organisation(self, organisation):
        return service_layer.import_organisation(self.db.unit_of_work(), organisation)

    @rpc
    def list_tasks(self, caller, status=None):
        return service_layer.list_tasks(self.db.unit_of_work(), caller, status)

    @rpc
    def get_task(self, caller, task_id):
        return service_layer.get_task(self.db.unit_of_work(), caller, task_id)

    @rpc
    def tasks_of_report(self, report_id):
        return service_layer.tasks_of_report(self.db.unit_of_work(), report_id)

    @rpc
    def accept_task(self, caller, task_id):
        return service_layer.accept_task(self.db.unit_of_work(), caller, task_id)

    @rpc
    def resolve_task(self, caller, task_id, resolution):
        return service_layer.resolve_task(self.db.unit_of_work(), caller, task_id, resolution)

    @rpc
    def return_task(self, caller, task_id, details):
        return service_layer.return_task(self.db.unit_of_work(), caller, task_id, details, self.calendar)

    @subscribe("reporting", "report.created")
    def on_report_created(self, event):
        service_layer.on_report_created(self.db.unit_of_work(), event, self.calendar)

    @subscribe("reporting", "report.verified")
    def on_report_verified(self, event):
        service_layer.on_report_verified(self.db.unit_of_work(), event)

    @subscribe("reporting", "report.reopened")
    def on_report_reopened(self, event):
        service_layer.on_report_reopened(self.db.unit_of_work(), event, self.calendar)
