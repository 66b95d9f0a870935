"""`flask --app app ...` commands. Each one is a thin wrapper over a service."""

from __future__ import annotations

import os
import sys
from datetime import UTC

import click
from flask import Flask

from .models import COUNTS
from .models.enums import Role, Scope, Sensitivity
from .services import Actor, ServiceError, create_token, create_user, revoke_token
from .services.cod import SHIPPED
from .services.demo import seed_demo
from .services.gazetteer import load_areas
from .services.webhooks import deliver_due
from .supervise import run_all_command


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


@click.command("load-areas")
@click.argument("directory", type=click.Path(exists=True, file_okay=False), required=False)
def load_areas_command(directory):
    """Load a COD-style gazetteer folder (p-code table + one GeoJSON per level); default: the
    shipped Syria gazetteer. Safe to run again: only changes are written."""
    try:
        result = load_areas(Actor.system("load-areas"), directory or SHIPPED)
    except ServiceError as exc:
        for line in exc.errors.get("files", []):
            click.echo(f"  {line}", err=True)
        raise click.ClickException(exc.detail) from exc
    click.echo(
        f"added {result.added}, updated {result.updated}, unchanged {result.unchanged}, "
        f"removed {result.removed}, kept in use {len(result.kept_in_use)}"
    )
    for pcode, uses in result.kept_in_use:
        click.echo(f"  kept {pcode}: not in the files but used by {uses}", err=True)


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


def _import_file(fmt: str, kind: str, path: str, deleted: str | None, sensitivity: str) -> None:
    """Run an import with a progress bar and print what the API's import job shows."""
    from .kinds.imports import run_import

    with open(path, newline="", encoding="utf-8-sig") as handle:
        total = max(sum(1 for _ in handle) - 1, 0)
    actor = Actor.system(f"import-{fmt}")
    with (
        open(path, newline="", encoding="utf-8-sig") as handle,
        click.progressbar(length=total, label="importing", file=sys.stderr) as bar,
    ):
        shown = [0]

        def progress(done: int, _total: int) -> None:
            bar.update(done - shown[0])
            shown[0] = done

        try:
            if deleted:
                with open(deleted, newline="", encoding="utf-8-sig") as gone:
                    result = run_import(
                        actor, fmt, kind, handle, deleted=gone.readlines(),
                        sensitivity=Sensitivity(sensitivity), progress=progress,
                    )  # fmt: skip
            else:
                result = run_import(
                    actor, fmt, kind, handle, sensitivity=Sensitivity(sensitivity),
                    progress=progress,
                )  # fmt: skip
        except ServiceError as exc:
            _fail(exc)
        except NotImplementedError as exc:
            raise click.ClickException(f"{exc}; nothing was written") from exc
    counts = ", ".join(f"{name} {value}" for name, value in result.counts().items())
    click.echo(f"{result.rows} rows: {counts}")
    for error in result.errors[:100]:
        click.echo(f"  line {error.line}, {error.column or 'row'}: {error.message}", err=True)
    if not result.written:
        raise click.ClickException("rows were refused: nothing was written")


_SENSITIVITY = click.option(
    "--sensitivity",
    type=click.Choice([s.value for s in Sensitivity]),
    default="public",
    show_default=True,
    help="Given to every imported record.",
)


@click.command("import-acled")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--deleted",
    type=click.Path(exists=True, dir_okay=False),
    help="ACLED's list of deleted events (event_id_cnty): those imported before are retracted.",
)
@_SENSITIVITY
def import_acled_command(path, deleted, sensitivity):
    """Import an ACLED export: new events created, changed ones revised, the rest left alone."""
    _import_file("acled", "incidents", path, deleted, sensitivity)


@click.command("import-hxl")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(["incidents", "movements"]), required=True)
@_SENSITIVITY
def import_hxl_command(path, kind, sensitivity):
    """Import an HXL-tagged CSV (DOMAIN.md's hashtags, any column order or header text)."""
    _import_file("hxl", kind, path, None, sensitivity)


@click.group("imports")
def imports_cli():
    """Import jobs uploaded through the API."""


@imports_cli.command("run")
def run_imports_command():
    """Run every pending import job once, then exit (the scheduler process also runs them)."""
    from .kinds.imports import run_pending_imports

    for job in run_pending_imports():
        counts = ", ".join(f"{n} {getattr(job, n)}" for n in COUNTS)
        click.echo(f"{job.id} {job.state}: {counts}{'; ' + job.error if job.error else ''}")


@click.group("webhooks")
def webhooks_cli():
    """Webhook deliveries."""


@webhooks_cli.command("deliver")
def deliver_webhooks_command():
    """Send every webhook message that is due, once (the scheduler also does this)."""
    from .kinds.feed import render_change

    run = deliver_due(render_change)
    click.echo(f"sent {run.sent}, failed {run.failed}, subscriptions disabled {run.disabled}")


def register(app: Flask) -> None:
    for command in (
        webhooks_cli,
        seed_demo_command,
        load_areas_command,
        create_user_command,
        create_token_command,
        revoke_token_command,
        import_acled_command,
        import_hxl_command,
        imports_cli,
        run_all_command,
    ):
        app.cli.add_command(command)
    from .reports.cli import register as register_sitrep_commands

    register_sitrep_commands(app)
