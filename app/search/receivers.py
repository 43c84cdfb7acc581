"""What search adds when features announce things: reindexing after bulk changes, similar ideas on a page."""
from app.ideas.signals import idea_merged, idea_page
from app.ideas.states import IDEA
from app.proposals.states import PROPOSAL
from app.search.index import mark_for_indexing, mark_proposals_for_indexing


@IDEA.moved.connect
def _reindex_moved_idea(idea, **_kw):
    """A compare-and-set move (`move_if`) is a bare UPDATE the ORM hooks don't see: index the idea's new status."""
    mark_for_indexing(idea.id)


@PROPOSAL.moved.connect
def _reindex_moved_proposal(proposal, **_kw):
    """Likewise for a proposal's stage."""
    mark_proposals_for_indexing(proposal.id)


@idea_merged.connect
def _reindex_merged(idea, **_kw):
    """A merge moves supports and comments in bulk, which the ORM hooks don't see: index both ideas."""
    mark_for_indexing(idea.id, idea.merged_into_id)


@idea_page.connect
def _similar_on_idea_page(idea, viewer=None) -> dict:
    """Open and shortlisted ideas list their likely duplicates."""
    from app.search.query import similar_ideas

    if idea.status not in ("open", "shortlisted"):
        return {}
    return {"similar": similar_ideas(f"{idea.title} {idea.summary}", exclude_id=idea.id, limit=5, title=idea.title,
                                     municipality=idea.municipality.code)}
