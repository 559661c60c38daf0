"""Errors a service raises across RPC and the gateway maps to HTTP problems.

Registered with nameko so the caller gets the same class back, with its
arguments, instead of a bare RemoteError. Each names a message code from
shared.contracts.messages and, where it applies, the field at fault.
"""
from nameko.exceptions import deserialize_to_instance


class PlatformError(Exception):
    """Base: (code, field, params) so the gateway can say plainly what went wrong."""

    def __init__(self, code: str, field: str | None = None, params: dict | None = None):
        super().__init__(code, field, params or {})
        self.code = code
        self.field = field
        self.params = params or {}


@deserialize_to_instance
class InvalidInput(PlatformError):
    """One or more fields are wrong; nothing was stored."""

    def __init__(self, errors: list[dict]):
        Exception.__init__(self, errors)
        self.errors = errors
        self.code, self.field, self.params = "invalid_input", None, {}

    @classmethod
    def one(cls, field: str, code: str, **params) -> "InvalidInput":
        return cls([{"field": field, "code": code, "params": params}])


@deserialize_to_instance
class NotFound(PlatformError):
    pass


@deserialize_to_instance
class Forbidden(PlatformError):
    pass


@deserialize_to_instance
class Conflict(PlatformError):
    pass
