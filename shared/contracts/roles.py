"""The roles people have, named once for the gateway and every service."""

ROLES = (
    "resident", "volunteer", "unit_leader", "building_leader", "grid_worker", "grid_leader",
    "property_staff", "community_admin", "party_secretary", "street_platform", "review_group", "district_it",
    "station_staff",
)
# The community office and the party secretary see and answer for their whole community.
OFFICE = frozenset({"community_admin", "party_secretary"})
# A grid's own staff: its full-time grid worker and its grid leader.
GRID_STAFF = frozenset({"grid_worker", "grid_leader"})
# The six stations of the community's service centre; station staff work the cases of theirs.
STATIONS = ("reception", "triage", "mediation", "legal", "supervision", "council")
