"""The search index: schema, opening, writing after each commit, full rebuilds.

Writes take Whoosh's file lock and wait for it (one writer at a time across every process), so
two gunicorn workers indexing at once both land. Changes are indexed after the database commit,
from a fresh session, so the index never shows what a rolled-back transaction wrote.
"""
import logging
import os
import threading
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.fields import DATETIME, ID, NUMERIC, TEXT, Schema
from whoosh.index import TOC
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from app.core.markdown import plain_text
from app.extensions import db
from app.search.analyzer import korean_analyzer, place_analyzer, syllable_pair_analyzer
from app.search.scoring import KeptLengthsBM25F

log = logging.getLogger(__name__)
PENDING = "gops_search_pending"
PENDING_PROPOSALS = "gops_search_pending_proposals"
#: statuses that appear in search, and those on the board (a reindex puts these first)
SEARCHABLE = ("open", "shortlisted", "adopted", "archived")
ON_BOARD = ("open", "shortlisted", "adopted")
WRITE_TIMEOUT = 60.0

_indexes: dict[str, object] = {}
_open_lock = threading.Lock()
_local = threading.local()


def make_schema() -> Schema:
    """Fields: title boosted, then summary, body, comments and the place's names; facets as IDs."""
    analyzer = korean_analyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True),
        id=NUMERIC(stored=True, numtype=int, bits=64),
        # chars=True keeps each term's character offsets, so highlighting needs no re-analysis
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0, chars=True),
        summary=TEXT(analyzer=analyzer, stored=True, field_boost=1.5, chars=True),
        body=TEXT(analyzer=analyzer, stored=True, chars=True),
        comments=TEXT(analyzer=analyzer),
        # the city's names in every form people type: 용인시, 용인, Yongin, Yongin-si
        place=TEXT(analyzer=place_analyzer(), phrase=False),
        # syllable pairs of the title's nouns, for similar ideas only
        title_pairs=TEXT(analyzer=syllable_pair_analyzer(), phrase=False),
        category=ID(stored=True, sortable=True),
        municipality=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),
        created=DATETIME(stored=True, sortable=True),
        support_count=NUMERIC(stored=True, sortable=True, numtype=int, bits=64),
    )


def get_index(directory: str | None = None):
    """The index in SEARCH_INDEX_DIR, created on first use; one handle per process and directory."""
    directory = directory or current_app.config["SEARCH_INDEX_DIR"]
    ix = _indexes.get(directory)
    if ix is None:
        with _open_lock:
            ix = _indexes.get(directory)
            if ix is None:
                os.makedirs(directory, exist_ok=True)
                if whoosh_index.exists_in(directory):
                    ix = _add_missing_fields(whoosh_index.open_dir(directory))
                else:
                    ix = whoosh_index.create_in(directory, make_schema())
                _indexes[directory] = ix
    return ix


def _add_missing_fields(ix):
    """An index made by an older release gets the fields added since; documents get them when reindexed."""
    schema = make_schema()
    missing = [name for name in schema.names() if name not in ix.schema]
    if missing:
        w = writer(ix)
        for name in missing:
            w.add_field(name, schema[name])
        w.commit()
        log.warning("search index: added fields %s; run `flask search reindex` to fill them", ", ".join(missing))
    return ix


@contextmanager
def searcher():
    """A searcher for the current index, kept per thread and renewed only when the index changed.

    Renewing keeps the readers of segments that did not change (`_latest_searcher`); refreshing an
    unchanged one costs a directory listing. Searchers are not shared between threads.
    """
    directory = current_app.config["SEARCH_INDEX_DIR"]
    ix = get_index(directory)
    cache = _local.__dict__.setdefault("searchers", {})
    generation = ix.latest_generation()
    cached = cache.get(directory)
    if cached is None or cached[1] != generation:
        cached = cache[directory] = _latest_searcher(ix, cached[0] if cached else None)
    yield cached[0]


def _latest_searcher(ix, previous=None) -> tuple:
    """(a searcher of the index's latest commit, its generation), keeping `previous`'s reader of each segment
    unchanged since (the same segment with the same deleted documents), closing the others.

    Opening a segment of 50,000 documents reads its term and stored-field indexes (about 100 ms), which every
    worker paid again after each commit (a new idea, an edit, a comment) on its next search or idea page.
    Not Whoosh's `Searcher.refresh()`: it keeps a segment's reader whatever was deleted from the segment
    since, so an edited idea would be found twice.
    """
    toc = TOC.read(ix.storage, ix.indexname)
    leaves = [reader for reader, _offset in previous.reader().leaf_readers()] if previous is not None else []
    kept = {reader.segment().segment_id(): reader for reader in leaves if reader.segment() is not None}
    readers = []
    for segment in toc.segments:
        reader = kept.get(segment.segment_id())
        if reader is not None and set(reader.segment().deleted_docs()) == set(segment.deleted_docs()):
            del kept[segment.segment_id()]
        else:
            reader = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
        readers.append(reader)
    for reader in kept.values():
        reader.close()
    if not readers:
        reader = EmptyReader(toc.schema)
    elif len(readers) == 1:
        reader = readers[0]
    else:
        reader = MultiReader(readers, generation=toc.generation)
    return Searcher(reader, fromindex=ix, weighting=KeptLengthsBM25F()), toc.generation


def forget_index(directory: str) -> None:
    """Drop this process's handles on an index directory (after it was deleted or replaced)."""
    _indexes.pop(directory, None)
    _local.__dict__.setdefault("searchers", {}).pop(directory, None)


def writer(ix=None):
    """A writer that waits for the lock other processes may hold."""
    return (ix or get_index()).writer(timeout=WRITE_TIMEOUT, delay=0.05)


def place_names(municipality) -> str:
    """A city's names as people type them, "|" between: 용인시|용인|Yongin|Yongin-si."""
    names = [municipality.name_ko]
    if len(municipality.name_ko) > 2 and municipality.name_ko[-1] in "시군":
        names.append(municipality.name_ko[:-1])
    english = municipality.name_en.removesuffix(" County")
    names += [municipality.name_en, f"{english}-{'gun' if municipality.kind == 'county' else 'si'}"]
    return "|".join(dict.fromkeys(names))


def idea_document(idea, comments_text: str) -> dict:
    """The document for one idea (an `Idea`, or a row of `_idea_rows`)."""
    return {
        "key": f"idea:{idea.id}", "type": "idea", "id": idea.id,
        "title": idea.title, "summary": idea.summary, "body": plain_text(idea.body), "comments": comments_text,
        "place": place_names(idea.municipality), "title_pairs": idea.title,
        "category": idea.category.code, "municipality": idea.municipality.code, "status": idea.status,
        "created": idea.created_at.replace(tzinfo=None), "support_count": idea.support_count,
    }


def proposal_document(proposal) -> dict:
    """The document for one proposal: its stage stands where an idea has its status."""
    return {
        "key": f"proposal:{proposal.id}", "type": "proposal", "id": proposal.id,
        "title": proposal.title, "summary": proposal.site or proposal.idea.summary,
        "body": plain_text("\n\n".join(filter(None, (proposal.problem, proposal.solution, proposal.expected_impact)))),
        "comments": "", "place": place_names(proposal.municipality), "title_pairs": proposal.title,
        "category": proposal.idea.category.code, "municipality": proposal.municipality.code,
        "status": proposal.stage, "created": proposal.created_at.replace(tzinfo=None),
        "support_count": proposal.idea.support_count,
    }


def _proposal_documents(session, proposal_ids) -> list[dict]:
    from app.proposals.models import Proposal

    return [proposal_document(p) for p in session.scalars(sa.select(Proposal).where(Proposal.id.in_(list(proposal_ids))))]


class _Row:
    """An idea as `idea_document` reads it, from plain columns (no ORM entity: faster, and blind to new columns)."""

    __slots__ = ("id", "title", "summary", "body", "status", "created_at", "support_count", "category", "municipality")

    def __init__(self, row, categories, municipalities):
        (self.id, self.title, self.summary, self.body, self.status, self.created_at, self.support_count,
         category_id, municipality_id) = row
        self.category, self.municipality = categories[category_id], municipalities[municipality_id]


def _idea_rows(session, idea_ids) -> list[_Row]:
    """The ideas among `idea_ids`, with their category and city, in three small queries."""
    from app.ideas.models import Category, Idea, Municipality

    categories = {c.id: c for c in session.execute(sa.select(Category.id, Category.code))}
    municipalities = {m.id: m for m in session.execute(sa.select(
        Municipality.id, Municipality.code, Municipality.name_ko, Municipality.name_en, Municipality.kind))}
    rows = session.execute(sa.select(Idea.id, Idea.title, Idea.summary, Idea.body, Idea.status, Idea.created_at,
                                     Idea.support_count, Idea.category_id, Idea.municipality_id)
                           .where(Idea.id.in_(list(idea_ids))).order_by(Idea.id))
    return [_Row(row, categories, municipalities) for row in rows]


def _documents(session, idea_ids) -> tuple[list[dict], list[int]]:
    """Documents for the searchable ideas among `idea_ids`, and the ids to drop from the index."""
    from app.ideas.models import Comment

    texts: dict[int, list[str]] = {}
    rows = session.execute(sa.select(Comment.idea_id, Comment.body).where(Comment.idea_id.in_(list(idea_ids)))
                           .order_by(Comment.id))
    for idea_id, body in rows:
        texts.setdefault(idea_id, []).append(body)
    docs = [idea_document(i, "\n".join(texts.get(i.id, []))) for i in _idea_rows(session, idea_ids)
            if i.status in SEARCHABLE]
    keep = {d["id"] for d in docs}
    return docs, [i for i in idea_ids if i not in keep]


def index_ideas(idea_ids, ix=None, proposal_ids=()) -> None:
    """Bring the index in line with the database for these ideas (and proposals)."""
    if not idea_ids and not proposal_ids:
        return
    with Session(db.engine) as session:
        docs, gone = _documents(session, set(idea_ids)) if idea_ids else ([], [])
        docs += _proposal_documents(session, set(proposal_ids)) if proposal_ids else []
    w = writer(ix)
    try:
        for doc in docs:
            w.update_document(**doc)
        for idea_id in gone:
            w.delete_by_term("key", f"idea:{idea_id}")
    except Exception:
        w.cancel()
        raise
    w.commit()


def mark_for_indexing(*idea_ids: int) -> None:
    """Ask for these ideas to be reindexed when the current transaction commits."""
    db.session.info.setdefault(PENDING, set()).update(idea_ids)


def mark_proposals_for_indexing(*proposal_ids: int) -> None:
    """Ask for these proposals to be reindexed when the current transaction commits."""
    db.session.info.setdefault(PENDING_PROPOSALS, set()).update(proposal_ids)


_hooks_installed = False


def install_hooks() -> None:
    """Index ideas after the commit that changed them (or their comments); once per process."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    from app.ideas.models import Comment, Idea
    from app.proposals.models import Proposal

    @event.listens_for(Session, "after_flush")
    def _collect(session, _context):
        pending = session.info.setdefault(PENDING, set())
        proposals = session.info.setdefault(PENDING_PROPOSALS, set())
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, Idea) and obj.id is not None:
                pending.add(obj.id)
            elif isinstance(obj, Comment) and obj.idea_id is not None:
                pending.add(obj.idea_id)
            elif isinstance(obj, Proposal) and obj.id is not None:
                proposals.add(obj.id)

    @event.listens_for(Session, "after_commit")
    def _index(session):
        pending = session.info.pop(PENDING, None)
        proposals = session.info.pop(PENDING_PROPOSALS, None)
        if (pending or proposals) and current_app.config.get("SEARCH_INDEXING", True):
            try:
                index_ideas(pending or (), proposal_ids=proposals or ())
            except Exception:  # the commit stands; `flask search reindex` repairs the index
                log.exception("indexing ideas %s / proposals %s failed", sorted(pending or ()), sorted(proposals or ()))

    @event.listens_for(Session, "after_soft_rollback")
    def _forget(session, _previous_transaction):
        if not session.in_transaction():
            session.info.pop(PENDING, None)
            session.info.pop(PENDING_PROPOSALS, None)


def reindex(progress=None, **kwargs) -> int:
    """Rebuild the whole index from the database (see `app.search.rebuild`); returns documents."""
    from app.search.rebuild import reindex as rebuild

    return rebuild(progress=progress, **kwargs)
