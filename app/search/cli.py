"""`flask search reindex`."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.extensions import db

search = AppGroup("search", help="The search index.")


@search.command("reindex")
def reindex_command():
    """Rebuild the search index from the database."""
    from app.ideas.models import Idea
    from app.search.index import SEARCHABLE
    from app.search.rebuild import reindex

    total = db.session.scalar(sa.select(sa.func.count(Idea.id)).where(Idea.status.in_(SEARCHABLE)))
    with click.progressbar(length=total, label="Indexing ideas") as bar:
        count = reindex(progress=bar.update)
    click.echo(f"Indexed {count} ideas and proposals.")


GROUPS = (search,)
