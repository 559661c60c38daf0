"""The two kinds of RPC entrypoint a service has; every RPC is one of them (shared.storage refuses a bare one).

    @query                                   # reads; may run any number of times
    def get_report(self, caller, report_id): ...

    @command                                 # changes something: recorded once per request id
    def create_report(self, caller, report): ...

A command is called with its request id as the keyword ``command_id``
(``rpc.reporting.create_report(caller, report, command_id=...)``); a call
without one is refused. The service runs it through its storage
(``Database.command``): the change and its answer are committed together with
the id, and the same id again gets the first answer without running anything.
A query ignores a ``command_id`` it is given (the gateway sends one with every
call it makes for a request that changes something). Both are nameko RPC on a
quorum request queue (shared.bus.QuorumRpc).
"""
import inspect
from functools import wraps

from nameko.exceptions import IncorrectSignature

from shared.bus import QuorumRpc
from shared.storage import Database, Storage

COMMAND_ID = "command_id"
MAX_COMMAND_ID = 255


class Query(QuorumRpc):
    kind = "query"

    def handle_message(self, body, message):
        if isinstance(body, dict) and isinstance(body.get("kwargs"), dict):
            body = {**body, "kwargs": {k: v for k, v in body["kwargs"].items() if k != COMMAND_ID}}
        super().handle_message(body, message)


class Command(QuorumRpc):
    kind = "command"

    def setup(self):
        if sum(isinstance(dependency, Storage) for dependency in self.container.dependencies) != 1:
            raise RuntimeError(f"{self.container.service_name}.{self.method_name} is a @command: its service needs "
                               "one Storage dependency, where the command is recorded")
        super().setup()

    def check_signature(self, args, kwargs):
        command_id = kwargs.get(COMMAND_ID)
        if not isinstance(command_id, str) or not 0 < len(command_id) <= MAX_COMMAND_ID:
            raise IncorrectSignature(f"{self.container.service_name}.{self.method_name} is a command: call it "
                                     f"with {COMMAND_ID}=<the request's id, 1 to {MAX_COMMAND_ID} characters>")
        body = getattr(self.container.service_cls, self.method_name).__wrapped__
        try:
            inspect.getcallargs(body, None, *args, **{k: v for k, v in kwargs.items() if k != COMMAND_ID})
        except TypeError as exc:
            raise IncorrectSignature(str(exc)) from None


query = Query.decorator


def command(method):
    """A mutating RPC: ``method`` runs once per request id, in one transaction with its record."""

    @wraps(method)
    def once(self, *args, command_id: str, **kwargs):
        return _database(self).command(method.__name__, command_id, lambda: method(self, *args, **kwargs))

    return Command.decorator(once)


def _database(service) -> Database:
    found = [value for value in vars(service).values() if isinstance(value, Database)]
    if len(found) != 1:
        raise RuntimeError(f"a @command needs its service to have one Storage dependency, not {len(found)}")
    return found[0]
