"""Import throughput: a synthetic ACLED export of N rows (100,000 by default) imported into an
empty database, on SQLite (a file) or PostgreSQL (``humanitarian_bench_import``, dropped
afterwards).

    python -m bench.acled_import                   # SQLite, 100,000 rows
    python -m bench.acled_import --db postgresql --rows 100000

Reports rows per second for reading the file (parsing, place matching) and for the whole import
(read + write in one transaction), and the re-import of the same file (every row unchanged),
with the process's peak memory. Rows spread over the gazetteer's sub-districts, each placed by
its point (the centroid of its sub-district) and named with ACLED's spellings.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,tags,timestamp"
).split(",")
EVENTS = [
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Demonstrations", "Protests", "Peaceful protest"),
]


def synthetic_export(rows: int, seed: int = 13) -> str:
    from humanitarian.services.places import current_places

    rng = random.Random(seed)
    places = current_places()
    areas = [p for p in places.by_pcode.values() if p.level == 3 and p.centroid_lat is not None]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    start = date(2023, 1, 1)
    for n in range(rows):
        area = rng.choice(areas)
        adm1, adm2 = places.ancestor(area.pcode, 1), places.ancestor(area.pcode, 2)
        disorder, event, sub = rng.choice(EVENTS)
        day = start + timedelta(days=rng.randrange(700))
        civilian = "Civilian targeting" if sub in ("Air/drone strike", "Attack") else ""
        values = {
            "event_id_cnty": f"SYR{n + 1:07d}", "event_date": day.strftime("%d %B %Y"),
            "year": day.year, "time_precision": 1, "disorder_type": disorder, "event_type": event,
            "sub_event_type": sub, "actor1": "Military Forces of Syria (2000-2024)",
            "civilian_targeting": civilian, "iso": 760, "region": "Middle East",
            "country": "Syria", "admin1": adm1.name_en, "admin2": adm2.name_en,
            "admin3": area.name_en, "location": area.name_en, "latitude": area.centroid_lat,
            "longitude": area.centroid_lon, "geo_precision": 1,
            "source": rng.choice(["SOHR", "Syrian Civil Defence", "Al Jazeera"]),
            "notes": f"Synthetic event {n + 1}.", "fatalities": rng.randrange(4),
            "timestamp": 1733400000,
        }  # fmt: skip
        writer.writerow([values.get(h, "") for h in HEADER])
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from humanitarian import create_app
    from humanitarian.config import Config
    from humanitarian.kinds.imports import run_import
    from humanitarian.services import Actor
    from humanitarian.services.acled import read_acled
    from humanitarian.services.gazetteer import install_shipped_areas
    from humanitarian.services.imports import ImportResult

    with tempfile.TemporaryDirectory() as scratch:
        if args.db == "postgresql":
            from . import db as bench_db

            name = "humanitarian_bench_import"
            _recreate(bench_db, name)
            url = bench_db.sqlalchemy_url(name)
        else:
            url = f"sqlite:///{Path(scratch) / 'import.db'}"
        app = create_app(Config.from_env({}, DATABASE_URL=url, SITREP_DIR=scratch))
        with app.app_context():
            upgrade()
            install_shipped_areas()
            text = synthetic_export(args.rows)
            actor = Actor.system("bench")
            lines = text.splitlines(True)
            t0 = time.perf_counter()
            read_acled(lines, ImportResult())
            read_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            first = run_import(actor, "acled", "incidents", lines)
            import_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = run_import(actor, "acled", "incidents", lines)
            again_s = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if args.db == "postgresql":
            app = None
            _drop(bench_db, name)
    assert first.created == args.rows and again.unchanged == args.rows, (first, again)
    print(f"{args.db}: {args.rows} rows")
    print(f"  read only (parse, places): {read_s:7.1f} s  {args.rows / read_s:8.0f} rows/s")
    print(f"  first import (all created): {import_s:7.1f} s  {args.rows / import_s:8.0f} rows/s")
    print(f"  re-import (all unchanged):  {again_s:7.1f} s  {args.rows / again_s:8.0f} rows/s")
    print(f"  import / read-only time:    {import_s / read_s:7.1f}x")
    print(f"  peak memory: {peak:.0f} MB")


def _recreate(bench_db, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(bench_db.ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop(bench_db, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(bench_db.ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


if __name__ == "__main__":
    main()
