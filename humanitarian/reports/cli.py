"""`flask sitrep ...` and `flask scheduler ...` commands."""

from __future__ import annotations

import logging
import shutil
import signal

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..models import Language
from ..models.enums import Sensitivity
from ..services import Actor, ServiceError, generate_sitrep, list_sitreps, sitrep_pdf_path

sitrep_cli = AppGroup("sitrep", help="Generate and list situation reports.")
scheduler_cli = AppGroup("scheduler", help="The sitrep scheduler process.")

AUDIENCES = click.Choice([s.value for s in Sensitivity])
LANGUAGES = click.Choice([language.value for language in Language])


def _fail(exc: ServiceError):
    messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
    raise click.ClickException(f"{exc.detail}{' (' + messages + ')' if messages else ''}")


@sitrep_cli.command("generate")
@click.option("--admin", "admin_pcode", required=True, help="Admin area p-code, e.g. SY02.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Copy the PDF here.")
@click.option("--audience", type=AUDIENCES, default="public", show_default=True)
@click.option("--language", type=LANGUAGES, default="en", show_default=True)
def generate_command(admin_pcode, since, until, out, audience, language):
    """Generate (or fetch the archived) sitrep for an area and period."""
    actor = Actor.system("cli")
    try:
        sitrep = generate_sitrep(
            actor, admin_pcode, since.date(), until.date(), audience, language=language
        )
        path = sitrep_pdf_path(actor, sitrep.id)
    except ServiceError as exc:
        _fail(exc)
    if out:
        shutil.copyfile(path, out)
    click.echo(f"{sitrep.id} {sitrep.title} [{sitrep.audience}] {sitrep.page_count} pages")
    click.echo(f"sha256 {sitrep.checksum_sha256}  {out or path}")


@sitrep_cli.command("list")
@click.option("--admin", "admin_pcode", default=None)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
def list_command(admin_pcode, limit):
    """List archived sitreps, newest first."""
    try:
        page = list_sitreps(Actor.system("cli"), admin_pcode=admin_pcode, limit=limit)
    except ServiceError as exc:
        _fail(exc)
    for s in page.items:
        click.echo(
            f"{s.id}  {s.admin_pcode:<8} {s.period_start}..{s.period_end}  {s.audience:<10} "
            f"{s.language}  "
            f"{s.generated_at:%Y-%m-%d %H:%M}  {s.trigger}"
        )


@scheduler_cli.command("run")
@click.option("--interval", type=float, default=None, help="Heartbeat seconds (default: lease/3).")
def run_command(interval):
    """Run the scheduler; passive while another instance holds the lease."""
    from ..scheduler import SitrepScheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    scheduler = SitrepScheduler(app)

    def _stop(signum, _frame):
        click.echo(f"signal {signum}: stopping and releasing the lease", err=True)
        scheduler.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    jobs = len(scheduler.wanted_jobs())
    click.echo(f"scheduler {scheduler.holder}: {jobs} jobs configured", err=True)
    try:
        scheduler.run(interval)
    finally:
        scheduler.stop()


@scheduler_cli.command("tick")
def tick_command():
    """Run every job that is due once, then exit (for cron and tests)."""
    from ..scheduler import SitrepScheduler, current_lease

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler = SitrepScheduler(current_app._get_current_object())
    ran = scheduler.tick()
    if ran is None:
        lease = current_lease()
        holder = lease.holder if lease else "another instance"
        click.echo(f"scheduler {holder} is active and runs what is due; nothing run")
        return
    click.echo(f"ran {len(ran)} due job(s){': ' + ', '.join(ran) if ran else ''}")


@scheduler_cli.command("status")
def status_command():
    """Show the lease holder, the configured jobs and their next runs, and recent failures."""
    from ..scheduler import current_lease, job_overview
    from ..services import list_sitrep_runs

    lease = current_lease()
    if lease is None:
        click.echo("lease: nobody (no scheduler running)")
    else:
        click.echo(f"lease: {lease.holder} until {lease.expires_at:%Y-%m-%d %H:%M:%S} UTC")
    for job in job_overview(current_app):
        when = job["next_run_time"]
        click.echo(f"{job['name']:<40} {job['schedule']:<60} next {when or 'not scheduled yet'}")
    for run in list_sitrep_runs(Actor.system("cli"), status="failed", limit=10):
        retry = f"retry at {run.next_attempt_at:%Y-%m-%d %H:%M}" if run.next_attempt_at else ""
        click.echo(
            f"FAILED {run.started_at:%Y-%m-%d %H:%M} {run.admin_pcode} "
            f"{run.period_start}..{run.period_end} attempt {run.attempt} {retry}: {run.error}"
        )


def register(app: Flask) -> None:
    app.cli.add_command(sitrep_cli)
    app.cli.add_command(scheduler_cli)
