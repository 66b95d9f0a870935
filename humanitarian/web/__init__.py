"""Web pages for NGO staff: login, dashboard, entry forms, lists, details and review.

Every page goes through the same service layer and marshmallow schemas as the API; views only
translate between HTML forms and those calls.
"""

from flask import Blueprint

from ..extensions import db, login_manager
from ..models import User

bp = Blueprint("web", __name__, template_folder="templates")

login_manager.login_view = "web.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


@login_manager.user_loader
def _load_user(user_id: str):
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


from . import (  # noqa: E402,F401
    access,
    audit,
    auth,
    dashboard,
    errors,
    facilities,
    incidents,
    lookups,
    movements,
    review,
)
