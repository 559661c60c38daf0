"""Who may do what: the one table every route names its action in.

Roles here say what kind of thing someone may do; scope (their community,
grid, building, company, own records) is enforced by the service that owns the
records, in its queries.
"""
REPORTERS = frozenset({"resident", "volunteer", "unit_leader", "building_leader", "grid_worker", "grid_leader",
                       "community_admin", "party_secretary"})
HANDLERS = frozenset({"property_staff", "grid_worker", "community_admin", "street_platform"})
STAFF = frozenset({"grid_worker", "grid_leader", "property_staff", "community_admin", "party_secretary",
                   "street_platform"})
OFFICE = frozenset({"community_admin", "party_secretary"})
SIGNED_IN = REPORTERS | STAFF

PERMISSIONS: dict[str, frozenset[str]] = {
    "account:read": SIGNED_IN | {"district_it"},
    "categories:read": SIGNED_IN,
    "media:upload": REPORTERS | HANDLERS,
    "media:read": SIGNED_IN,
    "reports:create": REPORTERS,
    "reports:read": SIGNED_IN,
    "reports:verify": frozenset({"grid_worker", "grid_leader"}) | OFFICE,
    "reports:rate": REPORTERS,
    "tasks:read": STAFF,
    "tasks:act": HANDLERS,
    "tasks:escalate": HANDLERS | {"grid_leader", "party_secretary"},
    "tasks:decide": OFFICE | {"grid_leader"},
    "calendar:read": STAFF,
    "calendar:edit": OFFICE,
    "figures:read": OFFICE | {"grid_leader"},
}


def allowed(action: str, role: str) -> bool:
    return role in PERMISSIONS[action]
