"""`flask search reindex`: the whole index rebuilt from the database, in several processes when it is big.

Kiwi's analysis is most of the work (about 4 ms of CPU per idea), then Whoosh's postings. Past
`PARALLEL_FROM` ideas one process per core takes batches of documents, analyzes each batch's
texts in one call to Kiwi and writes its own segment; the parent reads the database. The commit
drops the old segments (readers keep the old index until then).
"""
import os
import pickle

import sqlalchemy as sa
from sqlalchemy.orm import Session
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import CLEAR

from app.extensions import db
from app.search.analyzer import forget_kiwi, primed
from app.search.index import (
    ON_BOARD, SEARCHABLE, WRITE_TIMEOUT, _documents, _proposal_documents, get_index, writer,
)

#: a reindex of more ideas than this runs one process per core, each given this many documents at a time
PARALLEL_FROM = 2000
PARALLEL_BATCH = 250


def _ranked_idea_ids(session) -> list[int]:
    """Searchable ideas in the order search scans them: the board's (open, shortlisted, adopted) newest first, then the rest."""
    from app.ideas.models import Idea

    on_board = sa.case((Idea.status.in_(ON_BOARD), 0), else_=1)
    return session.scalars(sa.select(Idea.id).where(Idea.status.in_(SEARCHABLE))
                           .order_by(on_board, Idea.created_at.desc(), Idea.id.desc())).all()


def reindex(progress=None, batch: int = 500, procs: int | None = None) -> int:
    """Rebuild the index from the database; `progress(n)` is called after each batch. Returns documents.

    Documents go in the order search scans them (proposals, then `_ranked_idea_ids`). Past
    `PARALLEL_FROM` ideas, `procs` processes (one per core) analyze and write a segment each;
    the old segments are dropped at the commit, so readers see the old index until the new one is whole.
    """
    from app.proposals.models import Proposal

    ix = get_index()
    ids = _ranked_idea_ids(db.session)
    proposal_ids = db.session.scalars(sa.select(Proposal.id).order_by(Proposal.id.desc())).all()
    if procs is None:
        procs = (os.cpu_count() or 1) if len(ids) > PARALLEL_FROM else 1
    w = _ParallelWriter(ix, procs=procs, batchsize=PARALLEL_BATCH, multisegment=True, timeout=WRITE_TIMEOUT,
                        delay=0.05) if procs > 1 else writer(ix)
    try:
        for start in range(0, len(proposal_ids), batch):
            with Session(db.engine) as session:
                _add(w, _proposal_documents(session, proposal_ids[start:start + batch]), procs)
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            with Session(db.engine) as session:
                docs, _gone = _documents(session, chunk)
            order = {idea_id: n for n, idea_id in enumerate(chunk)}
            _add(w, sorted(docs, key=lambda d: order[d["id"]]), procs)
            if progress:
                progress(len(chunk))
    except Exception:
        w.cancel()
        raise
    w.commit(mergetype=CLEAR)
    return len(ids) + len(proposal_ids)


def _add(w, docs: list[dict], procs: int) -> None:
    """Add documents: analyzed here in one batch, or handed to the writer's processes, which do the same."""
    if procs > 1:
        for doc in docs:
            w.add_document(**doc)
        return
    with primed(text for doc in docs for text in _analyzed_texts(doc)):
        for doc in docs:
            w.add_document(**doc)


def _analyzed_texts(doc: dict):
    """The texts of a document Kiwi analyzes (for a batch analysis ahead of indexing it)."""
    return (doc["title"], doc["summary"], doc["body"], doc["comments"])


class _SubWriter(SubWriterTask):
    """A reindexing process: its own Kiwi, and each job's texts analyzed in one batch."""

    def run(self):
        """Forget the Kiwi inherited from the parent, then index as Whoosh does."""
        forget_kiwi(threads=1)
        super().run()

    def _process_file(self, filename, doc_count):
        tempstorage = self.writer.temp_storage()
        with tempstorage.open_file(filename).raw_file() as f:
            jobs = [pickle.load(f) for _ in range(doc_count)]
        with primed(text for _code, fields in jobs for text in _analyzed_texts(fields)):
            for _code, fields in jobs:
                self.writer.add_document(**fields)
        tempstorage.delete_file(filename)


class _ParallelWriter(MpWriter):
    """Whoosh's multi-process writer with `_SubWriter` processes."""

    def _new_task(self):
        task = _SubWriter(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                          self.multisegment)
        self.tasks.append(task)
        task.start()
        return task
