"""`flask demo seed`."""
import click
from flask.cli import AppGroup

from app.extensions import db

demo = AppGroup("demo", help="Demo content.")


@demo.command("seed")
def seed():
    """Insert realistic Korean demo data once (idempotent)."""
    from app.demo.seed import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo

    added = seed_demo()
    db.session.commit()
    from app.demo.funding import processor_running, seed_funding

    if processor_running():
        rounds = seed_funding()
        if rounds:
            click.echo(f"Demo funding: {rounds} round(s) backed through the payment processor.")
    else:
        click.echo("The payment processor does not answer (make run starts localstripe): no demo rounds.", err=True)
    if added:
        click.echo(f"Demo data added. Log in as steward@{DEMO_DOMAIN}, expert1@{DEMO_DOMAIN} or "
                   f"citizen001@{DEMO_DOMAIN} with the password {DEMO_PASSWORD}")
    else:
        click.echo("Demo data is already there; nothing added.")


GROUPS = (demo,)
