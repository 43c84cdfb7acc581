"""`flask revenue distribute-paid`: distribute every paid-in pool not yet distributed (safe to rerun)."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.distribution import checks as _checks  # noqa: F401 - registers distribution's checks
from app.distribution.models import RevenueReport
from app.distribution.operations import distribute
from app.extensions import db

revenue = AppGroup("revenue", help="Revenue reports and their distribution.")


@revenue.command("distribute-paid")
def distribute_paid_command():
    """Distribute every report whose pool is paid in but not yet split (each in its own transaction)."""
    done = 0
    for report in db.session.scalars(sa.select(RevenueReport).where(RevenueReport.status == "pool_paid")
                                     .order_by(RevenueReport.id)).all():
        if distribute(report) is not None:
            done += 1
        db.session.commit()
    click.echo(f"Distributed {done} report(s).")


GROUPS = (revenue,)
