"""`flask ledger check` and `flask ledger balances`."""
import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.extensions import db
from app.ledger.checks import check, registered_checks
from app.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction

ledger = AppGroup("ledger", help="The double-entry ledger.")


@ledger.command("check")
def check_command():
    """Check the books (zero-sum transactions, balances, the features' rules); exit 1 naming each violation."""
    violations = check()
    for violation in violations:
        click.echo(f"VIOLATION: {violation}")
    if violations:
        click.echo(f"{len(violations)} violation(s) found.", err=True)
        sys.exit(1)
    count = lambda model: db.session.scalar(sa.select(sa.func.count(model.id)))  # noqa: E731
    click.echo(f"Ledger consistent: {count(LedgerTransaction)} transactions, {count(LedgerEntry)} entries, "
               f"{count(LedgerAccount)} accounts; {len(registered_checks())} checks passed.")


@ledger.command("balances")
@click.option("--kind", default=None, help="Only accounts of this kind.")
def balances_command(kind):
    """Print every account (or those of one kind) with its balance in won."""
    stmt = sa.select(LedgerAccount).order_by(LedgerAccount.kind, LedgerAccount.owner_type, LedgerAccount.owner_id)
    if kind:
        stmt = stmt.where(LedgerAccount.kind == kind)
    for acct in db.session.scalars(stmt):
        owner = f"{acct.owner_type}:{acct.owner_id}" if acct.owner else "-"
        click.echo(f"{acct.kind:<20} {owner:<24} {acct.balance:>20,}")


GROUPS = (ledger,)
