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
    if added:
        click.echo(f"Demo data added. Log in as steward@{DEMO_DOMAIN}, expert1@{DEMO_DOMAIN} or "
                   f"citizen001@{DEMO_DOMAIN} with the password {DEMO_PASSWORD}")
    else:
        click.echo("Demo data is already there; nothing added.")


GROUPS = (demo,)
