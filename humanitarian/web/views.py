from flask import render_template
from sqlalchemy import func, select

from ..extensions import db
from ..models import AdminArea, Facility, Incident, InfrastructureStatus, PopulationMovement
from . import bp


@bp.get("/")
def index():
    """Landing page with the size of the database."""
    counts = {
        label: db.session.scalar(select(func.count()).select_from(model))
        for label, model in (
            ("Admin areas", AdminArea),
            ("Incidents", Incident),
            ("Facilities", Facility),
            ("Status changes", InfrastructureStatus),
            ("Population movements", PopulationMovement),
        )
    }
    return render_template("index.html", counts=counts)
