"""The web blueprint and the sign-in wiring every page relies on."""

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
