"""`flask reference load`, `flask ideas advance` and `flask ideas tallies`."""
import click
from flask.cli import AppGroup

from app.core.cli import parse_now
from app.extensions import db

reference = AppGroup("reference", help="Reference data (municipalities, categories).")
ideas = AppGroup("ideas", help="The idea lifecycle.")


@reference.command("load")
def load_reference():
    """Insert Gyeonggi's 31 municipalities and the categories (idempotent)."""
    from app.ideas.reference import ensure_reference_data

    added = ensure_reference_data()
    db.session.commit()
    click.echo(f"Reference data: {added} rows added.")


@ideas.command("advance")
@click.option("--now", "now_text", default=None, help="Act as if it were this ISO 8601 time (default: now).")
def advance(now_text):
    """Shortlist or archive every idea that is due; idempotent, safe from cron."""
    from app.ideas.lifecycle import advance_idea, due_ideas_query
    from app.ideas.models import Idea

    now = parse_now(now_text)
    ids = db.session.scalars(due_ideas_query(now).with_only_columns(Idea.id)).all()
    changed = 0
    with click.progressbar(ids, label="Advancing ideas") as bar:
        for idea_id in bar:
            changed += advance_idea(db.session.get(Idea, idea_id), now)
            db.session.commit()  # one idea at a time: a crash loses nothing done so far
    click.echo(f"{changed} of {len(ids)} due ideas changed state.")


@ideas.command("tallies")
@click.option("--rebuild", is_flag=True, help="Recount every tally from the ideas (after a bulk load).")
def check_tallies(rebuild):
    """Check the kept idea counts per (status, category, city) against a real count; exit 1 on a difference."""
    from app.ideas import tallies

    if rebuild:
        tallies.rebuild()
        db.session.commit()
        click.echo("Tallies rebuilt.")
    wrong = tallies.differences()
    for status, category_id, municipality_id, kept, actual in wrong:
        click.echo(f"status={status} category={category_id} municipality={municipality_id}: kept {kept}, actual {actual}")
    if wrong:
        raise SystemExit(1)
    click.echo("Tallies match the ideas.")


GROUPS = (reference, ideas)
