"""Load a deterministic synthetic dataset into the bench database with PostgreSQL COPY.

    python -m bench.generate --incidents 1000000 --movements 50000 --facilities 5000 --seed 1

Rows go through the same tables the services write: a ``reports`` envelope per 1,000 records,
``incident_revisions`` snapshots (with a share of corrections), ``incident_sources`` links,
``audit_events`` rows, facilities with ``infrastructure_statuses`` histories (increasing
``seq``) and movements. Secondary indexes of the big tables are dropped during the load and
rebuilt from their exact definitions afterwards, the way pg_restore does it; primary keys,
unique and foreign-key constraints stay on, so the data is checked as it goes in.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg

from . import db
from .synthetic import (
    PERIOD_DAYS,
    PERIOD_START,
    STATUS_CONDITION,
    Universe,
    build_universe,
    day_at,
    incident_day,
    make_facility,
    make_incident,
    make_movement,
    make_status_history,
    new_id,
    snapshot,
)

BATCH = 1000  # records per report envelope, the API's batch limit
FLUSH_ROWS = 50_000

COLUMNS = {
    "reports": (
        "id", "channel", "organization_id", "user_id", "api_token_id", "idempotency_key",
        "request_hash", "response_status", "record_count", "received_at",
    ),
    "facilities": (
        "id", "name", "name_ar", "facility_type", "description", "status_seq", "admin_pcode",
        "latitude", "longitude", "geo_precision", "sensitivity", "verification",
        "organization_id", "report_id", "created_at", "updated_at",
    ),
    "infrastructure_statuses": (
        "id", "facility_id", "seq", "functionality", "access", "damage", "effective_from",
        "effective_to", "reason",
        "details", "controlled_by", "sensitivity", "verification", "organization_id",
        "report_id", "created_at", "updated_at",
    ),
    "status_sources": ("status_id", "source_id"),
    "incidents": (
        "id", "revision", "occurred_on", "occurred_at", "date_precision", "event_type",
        "sub_event_type", "target_type", "facility_id", "actor1", "actor2",
        "perpetrator_claimed_by", "killed", "injured", "civilians_killed", "children_killed",
        "title", "description", "admin_pcode", "latitude", "longitude", "geo_precision",
        "sensitivity", "verification", "organization_id", "report_id", "created_at", "updated_at",
        "civilian_targeting",
    ),
    "incident_revisions": (
        "incident_id", "revision", "data", "reason", "report_id", "author_user_id",
        "author_token_id", "created_at",
    ),
    "incident_sources": ("incident_id", "source_id"),
    "movements": (
        "id", "movement_type", "origin_pcode", "destination_pcode", "period_start", "period_end",
        "individuals", "households", "estimate_method", "description", "sensitivity",
        "verification", "organization_id", "report_id", "created_at", "updated_at",
    ),
    "movement_sources": ("movement_id", "source_id"),
    "audit_events": (
        "occurred_at", "action", "entity_type", "entity_id", "report_id", "organization_id",
    ),
}  # fmt: skip
# Parents before children, so foreign keys are satisfied within each flush.
LOAD_ORDER = list(COLUMNS)
BIG_TABLES = (
    "incidents",
    "incident_revisions",
    "incident_sources",
    "audit_events",
    "infrastructure_statuses",
    "movements",
)
INCIDENT_FIELDS = COLUMNS["incidents"][2:18]


def copy_sql(table: str) -> str:
    return f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN"


def insert_sql(table: str) -> str:
    cols = COLUMNS[table]
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608 - fixed table and column names


def report_row(report_id, org_id, count, received_at, channel="import", key=None):
    return (report_id, channel, org_id, None, None, key, None, 201, count, received_at)


def incident_rows(inc: dict, incident_id, report_id, org_id, created, rows) -> None:
    """Append the rows one freshly recorded incident makes to ``rows`` (table → list)."""
    values = tuple(inc[name] for name in INCIDENT_FIELDS)
    location = (inc["admin_pcode"], inc["latitude"], inc["longitude"], inc["geo_precision"])
    rows["incidents"].append(
        (incident_id, 1, *values, *location, inc["sensitivity"], inc["verification"], org_id)
        + (report_id, created, created, inc["civilian_targeting"])
    )
    rows["incident_revisions"].append(
        (incident_id, 1, json.dumps(snapshot(inc)), None, report_id, None, None, created)
    )
    rows["incident_sources"].extend((incident_id, s) for s in inc["source_ids"])
    rows["audit_events"].append(
        (created, "incident.create", "incident", str(incident_id), report_id, org_id)
    )


class Loader:
    """Buffers rows per table and COPYs them in foreign-key order."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn
        self.rows: dict[str, list] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def maybe_flush(self) -> None:
        if sum(len(v) for v in self.rows.values()) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        with self.conn.cursor() as cur:
            for table in LOAD_ORDER:
                rows = self.rows.pop(table, None)
                if not rows:
                    continue
                with cur.copy(copy_sql(table)) as copy:
                    for row in rows:
                        copy.write_row(row)
                self.counts[table] += len(rows)
        self.conn.commit()


@contextmanager
def deferred_indexes(conn: psycopg.Connection, tables=BIG_TABLES) -> Iterator[list[str]]:
    """Drop the plain (non-constraint) indexes of ``tables`` and rebuild them on exit."""
    found = conn.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        (list(tables),),
    ).fetchall()
    for name, _ in found:
        conn.execute(f'DROP INDEX "{name}"')
    conn.commit()
    try:
        yield [definition for _, definition in found]
    finally:
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in found:
            conn.execute(definition)
        conn.commit()


def load_reference(conn: psycopg.Connection, uni: Universe) -> None:
    """Admin areas, organisations and sources; fills the universe's ids."""
    with conn.cursor() as cur:
        with cur.copy(
            "COPY admin_areas (pcode, name_en, name_ar, level, parent_pcode, path,"
            " centroid_lat, centroid_lon, boundary, updated_at) FROM STDIN"
        ) as copy:
            now = datetime(2023, 1, 1, tzinfo=UTC)
            for a in uni.areas:
                copy.write_row(
                    (a.pcode, a.name_en, a.name_ar, a.level, a.parent, a.path, a.lat, a.lon)
                    + (a.boundary, now)
                )
        for name in uni.org_names:
            cur.execute(
                "INSERT INTO organizations (name, acronym, created_at) VALUES (%s, %s, %s)"
                " RETURNING id",
                (name, name.split()[-1], now),
            )
            uni.org_ids.append(cur.fetchone()[0])
        for name, source_type in uni.source_names:
            cur.execute(
                "INSERT INTO sources (name, source_type, created_at) VALUES (%s, %s, %s)"
                " RETURNING id",
                (name, source_type, now),
            )
            uni.source_ids.append(cur.fetchone()[0])
    conn.commit()


def load_facilities(loader: Loader, uni: Universe, count: int, seed: int) -> dict[str, list]:
    rng = random.Random(f"{seed}-facilities")
    by_gov: dict[str, list] = defaultdict(list)
    rows = loader.rows
    for start in range(0, count, BATCH):
        report_id, org = new_id(rng), rng.choice(uni.org_ids)
        created = day_at(PERIOD_START, rng.randrange(3600) - 86400)  # registered before the period
        size = min(BATCH, count - start)
        rows["reports"].append(report_row(report_id, org, size, created))
        for number in range(start, start + size):
            fac = make_facility(rng, uni, number + 1)
            history = make_status_history(rng, fac["id"])
            last = history[-1]["effective_from"] + timedelta(hours=6)
            rows["facilities"].append(
                (fac["id"], fac["name"], fac["name_ar"], fac["facility_type"], "", len(history))
                + (fac["admin_pcode"], fac["latitude"], fac["longitude"], fac["geo_precision"])
                + (fac["sensitivity"], fac["verification"], org, report_id, created, last)
            )
            rows["audit_events"].append(
                (created, "facility.create", "facility", str(fac["id"]), report_id, org)
            )
            for entry in history:
                _status_rows(rows, entry, report_id, org, rng, uni)
            by_gov[fac["governorate"]].append(fac["id"])
        loader.maybe_flush()
    loader.flush()
    return by_gov


def _status_rows(rows, entry: dict, report_id, org, rng: random.Random, uni: Universe) -> None:
    at = entry["effective_from"] + timedelta(hours=6)
    rows["infrastructure_statuses"].append(
        (entry["id"], entry["facility_id"], entry["seq"], *STATUS_CONDITION[entry["status"]])
        + (entry["effective_from"],)
        + (None, entry["reason"], entry["details"], entry["controlled_by"], entry["sensitivity"])
        + (entry["verification"], org, report_id, at, at)
    )
    rows["status_sources"].append((entry["id"], rng.choice(uni.source_ids)))
    rows["audit_events"].append(
        (at, "status.set", "facility", str(entry["facility_id"]), report_id, org)
    )


def load_incidents(loader: Loader, uni: Universe, count: int, seed: int, facilities) -> None:
    rng = random.Random(f"{seed}-incidents")
    rows = loader.rows
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        batch = [
            make_incident(rng, uni, incident_day(rng, start + i, count), facilities)
            for i in range(size)
        ]
        newest = max(inc["occurred_on"] for inc in batch)
        created = day_at(newest, 86400 + rng.randrange(86400))
        report_id, org = new_id(rng), rng.choice(uni.org_ids)
        rows["reports"].append(report_row(report_id, org, size, created, channel="api"))
        corrections = []
        for inc in batch:
            incident_id = new_id(rng)
            incident_rows(inc, incident_id, report_id, org, created, rows)
            if rng.random() < 0.05:
                corrections.append((incident_id, inc))
        if corrections:
            _correct(rows, rng, corrections, created + timedelta(days=2), org)
        loader.maybe_flush()
    loader.flush()


def _correct(rows, rng: random.Random, corrections, when, org) -> None:
    """A later report corrects some of the batch: revision 2, the incident points at it."""
    report_id = new_id(rng)
    rows["reports"].append(report_row(report_id, org, len(corrections), when, channel="web"))
    latest = {row[0]: i for i, row in enumerate(rows["incidents"][-BATCH:])}
    offset = max(0, len(rows["incidents"]) - BATCH)
    for incident_id, inc in corrections:
        inc = dict(inc, verification="verified")
        reason = "Verified against a second source"
        rows["incident_revisions"].append(
            (incident_id, 2, json.dumps(snapshot(inc)), reason, report_id, None, None, when)
        )
        index = offset + latest[incident_id]
        row = list(rows["incidents"][index])
        row[1], row[23], row[25], row[27] = 2, "verified", report_id, when
        rows["incidents"][index] = tuple(row)
        rows["audit_events"].append(
            (when, "incident.correct", "incident", str(incident_id), report_id, org)
        )


def load_movements(loader: Loader, uni: Universe, count: int, seed: int) -> None:
    rng = random.Random(f"{seed}-movements")
    rows = loader.rows
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        batch = [make_movement(rng, uni) for _ in range(size)]
        newest = max(m["period_end"] for m in batch)
        created = day_at(min(newest, PERIOD_START + timedelta(days=PERIOD_DAYS - 1)), 43200)
        report_id, org = new_id(rng), rng.choice(uni.org_ids)
        rows["reports"].append(report_row(report_id, org, size, created))
        for m in batch:
            rows["movements"].append(
                tuple(m[c] for c in COLUMNS["movements"][:12]) + (org, report_id, created, created)
            )
            rows["movement_sources"].extend((m["id"], s) for s in m["source_ids"])
            rows["audit_events"].append(
                (created, "movement.create", "movement", str(m["id"]), report_id, org)
            )
        loader.maybe_flush()
    loader.flush()


def generate(
    incidents: int, movements: int, facilities: int, seed: int = 1, log=print
) -> dict[str, int]:
    """Recreate the bench database, migrate it, load the dataset and record its description."""
    started = time.perf_counter()
    db.recreate()
    db.migrate()
    uni = build_universe()
    with db.connect() as conn:
        load_reference(conn, uni)
        loader = Loader(conn)
        with deferred_indexes(conn) as indexes:
            log(f"  loading (secondary indexes deferred: {len(indexes)})")
            by_gov = load_facilities(loader, uni, facilities, seed)
            log(f"  facilities done: {loader.counts['facilities']:,}")
            load_incidents(loader, uni, incidents, seed, by_gov)
            log(f"  incidents done: {loader.counts['incidents']:,}")
            load_movements(loader, uni, movements, seed)
            log("  rebuilding indexes")
    with db.connect(autocommit=True) as conn:
        # Fresh visibility map and statistics, as autovacuum would leave a settled table.
        conn.execute("VACUUM (ANALYZE)")
    counts = dict(loader.counts) | {"admin_areas": len(uni.areas)}
    meta = {
        "complete": True,
        "seed": seed,
        "incidents": incidents,
        "movements": movements,
        "facilities": facilities,
        "rows": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }
    db.describe(meta)
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--movements", type=int, default=50_000)
    parser.add_argument("--facilities", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    meta = generate(args.incidents, args.movements, args.facilities, args.seed)
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
