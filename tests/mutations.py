"""Break the product on purpose and check that the tests notice.

    python -m tests.mutations                 # every mutation, on SQLite
    python -m tests.mutations audit-commit    # only these (names from --list)
    python -m tests.mutations --db postgresql --list

Each mutation is a literal search and replace in one product file, standing for a way the
README's data-safety promises could break. The working tree (what git would commit, plus new
files it does not ignore) is copied to a scratch folder; there the tests named for each
claim run once as they are (they must pass, or nothing is proven), then once per mutation,
which is *killed* if they fail and *survives* if they pass. A search text that is no longer in
its file stops the run: the product moved, and the mutation must move with it.

Not part of ``make test`` (a full run takes several minutes). The results are recorded in
tests/README.md; re-run after changes to the code these mutations touch.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutation:
    name: str
    claim: str  # the README promise it breaks
    path: str  # product file, from the repository root
    search: str
    replace: str
    tests: tuple[str, ...]  # pytest arguments: files, node ids or -k expressions

    def apply(self, root: Path) -> str:
        """Break the file under ``root``; returns its text as it was, for ``restore``."""
        target = root / self.path
        text = target.read_text(encoding="utf-8")
        count = text.count(self.search)
        if count != 1:
            raise SystemExit(
                f"mutation {self.name}: the search text occurs {count} times in {self.path} "
                f"(expected once); update the mutation in tests/mutations.py:\n{self.search}"
            )
        target.write_text(text.replace(self.search, self.replace), encoding="utf-8")
        return text

    def restore(self, root: Path, text: str) -> None:
        (root / self.path).write_text(text, encoding="utf-8")


AUDIT, COARSE, IDEM, ONCE, REVOKE, ONE = (
    "audit of exports and downloads",
    "coarsening in every output",
    "idempotency",
    "exactly-once appends",
    "revocation",
    "one scheduler",
)
BOUNDS = "boundaries (issue 20)"
RETRACT, FEED, HOOKS = "retraction", "the change feed", "webhooks"
CONTRACT = "the OpenAPI document and the problem vocabulary (issue 17)"
SIDE = "side channels (issue 19)"
FORMATS = "the ecosystem's formats (issue 13)"
MAIL = "sitrep schedules and e-mail (issue 15)"

MUTATIONS = (
    Mutation(
        "audit-commit",
        AUDIT,
        "humanitarian/services/audit.py",
        "    audit(actor, action, entity_type, entity_id, **kw)\n    db.session.commit()",
        "    audit(actor, action, entity_type, entity_id, **kw)\n    db.session.flush()",
        (
            "tests/api/test_audit.py",
            "tests/api/test_audit_trail.py",
            "tests/api/test_exports.py",
            "tests/api/test_sitreps.py",
        ),
    ),
    Mutation(
        "export-unaudited",
        AUDIT,
        "humanitarian/api/exports.py",
        '    params = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "cursor"}\n'
        "    record_event(",
        '    params = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "cursor"}\n'
        "    return\n    record_event(",
        ("tests/api/test_exports.py", "tests/api/test_audit_trail.py"),
    ),
    Mutation(
        "download-unaudited",
        AUDIT,
        "humanitarian/services/sitreps.py",
        '    record_event(\n        actor,\n        "sitrep.download",',
        '    False and record_event(\n        actor,\n        "sitrep.download",',
        ("tests/api/test_sitreps.py", "tests/api/test_audit_trail.py"),
    ),
    Mutation(
        "sitrep-map-exact",
        COARSE,
        "humanitarian/services/sitrep_content.py",
        "map_points=_map_points(incidents, view),",
        "map_points=_map_points(incidents, ReaderView(reader_for(Sensitivity.restricted))),",
        ("tests/security/test_sitrep_map.py", "tests/security/test_coarsening.py"),
    ),
    Mutation(
        "sub-district-shown",
        COARSE,
        "humanitarian/services/visibility.py",
        "    return district_of(pcode) if coarsened(actor) else pcode",
        "    return pcode",
        ("tests/security/test_district_level.py", "tests/services/test_visibility.py"),
    ),
    Mutation(
        "reader-exact",
        COARSE,
        "humanitarian/services/visibility.py",
        "    return actor.max_sensitivity == Sensitivity.public",
        "    return False",
        (
            "tests/security/test_coarsening.py",
            "tests/api/test_incidents.py",
            "tests/web/test_dashboard.py",
        ),
    ),
    Mutation(
        "no-replay",
        IDEM,
        "humanitarian/services/reports.py",
        "    raise Replay(existing)",
        "    return",
        ("tests/api/test_incidents.py", "tests/api/test_sitreps.py", "tests/web/test_entry.py"),
    ),
    Mutation(
        "other-body-replayed",
        IDEM,
        "humanitarian/services/reports.py",
        "    if fingerprint is not None and existing.request_hash != fingerprint:",
        "    if False:",
        ("tests/api/test_incidents.py", "tests/api/test_sitreps.py", "tests/web/test_entry.py"),
    ),
    Mutation(
        "ttl-ignored",
        IDEM,
        "humanitarian/services/reports.py",
        "    if existing.received_at < utcnow() - ttl:",
        "    if False:",
        ("tests/api/test_incidents.py",),
    ),
    Mutation(
        "api-key-dropped",
        ONCE,
        "humanitarian/api/common.py",
        "        with open_report(actor, idempotency_key=key, fingerprint=fingerprint) as report:",
        "        with open_report(actor, idempotency_key=None, fingerprint=fingerprint) as report:",
        ("tests/reliability/test_concurrent_appends.py", "tests/api/test_incidents.py"),
    ),
    Mutation(
        "revoked-token-accepted",
        REVOKE,
        "humanitarian/services/accounts.py",
        "            ApiToken.revoked_at.is_(None),\n",
        "",
        (
            "tests/api/test_auth.py",
            "tests/api/test_rate_limits.py",
            "tests/security/test_matrix_read.py",
        ),
    ),
    Mutation(
        "expired-token-accepted",
        REVOKE,
        "humanitarian/services/accounts.py",
        "            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),\n",
        "",
        ("tests/security/test_matrix_read.py", "tests/security/test_matrix_write.py"),
    ),
    Mutation(
        "lease-stolen",
        ONE,
        "humanitarian/scheduler.py",
        "update(L).where(L.name == name, L.expires_at <= now)",
        "update(L).where(L.name == name)",
        ("tests/reports/test_scheduler.py", "tests/reliability/test_scheduler_processes.py"),
    ),
    Mutation(
        "lease-kept-on-stop",
        ONE,
        "humanitarian/scheduler.py",
        "        if release and was_active:",
        "        if False:",
        ("tests/reliability/test_scheduler_processes.py", "tests/reports/test_scheduler.py"),
    ),
    Mutation(
        "missed-runs-not-coalesced",
        ONE,
        "humanitarian/scheduler.py",
        '"coalesce": True,',
        '"coalesce": False,',
        ("tests/reliability/test_scheduler_processes.py",),
    ),
    Mutation(
        "unlisted-jobs-kept",
        ONE,
        "humanitarian/scheduler.py",
        "        if job.id not in wanted:",
        "        if False:",
        ("tests/reliability/test_scheduler_processes.py",),
    ),
    Mutation(
        "period-ending-today-accepted",
        BOUNDS,
        "humanitarian/services/sitreps.py",
        "    if key.period_end >= _today(timezone):",
        "    if key.period_end > _today(timezone):",
        ("tests/reports/test_period_end.py", "tests/api/test_sitreps.py"),
    ),
    Mutation(
        "throttle-by-account-everywhere",
        SIDE,
        "humanitarian/services/signin.py",
        '    where = address or "unknown"\n',
        '    where = "everywhere"\n',
        ("tests/web/test_auth.py",),
    ),
    Mutation(
        "throttle-never-ends",
        SIDE,
        "humanitarian/services/signin.py",
        "SigninFailure.key == key, SigninFailure.occurred_at > since",
        "SigninFailure.key == key",
        ("tests/web/test_auth.py",),
    ),
    Mutation(
        "public-bbox-on-stored-point",
        SIDE,
        "humanitarian/services/visibility.py",
        "    if not coarsened(actor):\n        return and_(",
        "    if True:\n        return and_(",
        ("tests/security/test_district_level.py", "tests/security/test_filter_oracles.py"),
    ),
    Mutation(
        "audit-ignores-grant",
        SIDE,
        "humanitarian/services/audit.py",
        "    stmt = select(AuditEvent).where(within_grant(actor))",
        "    stmt = select(AuditEvent)",
        ("tests/security/test_audit_grant.py",),
    ),
    Mutation(
        "audit-ignores-raised-incident",
        SIDE,
        "humanitarian/services/audit.py",
        "    return and_(condition, not_(about_above))",
        "    return condition",
        ("tests/security/test_audit_grant.py",),
    ),
    Mutation(
        "token-above-own-grant",
        SIDE,
        "humanitarian/services/accounts.py",
        "    actor.require(Scope.admin)\n    actor.require_grant(max_sensitivity)",
        "    actor.require(Scope.admin)",
        ("tests/security/test_audit_grant.py",),
    ),
    Mutation(
        "withdrawn-sitrep-served",
        SIDE,
        "humanitarian/services/sitreps.py",
        "    if sitrep.withdrawn_at is not None:\n        raise Gone(",
        "    if False:\n        raise Gone(",
        ("tests/reports/test_withdrawal.py",),
    ),
    Mutation(
        "withdrawn-sitrep-returned-again",
        SIDE,
        "humanitarian/services/sitreps.py",
        "            Sitrep.withdrawn_at.is_(None),\n",
        "",
        ("tests/reports/test_withdrawal.py",),
    ),
    Mutation(
        "hidden-status-bumps-public-stamp",
        SIDE,
        "humanitarian/services/visibility.py",
        "        if grant.allows(Sensitivity(level)) and grant.allows(facility.sensitivity):",
        "        if grant.allows(facility.sensitivity):",
        ("tests/security/test_stamps.py", "tests/security/test_filter_oracles.py"),
    ),
    Mutation(
        "hidden-revisions-counted",
        SIDE,
        "humanitarian/services/visibility.py",
        "        if Sensitivity(self.actor.max_sensitivity) not in STAMPED_GRANTS:\n"
        "            return [r.revision for r in revisions]",
        "        if True:\n            return [r.revision for r in revisions]",
        ("tests/security/test_stamps.py", "tests/security/test_visibility.py"),
    ),
    Mutation(
        "request-id-truncated",
        BOUNDS,
        "humanitarian/__init__.py",
        'incoming = request.headers.get("X-Request-ID", "")\n',
        'incoming = request.headers.get("X-Request-ID", "")[:64]\n',
        ("tests/api/test_auth.py",),
    ),
    Mutation(
        "retracted-listed",
        RETRACT,
        "humanitarian/services/visibility.py",
        '    if retracted or not hasattr(model, "retracted_at"):',
        "    if True:",
        ("tests/web/test_retraction.py",),
    ),
    Mutation(
        "retracted-uncounted",
        RETRACT,
        "humanitarian/services/sitrep_records.py",
        "                model.retracted_at.is_not(None),",
        "                model.retracted_at.is_not(None),\n                False,",
        ("tests/web/test_retraction.py",),
    ),
    Mutation(
        "retraction-unaudited",
        RETRACT,
        "humanitarian/services/retraction.py",
        '        f"{kind}.retract",',
        '        f"{kind}.correct",',
        ("tests/web/test_retraction.py",),
    ),
    Mutation(
        "feed-above-grant",
        FEED,
        "humanitarian/services/changes.py",
        "    stmt = stmt.where(ChangeEntry.sensitivity.in_(sensitivities_up_to(actor.max_sensitivity)))",
        "    pass",
        ("tests/api/test_changes.py",),
    ),
    Mutation(
        "feed-raised-not-withdrawn",
        FEED,
        "humanitarian/services/changes.py",
        '        entry["sensitivity"] = lower(was, entry["sensitivity"])',
        "        pass",
        ("tests/api/test_changes.py",),
    ),
    Mutation(
        # Killed on PostgreSQL only (`--db postgresql`): SQLite serialises writers anyway.
        "feed-unlocked",
        FEED,
        "humanitarian/services/changes.py",
        '        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})',
        "        pass",
        ("tests/reliability/test_change_feed.py",),
    ),
    Mutation(
        "webhook-unsigned",
        HOOKS,
        "humanitarian/services/webhooks.py",
        "    signature = Webhook(subscription.secret).sign(message.message_id, at, body)",
        '    signature = Webhook(subscription.secret).sign(message.message_id, at, b"")',
        ("tests/api/test_webhooks.py",),
    ),
    Mutation(
        "webhook-above-grant",
        HOOKS,
        "humanitarian/services/webhooks.py",
        "    if not Sensitivity(subscription.max_sensitivity).allows(entry.sensitivity):",
        "    if False:",
        ("tests/api/test_webhooks.py",),
    ),
    Mutation(
        "webhook-never-disabled",
        HOOKS,
        "humanitarian/services/webhooks.py",
        "        if now - subscription.failing_since >= window:",
        "        if False:",
        ("tests/api/test_webhooks.py",),
    ),
    Mutation(
        "webhook-private-allowed",
        HOOKS,
        "humanitarian/services/outbound.py",
        "    if not allow_private and any(_forbidden(a) for a in addresses):",
        "    if False:",
        ("tests/api/test_webhooks.py", "tests/web/test_webhooks.py"),
    ),
    Mutation(
        "problem-type-blank",
        CONTRACT,
        "humanitarian/api/problems.py",
        '    chosen = TYPES.get(kind or BY_STATUS.get(status, ""))',
        "    chosen = None",
        ("tests/api/test_problems.py", "tests/api/test_errors.py"),
    ),
    Mutation(
        "date-parser-laxer-than-document",
        CONTRACT,
        "schemas/fields.py",
        "        if not isinstance(value, str) or not self._compiled.fullmatch(value):\n"
        "            raise ValidationError(self.message)",
        "        if not isinstance(value, str):\n            raise ValidationError(self.message)",
        ("tests/schemas/test_exact_fields.py",),
    ),
    Mutation(
        "rules-not-stated",
        CONTRACT,
        "humanitarian/api/common.py",
        '    return {"description": text} if text else {}',
        "    return {}",
        ("tests/api/test_openapi.py", "tests/api/test_contract.py"),
    ),
    Mutation(
        "status-table-silent-limit",
        CONTRACT,
        "humanitarian/web/dashboard.py",
        '"more_facilities": len(page.items) > STATUS_ROWS,',
        '"more_facilities": False,',
        ("tests/web/test_limits.py",),
    ),
    Mutation(
        "import-partial-write",
        FORMATS,
        "humanitarian/services/imports.py",
        "            if result.refused:\n                raise _Refused()\n",
        "",
        ("tests/api/test_imports.py",),
    ),
    Mutation(
        "acled-silent-coarsening",
        FORMATS,
        "humanitarian/services/acled.py",
        "                if located:\n                    return None\n",
        "                if located or parent:\n                    return parent\n",
        ("tests/services/test_imports.py",),
    ),
    Mutation(
        "hxl-tag-taken-by-a-less-specific-column",
        FORMATS,
        "humanitarian/kinds/hxl.py",
        "size, name = max(claims)",
        "size, name = min(claims)",
        ("tests/api/test_imports.py",),
    ),
    Mutation(
        "condition-carried-from-above-the-entry",
        FORMATS,
        "humanitarian/services/facilities.py",
        "readers = replace(actor, max_sensitivity=Sensitivity(data.sensitivity))",
        "readers = actor",
        ("tests/services/test_facilities.py",),
    ),
    Mutation(
        "rollup-outside-the-list-selection",
        FORMATS,
        "humanitarian/services/rollups.py",
        "listed = incident_select(actor, filters).subquery()",
        "listed = incident_select(Actor.system('rollup'), filters).subquery()",
        ("tests/api/test_rollups.py",),
    ),
    Mutation(
        "edition-above-schedule-queued",
        MAIL,
        "humanitarian/services/deliveries.py",
        "    if not Sensitivity(schedule.audience).allows(sitrep.audience):\n        log.error(",
        "    if False:\n        log.error(",
        ("tests/reports/test_email.py",),
    ),
    Mutation(
        "edition-unchecked-at-send",
        MAIL,
        "humanitarian/services/deliveries.py",
        '    if not Sensitivity(schedule.audience).allows(sitrep.audience):\n        return "the edition',
        '    if False:\n        return "the edition',
        ("tests/reports/test_email.py",),
    ),
    Mutation(
        "unsubscribe-ignored",
        MAIL,
        "humanitarian/services/deliveries.py",
        "        recipient.unsubscribed_at = utcnow()",
        "        recipient.unsubscribed_at = None",
        ("tests/reports/test_email.py",),
    ),
    Mutation(
        "mailed-twice",
        MAIL,
        "humanitarian/services/deliveries.py",
        "        if recipient.subscribed and recipient.id not in done:",
        "        if recipient.subscribed:",
        ("tests/reports/test_email.py",),
    ),
    Mutation(
        "refusal-retried",
        MAIL,
        "humanitarian/services/mail.py",
        "        if all(code >= 500 for code in codes):",
        "        if False:",
        ("tests/reports/test_email.py",),
    ),
    Mutation(
        "schedule-above-grant",
        MAIL,
        "humanitarian/services/schedules.py",
        "    actor.require_grant(data.audience)",
        "    pass",
        ("tests/api/test_sitrep_schedules.py",),
    ),
    Mutation(
        "flows-uncapped",
        "sitrep under 5 seconds (issue 15)",
        "humanitarian/services/sitrep_content.py",
        "    flows, rest = all_flows[:FLOWS_SHOWN], all_flows[FLOWS_SHOWN:]",
        "    flows, rest = all_flows, []",
        ("tests/reports/test_flows_cap.py",),
    ),
)
BY_NAME = {m.name: m for m in MUTATIONS}
FAILED_LINE = re.compile(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", re.MULTILINE)


def copy_tree(into: Path) -> Path:
    """The working tree as git sees it (tracked and new, unignored files) under ``into``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


def run_tests(tree: Path, db: str, tests: tuple[str, ...]) -> tuple[int, list[str], float]:
    """Run pytest on the copy (its own package first on the path); exit status, failed tests."""
    env = os.environ | {"PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "pytest", f"--db={db}", "-q", "-p", "no:cacheprovider"]
    started = time.monotonic()
    done = subprocess.run([*command, *tests], cwd=tree, env=env, capture_output=True, text=True)
    failed = sorted(set(FAILED_LINE.findall(done.stdout)))
    if done.returncode not in (0, 1):  # 2-5: interrupted, internal or usage error, no tests
        raise SystemExit(f"pytest could not run {tests} (status {done.returncode}):\n{done.stdout}")
    return done.returncode, failed, time.monotonic() - started


def check_isolation(tree: Path) -> None:
    """The copy's tests must import the copy's product, not the installed checkout."""
    env = os.environ | {"PYTHONPATH": str(tree)}
    where = subprocess.run(
        [sys.executable, "-c", "import humanitarian; print(humanitarian.__file__)"],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not Path(where).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the scratch copy imports the product from {where}, not from {tree}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutations", description=__doc__)
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--list", action="store_true", help="list the mutations and stop")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown mutation(s) {', '.join(unknown)}; see --list")
    chosen = [BY_NAME[n] for n in args.names] or list(MUTATIONS)
    if args.list:
        for m in chosen:
            print(f"{m.name:<30} {m.claim:<32} {m.path}")
        return 0

    scratch = Path(tempfile.mkdtemp(prefix="humanitarian-mutations-"))
    try:
        return _run(copy_tree(scratch / "tree"), chosen, args.db)
    finally:
        if args.keep:
            print(f"scratch copy kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def _run(tree: Path, chosen: list[Mutation], db: str) -> int:
    check_isolation(tree)
    for m in chosen:  # every search text is checked before anything runs
        m.restore(tree, m.apply(tree))
    baseline = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
    status, failed, seconds = run_tests(tree, db, baseline)
    if status != 0:
        print(f"the tests fail before any mutation ({seconds:.0f} s): {failed}")
        return 2
    print(f"baseline: {len(baseline)} test files pass on {db} ({seconds:.0f} s)")
    survivors = []
    for m in chosen:
        original = m.apply(tree)
        try:
            status, failed, seconds = run_tests(tree, db, m.tests)
        finally:
            m.restore(tree, original)
        verdict = "killed" if status == 1 else "SURVIVED"
        print(f"{verdict:<8} {m.name:<30} {seconds:4.0f} s  {len(failed)} failed")
        for name in failed[:8]:
            print(f"           {name}")
        if len(failed) > 8:
            print(f"           … and {len(failed) - 8} more")
        if status == 0:
            survivors.append(m.name)
    if survivors:
        print(f"survived: {', '.join(survivors)} (strengthen the tests)")
        return 1
    print(f"all {len(chosen)} mutations killed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
