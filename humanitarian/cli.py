"""`flask --app app ...` commands. Each one is a thin wrapper over a service."""

from __future__ import annotations

import os
from datetime import UTC

import click
from flask import Flask

from .extensions import db
from .models.enums import Role, Scope, Sensitivity
from .services import Actor, ServiceError, create_token, create_user, revoke_token
from .services.demo import seed_demo


def _fail(exc: ServiceError):
    messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
    raise click.ClickException(f"{exc.detail}{' (' + messages + ')' if messages else ''}")


@click.command("seed-demo")
def seed_demo_command():
    """Load the Aleppo/Idleb demo scenario (27 Nov – 4 Dec 2024). Safe to run twice."""
    password = os.environ.get("HUMANITARIAN_DEMO_PASSWORD", "demo-password")
    counts = seed_demo(password)
    click.echo(f"admin areas added: {counts['areas']}; records added: {counts['records']}")
    if counts["records"]:
        click.echo(
            "demo logins: admin@ / verifier@ / reporter@ / viewer@demo.local "
            "(password from HUMANITARIAN_DEMO_PASSWORD, default 'demo-password')"
        )


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--org", "org_name", required=True, help="Organization name (created if new).")
@click.option("--max-sensitivity", type=click.Choice([s.value for s in Sensitivity]), default=None)
@click.option("--name", default="")
@click.password_option(envvar="HUMANITARIAN_NEW_USER_PASSWORD")
def create_user_command(email, role, org_name, max_sensitivity, name, password):
    """Create a staff account."""
    try:
        user = create_user(
            Actor.system("cli"),
            email,
            password,
            Role(role),
            org_name,
            name=name,
            max_sensitivity=max_sensitivity,
        )
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"created {user.email} ({user.role}, up to {user.max_sensitivity})")


@click.command("create-token")
@click.option("--org", "org_name", required=True)
@click.option("--scopes", default="read", help="Comma-separated: read,append,verify,admin")
@click.option(
    "--max-sensitivity", type=click.Choice([s.value for s in Sensitivity]), default="public"
)
@click.option("--name", default="")
@click.option("--expires", type=click.DateTime(), default=None, help="UTC expiry, e.g. 2025-06-30")
def create_token_command(org_name, scopes, max_sensitivity, name, expires):
    """Issue an API token and print it once; only its hash is stored."""
    try:
        wanted = [Scope(s.strip()) for s in scopes.split(",") if s.strip()]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scopes") from exc
    expires_at = expires.replace(tzinfo=UTC) if expires else None
    try:
        token, secret = create_token(
            Actor.system("cli"),
            org_name,
            wanted,
            Sensitivity(max_sensitivity),
            name=name,
            expires_at=expires_at,
        )
    except ServiceError as exc:
        _fail(exc)
    click.echo(secret)
    click.echo(
        f"token id {token.id}, scopes {token.scopes}, max sensitivity {token.max_sensitivity}",
        err=True,
    )


@click.command("revoke-token")
@click.argument("token_id")
def revoke_token_command(token_id):
    """Revoke an API token; it stops working at once."""
    import uuid

    try:
        token = revoke_token(Actor.system("cli"), uuid.UUID(token_id))
    except (ValueError, ServiceError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"revoked {token.id} at {token.revoked_at:%Y-%m-%d %H:%M} UTC")


@click.command("db-empty")
def db_empty_command():
    """Exit 0 if the database holds no admin areas yet (used by `make run`)."""
    from sqlalchemy import func, select

    from .models import AdminArea

    raise SystemExit(
        0 if db.session.scalar(select(func.count()).select_from(AdminArea)) == 0 else 1
    )


def register(app: Flask) -> None:
    for command in (
        seed_demo_command,
        create_user_command,
        create_token_command,
        revoke_token_command,
        db_empty_command,
    ):
        app.cli.add_command(command)
    from .reports.cli import register as register_sitrep_commands

    register_sitrep_commands(app)
