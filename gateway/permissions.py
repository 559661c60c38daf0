"""Who may do what: the one table every route names its action in.

Roles here say what kind of thing someone may do; scope (their community,
grid, building, company, station, own records) is enforced by the service that
owns the records, in its queries.

Every route of the app declares its action, whatever blueprint it is in:

    @blueprint.post("/api/v1/things")
    @requires("things:create")          # gateway.auth: a bearer token whose role the table allows
    def create_thing(): ...

    @blueprint.get("/api/v1/public/...")
    @public("publication:read")         # no sign-in; the action is listed in PUBLIC_ACTIONS
    def published(): ...

    @blueprint.post("/open311/v2/requests.<fmt>")
    @api_key("open311:submit")          # the view authenticates an API key itself; listed in API_KEY_ACTIONS
    def submit(): ...

``check_routes(app)`` runs at the end of create_app and refuses to start an app
with a route that declares nothing (or an action this table does not know).
``python -m gateway.permissions_page`` renders the table to docs/permissions.md.
"""
from shared.contracts.roles import GRID_STAFF, OFFICE, ROLES

EVERYONE = frozenset(ROLES)
REPORTERS = frozenset({"resident", "volunteer", "unit_leader", "building_leader", "grid_worker", "grid_leader",
                       "community_admin", "party_secretary"})
REVIEW = frozenset({"review_group"})
HANDLERS = frozenset({"property_staff", "grid_worker", "community_admin", "street_platform"})
STAFF = frozenset({"grid_worker", "grid_leader", "property_staff", "community_admin", "party_secretary",
                   "street_platform"})
# Everyone who works with residents' matters; district IT runs the machines and sees no personal data.
SIGNED_IN = REPORTERS | STAFF | REVIEW | {"station_staff"}
DISTRICT_IT = frozenset({"district_it"})
# The mediation desk: its stations' staff and the community office (which station may do what is the service's rule).
DESK = OFFICE | {"station_staff"}

PERMISSIONS: dict[str, frozenset[str]] = {
    "account:read": EVERYONE,
    "categories:read": SIGNED_IN,
    "reasons:read": SIGNED_IN,  # the standard reasons (标准理由) for returns, escalations, requests, failed checks
    "places:read": SIGNED_IN,  # grids, buildings and units of the caller's community (the street: its communities)
    "media:upload": REPORTERS | HANDLERS,
    "media:read": SIGNED_IN,
    "reports:create": REPORTERS,
    "reports:read": SIGNED_IN,
    "reports:verify": GRID_STAFF | OFFICE,
    "reports:rate": REPORTERS,
    "reports:support": REPORTERS,  # "me too": any open report of their community, by its id
    "tasks:read": STAFF,
    "tasks:act": HANDLERS,
    "tasks:escalate": HANDLERS | {"grid_leader", "party_secretary"},
    "tasks:decide": OFFICE | {"grid_leader"},
    # the queue of matters that climbed to the caller's level: the community office's, the street's
    "tasks:escalated": OFFICE | {"street_platform"},
    "plan:read": SIGNED_IN,  # the community's plan: buildings and grids, no person
    # patrols (巡查): the grid's staff walk, and the office (the secretary's morning inspections); each sees her
    # own, a grid leader her grid's, the office the community's and its coverage
    "patrols:walk": GRID_STAFF | OFFICE,
    "patrols:read": GRID_STAFF | OFFICE,
    "patrols:coverage": OFFICE | {"grid_leader"},
    "notifications:own": SIGNED_IN,  # each account its own messages (消息)
    "calendar:read": STAFF,
    "calendar:edit": OFFICE,
    "calendar:history": OFFICE,  # who corrected which day, when and why: those who may correct it
    "figures:read": OFFICE | {"grid_leader", "street_platform"},  # the street: its communities' figures
    "reports:export": OFFICE | {"grid_leader"},  # 导出: the report list as CSV or a workbook
    "tasks:export": OFFICE | {"grid_leader"},  # 导出: the task list as CSV or a workbook
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
    "council:read": DESK,
    # who did what: the community office for its community, district IT for everything (no personal data)
    "audit:read": frozenset({"community_admin"}) | DISTRICT_IT,
    # operations: district IT only, never personal data
    "ops:health": DISTRICT_IT,
    "ops:parked": DISTRICT_IT,
    "ops:replay": DISTRICT_IT,
}

# Routes anyone may call without signing in (they authenticate in other ways, or publish public data).
PUBLIC_ACTIONS: dict[str, str] = {
    "auth:sign_in": "sign in with username and password (throttled per account and per address)",
    "auth:refresh": "exchange a refresh token for new tokens (the refresh token is the credential)",
    "auth:sign_out": "revoke a sign-in (the refresh or access token is the credential)",
    "health:read": "each service's up/down state, for load balancers; no personal data",
    "probe:read": "the gateway's own liveness and readiness, for its orchestrator; no data",
    "publication:read": "公示 lists: household codes and points, never a name",
    "council:published": "the residents' council's published decisions: votes and rules, never a name",
    "openapi:read": "the OpenAPI document and its docs page",
    "open311:read": "Open311 GeoReport v2 discovery, services and requests: no personal fields",
}

# Routes that authenticate an API key themselves (partner systems, Open311 clients).
API_KEY_ACTIONS: dict[str, str] = {
    "open311:submit": "Open311 GeoReport v2 POST requests (api_key required by the specification)",
}

ACTION_ATTRIBUTE = "permission_action"
KIND_ATTRIBUTE = "permission_kind"


def allowed(action: str, role: str) -> bool:
    return role in PERMISSIONS[action]


def declare(view, action: str, kind: str):
    """Mark ``view`` with its action; ``kind`` is 'role', 'public' or 'api_key'."""
    known = {"role": PERMISSIONS, "public": PUBLIC_ACTIONS, "api_key": API_KEY_ACTIONS}[kind]
    if action not in known:
        raise ValueError(f"{view.__name__} declares {kind} action {action!r}, which gateway.permissions does not list")
    setattr(view, ACTION_ATTRIBUTE, action)
    setattr(view, KIND_ATTRIBUTE, kind)
    return view


def public(action: str):
    """The route needs no sign-in; ``action`` must be listed in PUBLIC_ACTIONS."""
    return lambda view: declare(view, action, "public")


def api_key(action: str):
    """The route authenticates an API key itself; ``action`` must be listed in API_KEY_ACTIONS."""
    return lambda view: declare(view, action, "api_key")


def action_of(view) -> tuple[str | None, str | None]:
    """(action, kind) that a view function declared, or (None, None)."""
    return getattr(view, ACTION_ATTRIBUTE, None), getattr(view, KIND_ATTRIBUTE, None)


def route_actions(app) -> list[tuple[str, str, str, str]]:
    """Every route of ``app`` as (path, method, action, kind), sorted; static files as public."""
    rows = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        action, kind = action_of(view)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rows.append((rule.rule, method, action, kind))
    return sorted(rows, key=lambda row: (row[0], row[1]))


def check_routes(app) -> None:
    """Fail loudly when a route declares no action: no route may slip past the table."""
    undeclared = sorted({f"{method} {path}" for path, method, action, _kind in route_actions(app) if action is None})
    if undeclared:
        raise RuntimeError(
            "routes without a declared action (use @requires(action), @public(action) or @api_key(action) "
            "from the permission table in gateway/permissions.py): " + ", ".join(undeclared))
