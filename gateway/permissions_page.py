"""docs/permissions.md, rendered from the permission table (gateway.permissions) and the
routes of the app: ``python -m gateway.permissions_page``. A command of its own, so the
table itself never imports the app it guards."""
import sys
from pathlib import Path

from gateway.app import create_app
from gateway.permissions import API_KEY_ACTIONS, PERMISSIONS, PUBLIC_ACTIONS, route_actions
from shared.contracts.roles import ROLES


def render(app) -> str:
    """docs/permissions.md: the table (action × role) and every route with its action."""
    roles = list(ROLES)
    lines = [
        "# Permissions",
        "",
        "Generated from `gateway/permissions.py` by `python -m gateway.permissions_page`; do not edit by hand.",
        "A unit test fails when this page is out of date.",
        "",
        "Roles decide what kind of thing someone may do; the service that owns the records narrows it to",
        "their scope (community, grid, building, company, station, own records).",
        "",
        "## Actions by role",
        "",
        "| action | " + " | ".join(roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for action in sorted(PERMISSIONS):
        marks = ["✓" if role in PERMISSIONS[action] else "" for role in roles]
        lines.append(f"| `{action}` | " + " | ".join(marks) + " |")
    lines += ["", "## Public actions (no sign-in)", ""]
    lines += [f"- `{action}`: {why}" for action, why in sorted(PUBLIC_ACTIONS.items())]
    lines += ["", "## Actions authenticated by API key", ""]
    lines += [f"- `{action}`: {why}" for action, why in sorted(API_KEY_ACTIONS.items())] or ["(none yet)"]
    lines += ["", "## Routes", "", "| method | path | action | who |", "|---|---|---|---|"]
    for path, method, action, kind in route_actions(app):
        who = {"public": "anyone", "api_key": "API key"}.get(kind) or ", ".join(
            r for r in roles if r in PERMISSIONS.get(action, ()))
        lines.append(f"| {method} | `{path}` | `{action}` | {who} |")
    return "\n".join(lines) + "\n"


DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "permissions.md"


def main() -> int:
    DOC_PATH.write_text(render(create_app()), encoding="utf-8")
    print(f"wrote {DOC_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
