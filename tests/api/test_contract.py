"""The OpenAPI document says exactly what the server accepts, as a partner checks it from
outside: schemathesis (its CLI, as partners run it) loads the live ``/api/v1/openapi.json``
of the app served by gunicorn on the test database and runs every phase (examples,
coverage, fuzzing, stateful) over every operation with ``--checks all``. Any finding fails
the test, including ST202 (a request the document calls valid, refused), except the refusals
listed in ``ALLOWED``, each with its reason: rules a JSON Schema cannot state. Those are
allowed only where the operation's description states the rule for the field the refusal
names, so a new endpoint (or a new rule) that forgets to say what it refuses fails here.

The document is read from the server, so operations added later are covered without
changing this test. About 90 s per database on two cores (``MAX_EXAMPLES`` per operation
and phase).
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from humanitarian.extensions import db
from humanitarian.models.enums import Scope, Sensitivity
from humanitarian.services import Actor, create_token
from tests.reliability.live import start_gunicorn

MAX_EXAMPLES = 10
PHASES = ("examples", "coverage", "fuzzing", "stateful")

CROSS_FIELD = (
    "a rule between fields (or between the parts of one), which OpenAPI 3.0's JSON Schema "
    "cannot state; the operation's description states it"
)
# (pattern of the refusal's message, why the document cannot rule such a request out)
ALLOWED: tuple[tuple[str, str], ...] = (
    (
        r"Unknown p-code '[^']*'\.",
        "a p-code must exist in the gazetteer, which is data (`flask load-areas` replaces "
        "it), not part of the document: the document states the pattern, the description "
        "the rule",
    ),
    (
        r"The cursor is not one this server issued\.",
        "a cursor is an opaque token the server issues; a made-up one can fit the pattern",
    ),
    (r"limit=all returns every row; drop the cursor\.", CROSS_FIELD),
    (r"Must not be before (since|period_start)\.", CROSS_FIELD),
    (r"Must be after effective_from\.", CROSS_FIELD),
    (r"Cannot exceed killed \(\d+\)\.", CROSS_FIELD),
    (r"'[a-z_]+' is not a sub-event of '[a-z_]+'\.", CROSS_FIELD),
    (
        r"Give (latitude and longitude together|an admin area, or latitude and longitude)\.",
        CROSS_FIELD,
    ),
    (r"Give (individuals, households|an origin, a destination), or both\.", CROSS_FIELD),
    (r"bbox corners in the wrong order \(min before max\)\.", CROSS_FIELD),
    (r"A sitrep covers at most \d+ days\.", CROSS_FIELD),
    (
        r"The point \(.*\) is (in .* not in .*|outside .*)\.",
        "whether a point lies in an area is a question of the gazetteer's boundaries",
    ),
    (
        r"(Date is in the future|The period has not ended yet)\.",
        "depends on today's date, which a document cannot state",
    ),
    (
        r"(Cannot resolve .*|.* is a private, loopback or link-local address|The port must be "
        r"1 to 65535)\.",
        "a webhook URL's host must resolve to a public address: a property of DNS at the time "
        "of the request, which a document cannot state",
    ),
    (r"ACLED exports hold incidents\.", CROSS_FIELD),
    (
        r"(Only a weekly schedule has a weekday|A weekly schedule needs a weekday(: .*)?)\.",
        CROSS_FIELD,
    ),
    (
        r"Give a reason \(not only spaces\)\.",
        "white space is Unicode's (Python's str.isspace), on which JSON Schema's regular "
        "expressions do not agree",
    ),
    (
        r"Unknown time zone '.*' \(e\.g\. Asia/Damascus, UTC\)\.",
        "a time zone must be one of the server's time zone database, which is data",
    ),
    (
        r"Not an e-mail address\.",
        "JSON Schema's email format and the server's address validator (marshmallow's) do "
        "not agree on every edge of RFC 5322; the operation states the rule",
    ),
    (
        r"Unknown (source id \d+|facility [0-9a-f-]+)\.",
        "a reference to a stored record (a source, a facility) must exist",
    ),
)


# Answers the application never gives, whatever the check that noticed them.
ALLOWED_STATUSES = {
    414: "the URL is longer than the HTTP server reads (gunicorn's limit_request_line, 4094 "
    "bytes; nginx and others have their own): refused by the server in front of the "
    "application, whose document cannot speak for it",
}

# Refusals of a request the document calls valid that come from the resource's state, not
# from the request, documented on the operation.
STATE_STATUSES = {
    410: "an archived sitrep withdrawn since: its PDF answers 410 with the reason; which "
    "editions are withdrawn is data, as which ids exist (404) is",
}


@dataclass(frozen=True)
class Finding:
    code: str
    operation: str
    status: int | None
    problem: dict
    curl: str

    def __str__(self) -> str:
        return f"{self.code} {self.operation} → {self.status} {json.dumps(self.problem)}"


def test_the_document_says_exactly_what_the_server_accepts(app, database_url, demo, tmp_path):
    _, secret = create_token(
        Actor.system("contract"), "Contract check", list(Scope), Sensitivity.restricted
    )
    db.session.commit()
    db.session.remove()  # no transaction of ours may sit between the server and its tables
    server = start_gunicorn(
        database_url,
        tmp_path / "sitreps",
        tmp_path / "gunicorn.log",
        workers=2,
        threads=2,
        extra_env={"HUMANITARIAN_RATELIMIT_API": "1000000 per minute"},
    )
    try:
        document = httpx.get(f"{server.url}/api/v1/openapi.json").json()
        report = _run_schemathesis(server.url, secret, tmp_path / "report")
    finally:
        server.stop()
    summary = json.loads(next((tmp_path / "report").glob("json-*.json")).read_text())
    operations = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    # Every operation of the live document and every phase ran, and nothing broke the run.
    assert summary["operations"]["tested"] == len(operations) == summary["operations"]["total"]
    output = (tmp_path / "report" / "output.txt").read_text()
    errors = output[output.find("= ERRORS =") :][:6000] if "= ERRORS =" in output else ""
    for name in PHASES:  # ran: success, or failure made only of the findings checked below
        assert summary["phases"][name]["status"] in {"success", "failure"}, errors
    assert summary["errors"] == [], errors
    findings = _findings(report)
    unexplained = [f for f in findings if not _allowed(f, document)]
    assert unexplained == [], "\n".join(f"{f}\n  {f.curl}" for f in unexplained)
    # The run reached the server's answers of every kind: stored records, refusals.
    assert summary["test_cases"]["generated"] >= len(operations) * MAX_EXAMPLES


def _run_schemathesis(url: str, secret: str, out: Path) -> Path:
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--phases",
        ",".join(PHASES),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "17",
        "--generation-deterministic",
        "--workers",
        "1",
        "--continue-on-failure",
        "--no-shrink",
        # Generating a sitrep renders a PDF in the request: seconds, more on a loaded machine.
        # Speed is measured in bench/, not here: --checks all's 10 s limit (ST112) is raised
        # so that only a request that hangs fails.
        "--request-timeout",
        "120",
        "--max-response-time",
        "110",
        "--header",
        f"Authorization: Bearer {secret}",
        "--report",
        "ndjson,json",
        "--report-dir",
        str(out),
        "--no-color",
    ]
    # In a scratch folder: schemathesis keeps a cache where it runs.
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=out.parent)
    reports = list(out.glob("ndjson-*.ndjson"))
    assert reports, done.stdout + done.stderr
    (out / "output.txt").write_text(done.stdout + done.stderr)
    return reports[0]


def _findings(report: Path) -> list[Finding]:
    findings = []
    for line in report.read_text().splitlines():
        event = json.loads(line).get("ScenarioFinished")
        if not event or event["status"] != "failure":
            continue
        recorder = event["recorder"]
        for case_id, checks in recorder["checks"].items():
            for check in checks:
                if check["status"] != "failure":
                    continue
                failure = check["failure_info"]["failure"]
                response = (recorder["interactions"].get(case_id) or {}).get("response") or {}
                findings.append(
                    Finding(
                        failure["code"],
                        failure.get("operation") or recorder["label"],
                        response.get("status_code"),
                        _body(response),
                        _curl(recorder["cases"][case_id]["value"]),
                    )
                )
    return findings


def _body(response: dict) -> dict:
    content = (response.get("content") or {}).get("$base64")
    try:
        return json.loads(base64.b64decode(content)) if content else {}
    except ValueError:
        return {}


def _curl(case: dict) -> str:
    body = json.dumps(case.get("body")) if case.get("body") is not None else ""
    query = "&".join(f"{k}={v}" for k, v in (case.get("query") or {}).items())
    return f"{case['method']} {case['path']}?{query} {body}"


def _leaves(errors: dict, prefix: str = "") -> list[tuple[str, str]]:
    """(field, message) for every message; batch items (``items.3.field``) give ``field``."""
    out = []
    for key, value in errors.items():
        if isinstance(value, dict):
            out += _leaves(value, "" if key == "items" or key.isdigit() else f"{key}.")
        else:
            # A list's items (``recipients.3``) are refused under the list's own name.
            name = prefix.rstrip(".") if key.isdigit() and prefix else prefix + key
            out += [(name, message) for message in value]
    return out


def _allowed(finding: Finding, document: dict) -> bool:
    """An ST202 whose problem names only fields with an explained refusal (``ALLOWED``)
    that the operation's description states; or an answer of the HTTP server itself."""
    if finding.status in ALLOWED_STATUSES:
        return True
    if finding.code == "ST202" and finding.status in STATE_STATUSES:
        return _documents(document, finding.operation, finding.status)
    if finding.code != "ST202" or finding.status not in (400, 422):
        return False
    errors = _leaves(finding.problem.get("errors") or {})
    stated = _stated_rules(document, finding.operation)
    return bool(errors) and all(
        field in stated and any(re.fullmatch(pattern, message) for pattern, _ in ALLOWED)
        for field, message in errors
    )


def _documents(document: dict, operation: str, status: int) -> bool:
    method, path = operation.split(" ", 1)
    return str(status) in document["paths"][path][method.lower()].get("responses", {})


def _stated_rules(document: dict, operation: str) -> set[str]:
    method, path = operation.split(" ", 1)
    description = document["paths"][path][method.lower()].get("description", "")
    return set(re.findall(r"^- `([a-z_]+)`:", description, re.MULTILINE))
