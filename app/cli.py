"""Flask commands: users, reference and demo data, the idea lifecycle, search, notification mail."""
import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from app.core.errors import DomainError
from app.core.security import Role
from app.extensions import db
from app.ideas.models import Idea


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

    ideas = AppGroup("ideas", help="The idea lifecycle.")
    search = AppGroup("search", help="The search index.")
    notifications = AppGroup("notifications", help="Notification mail.")

    @ideas.command("advance")
    @click.option("--now", "now_text", default=None, help="Act as if it were this ISO 8601 time (default: now).")
    def advance(now_text):
        """Shortlist or archive every idea that is due; idempotent, safe from cron."""
        from app.ideas.lifecycle import advance_idea, due_ideas_query

        now = _parse_now(now_text)
        ids = db.session.scalars(due_ideas_query(now).with_only_columns(Idea.id)).all()
        changed = 0
        with click.progressbar(ids, label="Advancing ideas") as bar:
            for idea_id in bar:
                changed += advance_idea(db.session.get(Idea, idea_id), now)
                db.session.commit()  # one idea at a time: a crash loses nothing done so far
        click.echo(f"{changed} of {len(ids)} due ideas changed state.")

    @search.command("reindex")
    def reindex_command():
        """Rebuild the search index from the database."""
        from app.ideas.models import Idea as IdeaModel
        from app.search.index import SEARCHABLE, reindex

        total = db.session.scalar(sa.select(sa.func.count(IdeaModel.id)).where(IdeaModel.status.in_(SEARCHABLE)))
        with click.progressbar(length=total, label="Indexing ideas") as bar:
            count = reindex(progress=bar.update)
        click.echo(f"Indexed {count} ideas and proposals.")

    def _send(mode):
        from app.notifications.operations import send_pending

        sent = send_pending(mode)
        click.echo(f"Sent {sent} mails.")

    @notifications.command("send-digests")
    def send_digests():
        """Mail the daily digest to users who chose it and have something new, grouped by idea."""
        _send("daily")

    @notifications.command("send-immediate")
    def send_immediate():
        """Mail pending notifications to users who want them at once (run every few minutes)."""
        _send("immediate")

    for group in (users, reference, demo, ideas, search, notifications):
        app.cli.add_command(group)


def _parse_now(text):
    """`--now` as an aware datetime (UTC when no offset is given)."""
    from datetime import datetime, timezone

    from app.core.timeutil import utcnow

    if not text:
        return utcnow()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 time: {text}", param_hint="--now") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
