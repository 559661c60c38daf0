"""The community's plan (平面图), drawn on the server for the command wall and for 事件管理's plan view:
each building's outline from the community's configuration (GeoJSON in local metres, from
``/api/v1/communities/<code>/plan``) scaled into the SVG's box and coloured by its grid, how many
events it has (the heat), and the events as markers in rows under its number. Each marker carries
its kind; templates/_plan.html gives every kind its own shape as well as its colour, and names it."""
from collections import Counter
from collections.abc import Callable

BOX = (1000, 640)  # the SVG's drawing area, in its own pixels
MARGIN = 20
GRID_COLOURS = ("#1f6fb2", "#2e8b57", "#8e5bb5", "#c2721d", "#2a9d8f", "#b5485d", "#6b7f1f", "#4a5fc1")
MARKERS_PER_BUILDING = 12  # two rows of six; a building with more says how many in its count
MARKERS_PER_ROW = 6


def drawn(plan: dict, events: list[dict], kind_of: Callable[[dict], str], box: tuple[int, int] = BOX) -> dict:
    """The plan scaled into ``box``: each building's polygon, centre, grid colour, its events' count
    (and ``heat``, capped at 4) and count per kind; the markers of its events; the grids' colours."""
    rings = [f["geometry"]["coordinates"][0] for f in plan.get("features", [])]
    if not rings:
        return {"buildings": [], "points": [], "grids": [], "box": box, "placed": 0}
    xs = [x for ring in rings for x, _y in ring]
    ys = [y for ring in rings for _x, y in ring]
    span = max(max(xs) - min(xs), 1), max(max(ys) - min(ys), 1)
    inner = box[0] - 2 * MARGIN, box[1] - 2 * MARGIN
    scale = min(inner[0] / span[0], inner[1] / span[1])

    def at(x, y):  # metres (y north) to the SVG's pixels (y down), centred in the box
        return (round(MARGIN + (x - min(xs)) * scale + (inner[0] - span[0] * scale) / 2, 1),
                round(MARGIN + (max(ys) - y) * scale + (inner[1] - span[1] * scale) / 2, 1))

    grids = sorted({f["properties"]["grid"] for f in plan["features"]})
    colour = {grid: GRID_COLOURS[n % len(GRID_COLOURS)] for n, grid in enumerate(grids)}
    by_building: dict[str, list[dict]] = {}
    for event in events:
        by_building.setdefault(event["location"].get("building") or "", []).append(event)
    buildings, points = [], []
    for feature in plan["features"]:
        code, grid = feature["properties"]["building"], feature["properties"]["grid"]
        corners = [at(x, y) for x, y in feature["geometry"]["coordinates"][0][:-1]]
        centre = (round(sum(p[0] for p in corners) / len(corners), 1),
                  round(sum(p[1] for p in corners) / len(corners), 1))
        here = by_building.get(code, [])
        buildings.append({"code": code, "grid": grid, "grid_name": feature["properties"].get("grid_name"),
                          "colour": colour[grid], "points": " ".join(f"{x},{y}" for x, y in corners),
                          "centre": centre, "count": len(here), "heat": min(len(here), 4),
                          "kinds": Counter(kind_of(event) for event in here)})
        for n, event in enumerate(here[:MARKERS_PER_BUILDING]):
            points.append({"x": round(centre[0] - 33 + (n % MARKERS_PER_ROW) * 13, 1),
                           "y": round(centre[1] + 14 + (n // MARKERS_PER_ROW) * 13, 1),
                           "kind": kind_of(event), "building": code, "id": event["id"]})
    return {"buildings": buildings, "points": points, "grids": [(grid, colour[grid]) for grid in grids], "box": box,
            "placed": sum(b["count"] for b in buildings)}
