"""Flask commands: users, reference data, demo data."""
import click
from flask import Flask
from flask.cli import AppGroup

from app.core.errors import DomainError
from app.core.security import Role
from app.extensions import db


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    users = AppGroup("users", help="Manage user accounts.")
    reference = AppGroup("reference", help="Reference data (municipalities, categories).")
    demo = AppGroup("demo", help="Demo content.")

    @users.command("create")
    @click.argument("email")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--name", required=True, help="Display name.")
    @click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]),
                  help="Role to grant (repeatable); every user is a citizen.")
    @click.option("--verified", is_flag=True, help="Mark the email address as verified.")
    def create_user(email, password, name, roles, verified):
        """Create a user."""
        from app.auth.operations import grant_role, register_user
        from app.core.timeutil import utcnow

        try:
            user = register_user(email, password, name)
            for role in roles:
                grant_role(user, Role(role))
            if verified:
                user.verified_at = utcnow()
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc.message)) from None
        click.echo(f"Created user {user.id} <{user.email}> roles={','.join(sorted(user.roles))}"
                   f"{' verified' if verified else ''}")

    @reference.command("load")
    def load_reference():
        """Insert Gyeonggi's 31 municipalities and the categories (idempotent)."""
        from app.ideas.reference import ensure_reference_data

        added = ensure_reference_data()
        db.session.commit()
        click.echo(f"Reference data: {added} rows added.")

    @demo.command("seed")
    def seed():
        """Insert realistic Korean demo data once (idempotent)."""
        from app.demo import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo

        if seed_demo():
            db.session.commit()
            click.echo(f"Demo data added. Log in as steward@{DEMO_DOMAIN}, expert1@{DEMO_DOMAIN} or "
                       f"citizen001@{DEMO_DOMAIN} with the password {DEMO_PASSWORD}")
        else:
            db.session.commit()
            click.echo("Demo data is already there; nothing added.")

    for group in (users, reference, demo):
        app.cli.add_command(group)
