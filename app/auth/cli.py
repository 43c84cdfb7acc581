"""`flask users ...`: manage user accounts."""
import click
from flask.cli import AppGroup

from app.core.errors import DomainError
from app.core.security import Role
from app.extensions import db

users = AppGroup("users", help="Manage user accounts.")


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


GROUPS = (users,)
