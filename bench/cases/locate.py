"""Point in area: the time per lookup of ``locate`` (the deepest area and its chain) and of
``resolve_location`` (checking a point against the area it names), against the bare STRtree
query they are built on and a brute-force scan of every sub-district polygon, all in one
process on the same random points inside Syria's bounding box.

Also measured once: building the index from the stored boundaries (what a process pays on its
first lookup, and again after a new gazetteer is loaded).
"""

from __future__ import annotations

import random
import time

import shapely

from .. import db

LOOKUPS = 20_000


def _per_call_us(fn, points) -> float:
    began = time.perf_counter()
    for lat, lon in points:
        fn(lat, lon)
    return round((time.perf_counter() - began) / len(points) * 1e6, 2)


def run(bench) -> dict:
    from humanitarian.services.inputs import Location
    from humanitarian.services.locate import Locator, locate, locator, resolve_location
    from humanitarian.services.places import current_places, forget_places

    rng = random.Random(7)
    points = [(rng.uniform(32.3, 37.4), rng.uniform(35.6, 42.4)) for _ in range(LOOKUPS)]
    with db.app_context():
        forget_places()
        began = time.perf_counter()
        places = current_places()
        index = locator(places)
        build_ms = round((time.perf_counter() - began) * 1000, 1)
        # With the boundaries already parsed (kept per process by text): the tree alone.
        began = time.perf_counter()
        Locator(places)
        tree_ms = round((time.perf_counter() - began) * 1000, 2)
        shapes = [places.geometries[p] for p in index.pcodes]
        inside = [(lat, lon) for lat, lon in points if locate(lat, lon)]
        # Each point with its district named, as a partner system would send it.
        named_at = {(lat, lon): locate(lat, lon)[2].pcode for lat, lon in inside}
        out = {
            "lookups": LOOKUPS,
            "inside_syria": len(inside),
            "index_build_ms": build_ms,
            "tree_build_ms": tree_ms,
            "leaf_polygons": len(index.pcodes),
            "strtree_query_us": _per_call_us(
                lambda lat, lon: index.tree.query(shapely.Point(lon, lat), predicate="intersects"),
                points,
            ),
            "locate_us": _per_call_us(locate, points),
            "resolve_location_us": _per_call_us(
                lambda lat, lon: resolve_location(Location(named_at[(lat, lon)], lat, lon, 1)),
                list(named_at),
            ),
            "brute_force_us": _per_call_us(
                lambda lat, lon: [s for s in shapes if s.contains(shapely.Point(lon, lat))],
                points[:1000],
            ),
        }
    out["locate_vs_strtree"] = round(out["locate_us"] / out["strtree_query_us"], 2)
    out["brute_force_vs_locate"] = round(out["brute_force_us"] / out["locate_us"], 1)
    bench.log(f"locate: {out}")
    return out
