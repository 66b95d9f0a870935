"""Signing in and out. Passwords are checked by the accounts service, which also throttles
repeated failures by address (``services/signin.py``) and writes the audit trail."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter
from ..models.enums import Channel
from ..services import Actor, NotAuthenticated, authenticate, record_event
from .access import current_actor, safe_next
from .blueprint import bp


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _login_limit,
    methods=["POST"],
    error_message="Too many sign-in attempts from your address. Please wait a minute and try again.",
)
def login():
    """Sign in with email and password."""
    target = safe_next(request.values.get("next"), url_for("web.dashboard"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target)
    error = None
    email = request.form.get("email", "").strip()[:320]
    if request.method == "POST":
        try:
            user = authenticate(
                email,
                request.form.get("password", ""),
                actor=Actor.anonymous(
                    channel=Channel.web, request_id=g.get("request_id"), ip=request.remote_addr
                ),
            )
        except NotAuthenticated as exc:
            error = exc.detail[:1].upper() + exc.detail[1:] + "."
        else:
            session.clear()  # a fresh session on sign-in, so an old one cannot be fixed upon
            login_user(user)
            return redirect(target)
    status = 401 if error else 200
    return render_template("auth/login.html", email=email, error=error, next=target), status


@bp.post("/logout")
def logout():
    """Sign out and end the session."""
    if current_user.is_authenticated:
        record_event(current_actor(), "logout", "user", current_user.id)
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("web.login"))
