"""我家积分: the resident's household balance and entries, and 异议 (an objection to an entry)."""
from flask import Blueprint, g, render_template, url_for
from flask_babel import lazy_gettext as _l

from web.views.access import signed_in
from web.views.forms import finish, key_of_form, new_key, text

blueprint = Blueprint("points", __name__)

# An entry's state as people read it (the objection window is the 公示 period).
STATES = {
    "proposed": _l("已提出"), "verified": _l("已核实"), "rejected": _l("核实未通过"), "published": _l("公示中"),
    "objected": _l("异议中"), "upheld": _l("异议不成立，维持"), "withdrawn": _l("异议成立，已撤销"),
    "effective": _l("已生效"),
}


@blueprint.get("/points")
@signed_in(("resident",))
def household():
    return render_template("points.html", household=g.api.get("/api/v1/households/me"), states=STATES, key=new_key())


@blueprint.post("/points/<entry_id>/objection")
@signed_in()
def object_to(entry_id):
    g.api.post(f"/api/v1/ledger/{entry_id}/objection", {"reason": text("reason") or ""},
               idempotency_key=key_of_form())
    return finish(url_for("points.household"))
