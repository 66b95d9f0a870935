"""Incidents: list, detail with revision history, the entry form and the correction form."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for

from schemas import CorrectionSchema, IncidentInSchema, IncidentOutSchema

from ..kinds import INCIDENTS
from ..models.enums import DatePrecision, Scope
from ..services import (
    NotFound,
    ReaderView,
    correct_incident,
    get_facility,
    get_incident,
    incident_revisions,
    location_hidden,
)
from .access import current_actor, requires
from .blueprint import bp
from .forms import form_page
from .present import (
    area_choices,
    area_index,
    dump,
    facility_choices,
    snapshots_as_seen,
    source_choices,
)
from .records import list_page, new_record_page

FORM_TEMPLATE = "incidents/form.html"


def _choices(linked=None) -> dict:
    choices = facility_choices()
    facilities = [(str(f.id), f.name) for f in choices.items]
    # The facility chosen (typed in a refused form, or the one linked now) stays selectable
    # even when it is past the list's limit.
    chosen = request.form.get("facility_id") or (str(linked) if linked else "")
    if chosen and chosen not in dict(facilities):
        facility = _visible_facility(current_actor(), chosen)
        facilities += [(str(facility.id), facility.name)] if facility else []
    return {
        "facility_choices": choices,
        "taxonomy": INCIDENTS.choices["taxonomy"],
        "target_types": INCIDENTS.choices["target_types"],
        "date_precisions": [d.value for d in DatePrecision],
        "facilities": facilities,
        "sources": source_choices(),
        "areas": area_choices(),
    }


@bp.get("/incidents")
def incident_list():
    """Incidents, filtered as in the API, newest first."""
    return list_page(INCIDENTS)


@bp.route("/incidents/new", methods=["GET", "POST"])
@requires(Scope.append)
def incident_new():
    """Record an incident."""
    initial = {"occurred_on": date.today().isoformat()}
    return new_record_page(INCIDENTS, initial=initial, mode="new", **_choices())


@bp.get("/incidents/<incident_id>")
def incident_detail(incident_id):
    """One incident at its latest revision, with its history."""
    actor = current_actor()
    incident = get_incident(actor, incident_id)
    revisions = incident_revisions(actor, incident.id)
    return render_template(
        "incidents/detail.html",
        incident=dump(IncidentOutSchema, incident, many=False),
        facility=_visible_facility(actor, incident.facility_id),
        history=_history(revisions),
        areas=area_index(),
        verifications=INCIDENTS.choices["verifications"],
    )


def _visible_facility(actor, facility_id):
    if facility_id is None:
        return None
    try:
        return get_facility(actor, facility_id)
    except NotFound:  # above the user's grant: show the incident without it
        return None


def _history(revisions) -> list[dict]:
    """Each revision with the fields it changed compared to the one before, as the user sees
    them (a public user's locations coarsened, links above the grant left out)."""
    out, previous = [], None
    snapshots = snapshots_as_seen([r.data or {} for r in revisions])
    numbers = ReaderView(current_actor()).revision_numbers(revisions)
    for rev, data, number in zip(revisions, snapshots, numbers, strict=True):
        changed = [] if previous is None else _changed(previous, data)
        out.append({"revision": rev, "number": number, "data": data, "changed": changed})
        previous = data
    return list(reversed(out))


def _changed(before: dict, after: dict) -> list[str]:
    names = sorted(set(before) | set(after))
    return [n for n in names if before.get(n) != after.get(n)]


@bp.route("/incidents/<incident_id>/correct", methods=["GET", "POST"])
@requires(Scope.append)
def incident_correct(incident_id):
    """Correct an incident: a new revision with a reason."""
    actor = current_actor()
    incident = get_incident(actor, incident_id)
    if location_hidden(actor, incident):
        # The form would have to show the district centroid and saving it would move the point.
        abort(
            403,
            description="You see this record's location only at district level, so you "
            "cannot correct it without moving it. Ask a colleague with partner access.",
        )
    current = dump(IncidentOutSchema, incident, many=False)

    def write(data, report) -> str:
        correct_incident(actor, incident.id, data["incident"], data["reason"], report=report)
        return url_for("web.incident_detail", incident_id=incident.id)

    return form_page(
        actor,
        CorrectionSchema(),
        FORM_TEMPLATE,
        write,
        initial=_form_values(current),
        saved="Correction saved as a new revision.",
        mode="correct",
        incident=current,
        current_verification=current["verification"],
        **_choices(incident.facility_id),
    )


def _form_values(record: dict) -> dict:
    """An incident as the form's fields: the correction form starts from the latest revision."""
    names = IncidentInSchema().fields.keys()
    values = {n: record.get(n) for n in names if n in record and n != "source_ids"}
    values["source_ids"] = [str(s["id"]) for s in record.get("sources", [])]
    if values.get("occurred_at"):
        values["occurred_at"] = values["occurred_at"][:5]
    return values
