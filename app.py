"""Entry point. `flask --app app ...` finds `create_app` and calls it;
gunicorn runs `gunicorn 'app:create_app()'`. Nothing is built at import time."""

from humanitarian import create_app

__all__ = ["create_app"]
