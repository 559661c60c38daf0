"""Who may do what: the one table every route names its action in.

Roles here say what kind of thing someone may do; scope (their community,
grid, building, company, own records) is enforced by the service that owns the
records, in its queries.
"""
from shared.contracts.roles import GRID_STAFF, OFFICE

REPORTERS = frozenset({"resident", "volunteer", "unit_leader", "building_leader", "grid_worker", "grid_leader",
                       "community_admin", "party_secretary"})
REVIEW = frozenset({"review_group"})
HANDLERS = frozenset({"property_staff", "grid_worker", "community_admin", "street_platform"})
STAFF = frozenset({"grid_worker", "grid_leader", "property_staff", "community_admin", "party_secretary",
                   "street_platform"})
SIGNED_IN = REPORTERS | STAFF | REVIEW | {"station_staff"}
# The mediation desk: its stations' staff and the community office (which station may do what is the service's rule).
DESK = OFFICE | {"station_staff"}

PERMISSIONS: dict[str, frozenset[str]] = {
    "account:read": SIGNED_IN | {"district_it"},
    "categories:read": SIGNED_IN,
    "media:upload": REPORTERS | HANDLERS,
    "media:read": SIGNED_IN,
    "reports:create": REPORTERS,
    "reports:read": SIGNED_IN,
    "reports:verify": GRID_STAFF | OFFICE,
    "reports:rate": REPORTERS,
    "tasks:read": STAFF,
    "tasks:act": HANDLERS,
    "tasks:escalate": HANDLERS | {"grid_leader", "party_secretary"},
    "tasks:decide": OFFICE | {"grid_leader"},
    "calendar:read": STAFF,
    "calendar:edit": OFFICE,
    "figures:read": OFFICE | {"grid_leader"},
    "points:own": frozenset({"resident"}),
    "points:review": REVIEW | {"community_admin"},
    "points:propose": REVIEW | GRID_STAFF | {"community_admin"},
    "points:decide": REVIEW,
    "points:object": frozenset({"resident"}),
    "fund:settle": frozenset({"community_admin"}),
    "staff:read": OFFICE,
    "cases:open": DESK,
    "cases:read": DESK | REPORTERS,  # residents and building leaders: their own cases only
    "cases:route": DESK,
    "cases:mediate": DESK,
    "cases:legal": DESK,
    "cases:supervise": DESK,
    "cases:figures": DESK,
    "council:raise": DESK | REPORTERS,
    "council:meet": DESK,
}


def allowed(action: str, role: str) -> bool:
    return role in PERMISSIONS[action]
