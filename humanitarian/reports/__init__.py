"""Situation reports: generation, archive and downloads."""

import threading

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/sitreps", template_folder="templates")


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


from . import views  # noqa: E402,F401
