"""The sitreps blueprint, and what it plugs into the app when registered: the PDF renderer
the sitrep service calls, and (if configured) an in-process scheduler."""

from __future__ import annotations

import threading

from flask import Blueprint

from ..services.sitrep_content import RenderedSitrep, SitrepContent, register_renderer

bp = Blueprint("reports", __name__, url_prefix="/sitreps", template_folder="templates")


def render_sitrep(content: SitrepContent) -> RenderedSitrep:
    # Looked up at each call: WeasyPrint loads Pango at import, which a process needs only
    # when it actually renders.
    from .render import render_pdf

    return render_pdf(content)


@bp.record_once
def _register_renderer(state) -> None:
    register_renderer(state.app, render_sitrep)


@bp.record_once
def _start_in_process_scheduler(state) -> None:
    """With HUMANITARIAN_SCHEDULER_ENABLED the app also runs a scheduler instance in a
    background thread. It competes for the same lease as `flask scheduler run`, so however
    many processes do this, one runs the jobs."""
    app = state.app
    if not app.config.get("SCHEDULER_ENABLED") or app.config.get("TESTING"):
        return
    from ..scheduler import SitrepScheduler

    scheduler = SitrepScheduler(app)
    threading.Thread(target=scheduler.run, name="sitrep-scheduler", daemon=True).start()
    app.extensions["humanitarian.scheduler"] = scheduler
