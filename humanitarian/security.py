"""HTTP security headers (via Flask-Talisman).

The content security policy allows nothing inline and nothing from other origins: pages load
scripts, styles and images from this server only, and no site may frame them.
"""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_security(app: Flask) -> None:
    # One Talisman per app: it keeps its options on the instance, so a shared singleton would
    # let the last app created (say, a production one) impose its settings on every other.
    production = app.config["ENV"] == "production"
    Talisman(
        app,
        content_security_policy=CSP,
        force_https=production,
        strict_transport_security=production,
        session_cookie_secure=production,
        frame_options="DENY",
        referrer_policy="same-origin",
        x_content_type_options=True,
    )
