"""/livez and /readyz for the image's HEALTHCHECK and Kubernetes' probes."""
from flask import Blueprint, jsonify

from web.console import console_state

blueprint = Blueprint("probes", __name__)


@blueprint.get("/livez")
def livez():
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz():
    # Ready when its own database answers; a gateway that is down is shown to people, page by page.
    try:
        console_state().sessions.ready()
    except Exception as exc:  # any database error means not ready
        return jsonify(status="unavailable", database=type(exc).__name__), 503
    return jsonify(status="ok")
