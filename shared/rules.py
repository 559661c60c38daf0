"""How a service layer applies a rule of its domain: a rule that says no (shared.domain.RuleBroken)
reaches the caller as the platform's error, with the message code the domain chose."""
from shared.contracts.errors import Conflict, InvalidInput
from shared.domain import RuleBroken


def apply_rule(rule, *args, field: str | None = None, inputs: dict | None = None, bad_input: bool = False,
               **kwargs):
    """``rule(*args, **kwargs)``; a broken rule becomes bad input or a conflict.

    Bad input (nothing was stored, fix the field) when the broken code is one of ``inputs`` (code → the
    field to name), or when ``bad_input`` says ``field`` itself is what the caller sent; otherwise a
    conflict with the state of the records ``field`` names (``task_id``, ``case_id`` …)."""
    try:
        return rule(*args, **kwargs)
    except RuleBroken as broken:
        if inputs and broken.code in inputs:
            raise InvalidInput.one(inputs[broken.code], broken.code, **broken.params) from None
        if bad_input:
            raise InvalidInput.one(field, broken.code, **broken.params) from None
        raise Conflict(broken.code, field=field, params=broken.params) from None
