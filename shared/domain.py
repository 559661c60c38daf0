"""What every service's domain shares: how a business rule says no."""


class RuleBroken(Exception):
    """A rule of the domain refused a change; ``code`` names the message people read."""

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params
