"""`flask rounds open-due|close-due` and `flask payments reconcile|retry-refunds`."""
from datetime import datetime

import click
from flask.cli import AppGroup

from app.core.timeutil import as_utc
from app.extensions import db
from app.funding import checks as _checks  # noqa: F401 - registers funding's checks with `flask ledger check`
from app.funding import closing, operations, payments

rounds = AppGroup("rounds", help="Funding rounds.")
payments_group = AppGroup("payments", help="Payments at the processor.")


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise click.BadParameter("use an ISO 8601 time, e.g. 2026-12-01T09:00:00+09:00") from None


@rounds.command("open-due")
@click.option("--now", default=None, help="Act as if it were this time (ISO 8601).")
def open_due_command(now):
    """Open every approved round whose opening time has come."""
    opened = operations.open_due(_parse_now(now))
    db.session.commit()
    click.echo(f"Opened {len(opened)} round(s).")


@rounds.command("close-due")
@click.option("--now", default=None, help="Act as if it were this time (ISO 8601).")
def close_due_command(now):
    """Open due rounds, close every round whose time is up, and finish closings a crash interrupted; safe to rerun."""
    when = _parse_now(now)
    opened = operations.open_due(when)
    db.session.commit()
    if opened:
        click.echo(f"Opened {len(opened)} round(s).")
    due = closing.due_rounds(when)
    if not due:
        click.echo("No round to close.")
    for round_ in due:
        with click.progressbar(length=0, label=f"Round {round_.id}: refunds") as bar:
            status = closing.close_round(round_, None, when, progress=bar.update)
        click.echo(f"Round {round_.id} ({round_.proposal.title}): {status}, raised {round_.raised_amount:,} won, "
                   f"{round_.backer_count} backer(s).")


@payments_group.command("reconcile")
def reconcile_command():
    """Compare every pledge with its payment at the processor, repair what webhooks missed, report each change."""
    changes = payments.reconcile()
    for change in changes:
        click.echo(change)
    click.echo(f"{len(changes)} change(s).")


@payments_group.command("retry-refunds")
def retry_refunds_command():
    """Ask again for every refund still pending (they are never forced)."""
    done, failed = closing.refund_pending()
    click.echo(f"Refunded {done} pledge(s); {failed} still pending.")


GROUPS = (rounds, payments_group)
