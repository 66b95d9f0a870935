"""REST API v1 for partner systems (`/api/v1`)."""

from flask import Flask


def register(app: Flask) -> None:
    """Attach the API to the app. Token-authenticated, so exempt from form CSRF."""
