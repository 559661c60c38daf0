"""公示: what a community publishes for anyone, without signing in — the points of a period per
household code (and the payouts once it is settled) and the residents' council's decisions. Only
what the gateway's public routes answer is shown: household codes and votes, never a person."""
from datetime import datetime
from urllib.parse import quote

from flask import Blueprint, g, render_template, request
from flask_babel import lazy_gettext as _l

from shared.times import SHANGHAI
from web.gateway_client import GatewayProblem
from web.office import quarter_of

blueprint = Blueprint("public", __name__)

PERIOD_STATES = {"open": _l("进行中，尚未结算"), "settled": _l("已结算"), "unfunded": _l("未设立奖励基金，只公示积分")}


@blueprint.get("/public/<community>")
def publication(community):
    """A period's 公示 (this quarter unless another is asked for) and the council's decisions."""
    period = (request.args.get("period") or "").strip() or quarter_of(datetime.now(SHANGHAI).date())
    place = quote(community, safe="")  # what was typed into the address stays one path segment
    try:
        published = g.api.get(f"/api/v1/public/{place}/publication/{quote(period, safe='')}")
    except GatewayProblem as problem:
        if problem.status != 404:
            raise
        published = None  # nothing recorded for that period (yet): the page says so
    decisions = g.api.get(f"/api/v1/public/{place}/council-decisions")["items"]
    return render_template("public.html", community=community, period=period, published=published,
                           decisions=decisions, states=PERIOD_STATES)
