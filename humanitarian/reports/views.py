from flask import render_template

from . import bp


@bp.get("/")
def index():
    """Archive of generated situation reports."""
    return render_template("reports/index.html")
