"""Situation reports: generation, archive and downloads."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/sitreps", template_folder="templates")

from . import views  # noqa: E402,F401
