"""Form handling shared by every entry page.

A submitted form is turned into the shape the API's marshmallow schema expects (one generic
converter), loaded by that same schema, and handed to a service inside one idempotent report.
Errors from either step come back as ``{field: [messages]}`` and are shown beside the fields.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request
from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import MultiDict

from ..models import Report
from ..models.enums import Scope, sensitivities_up_to
from ..services import (
    Actor,
    Conflict,
    InvalidCursor,
    NotFound,
    RecordFilter,
    Replay,
    ServiceError,
    open_report,
    request_fingerprint,
)

# Form controls that belong to the page, not to the record.
CONTROL_FIELDS = frozenset({"csrf_token", "idempotency_key"})
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def form_to_input(schema: Schema, form: MultiDict, skip: frozenset = CONTROL_FIELDS) -> dict:
    """Browser form values → the schema's input: blanks become None (where the schema allows
    null) or are left out, integers are parsed, repeated fields become lists. Names the schema
    does not know are passed through so the schema rejects them, exactly as the API would."""
    data: dict[str, Any] = {}
    for name in form.keys():
        if name in skip:
            continue
        declared = schema.fields.get(name)
        if isinstance(declared, fields.List):
            values = [v.strip() for v in form.getlist(name) if v.strip()]
            data[name] = [_typed(declared.inner, v) for v in values]
            continue
        value = form.get(name, "").strip()
        if value == "" and declared is not None:
            if declared.allow_none:
                data[name] = None
            continue
        data[name] = _typed(declared, value)
    return data


def _typed(declared: fields.Field | None, value: str) -> Any:
    if isinstance(declared, fields.Integer):
        try:
            return int(value)
        except ValueError:
            return value  # the schema reports "Not a valid integer." beside the field
    return value


def flatten_errors(messages: Any) -> dict[str, list[str]]:
    """marshmallow nests list-item errors ({"source_ids": {0: [...]}}); forms want flat lists."""
    if not isinstance(messages, dict):
        return {"_schema": [str(m) for m in _as_list(messages)]}
    out: dict[str, list[str]] = {}
    for name, value in messages.items():
        if isinstance(value, dict):
            out[str(name)] = [m for inner in value.values() for m in _as_list(inner)]
        else:
            out[str(name)] = [str(m) for m in _as_list(value)]
    return out


def _as_list(value: Any) -> list:
    if isinstance(value, dict):
        return [m for inner in value.values() for m in _as_list(inner)]
    return list(value) if isinstance(value, list | tuple) else [value]


def load_form(
    schema: Schema, form: MultiDict, skip: frozenset = CONTROL_FIELDS
) -> tuple[Any, dict[str, list[str]]]:
    """Load with the API's schema; returns (typed input, {}) or (None, errors)."""
    try:
        return schema.load(form_to_input(schema, form, skip)), {}
    except ValidationError as exc:
        return None, flatten_errors(exc.messages)


def new_key() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class FormState:
    """What the template needs to (re)draw a form: typed-in values, errors, and its key."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    key: str = field(default_factory=new_key)
    message: str | None = None
    replayed: bool = False

    @classmethod
    def submitted(cls, form: MultiDict) -> FormState:
        values = {k: form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k) for k in form}
        key = form.get("idempotency_key", "")
        return cls(values=values, key=key if KEY_PATTERN.match(key) else new_key())

    def value(self, name: str, default: Any = "") -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def chosen(self, name: str) -> set[str]:
        value = self.values.get(name)
        if value is None:
            return set()
        return {str(v) for v in value} if isinstance(value, list | tuple | set) else {str(value)}

    def fail(self, exc: ServiceError) -> None:
        self.errors.update({k: [str(m) for m in v] for k, v in exc.errors.items()})
        if not exc.errors:
            self.message = exc.detail

    @property
    def status(self) -> int:
        return 422 if self.errors or self.message else 200

    def unplaced_errors(self, shown: set[str]) -> dict[str, list[str]]:
        """Errors about fields the form does not draw (e.g. an unknown field)."""
        return {k: v for k, v in self.errors.items() if k not in shown}


def save(actor: Actor, state: FormState, write: Callable[[Report], str]) -> str | None:
    """Run ``write`` in one all-or-nothing report keyed by the form's idempotency key, and
    return where to go next. A repeated submit of the same form returns the first result
    instead of saving twice. Service errors land in ``state`` and None is returned."""
    body = {k: v for k, v in request.form.lists() if k not in CONTROL_FIELDS}
    payload = {"path": request.path, "form": body}
    try:
        with open_report(
            actor, idempotency_key=state.key, fingerprint=request_fingerprint(payload)
        ) as report:
            location = write(report)
            report.response_status = 303
            report.response_body = {"location": location}
        return location
    except Replay as replay:
        body = replay.body if isinstance(replay.body, dict) else {}
        state.replayed = True
        return body.get("location") or "/"
    except Conflict:
        state.message = (
            "This form was already saved with different content. Check the saved record; "
            "submit again to save this as a new one."
        )
        state.key = new_key()
    except ServiceError as exc:
        state.fail(exc)
    return None


def done(state: FormState, location: str, message: str):
    """Redirect after a successful save (303, so a reload does not resubmit)."""
    if state.replayed:
        message = "This form had already been saved; here is the record from the first submit."
    flash(message, "success")
    return redirect(location, 303)


def form_page(
    actor: Actor,
    schema: Schema,
    template: str,
    write: Callable[[Any, Report], str],
    *,
    initial: dict,
    saved: str,
    **context: Any,
):
    """An entry form. GET draws it with ``initial`` values; POST loads it with ``schema`` (the
    API's) and runs ``write(data, report)``, which returns where to go next, in one idempotent
    report, then redirects there. Invalid input or a refused write redraws it (422) with the
    messages beside the fields."""
    form = FormState(values=initial)
    if request.method == "POST":
        form = FormState.submitted(request.form)
        data, form.errors = load_form(schema, request.form)
        if data is not None:
            location = save(actor, form, lambda report: write(data, report))
            if location:
                return done(form, location, saved)
    sensitivities = [s.value for s in sensitivities_up_to(actor.max_sensitivity)]
    return render_template(
        template,
        form=form,
        sensitivities=sensitivities,  # users may only write records they could read back
        verifier=Scope.verify in actor.scopes,
        **context,
    ), form.status


@dataclass
class Listing:
    """A filtered list page: the filter form's state and one keyset page of results."""

    form: FormState
    items: list = field(default_factory=list)
    next_cursor: str | None = None
    filters: RecordFilter | None = None  # as loaded, when the form was valid


def run_list(schema: Schema, lister: Callable, actor: Actor, args: MultiDict) -> Listing:
    """Load list filters with the API's *QuerySchema and call the list service."""
    form = FormState.submitted(args)
    query, form.errors = load_form(schema, args)
    if form.errors:
        return Listing(form)
    if query["limit"] == "all":
        form.errors["limit"] = ["'all' is only for CSV/HXL exports from the API."]
        return Listing(form)
    try:
        page = lister(actor, query["filters"], limit=query["limit"], cursor=query["cursor"])
    except InvalidCursor as exc:  # an edited or truncated 'next' link
        form.errors["cursor"] = [exc.detail]
        return Listing(form)
    except NotFound as exc:  # a well-formed p-code that is not in the gazetteer
        form.errors["admin_pcode"] = [exc.detail]
        return Listing(form)
    return Listing(form, page.items, page.next_cursor, query["filters"])
