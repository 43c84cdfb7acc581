"""Queries: full-text search with facets and highlights, and similar ideas.

The index's support counts are stale by design: a support changes a counter in SQL and is never
reindexed. `search()` answers from the index alone (so it is measured alone, bench/search.py);
whoever shows its hits puts the database's counts on them with `live_support_counts`, one query
per page. `similar_ideas` does it itself: its few items go straight to a page or the API.
"""
from dataclasses import dataclass, field

import nh3
import sqlalchemy as sa
from markupsafe import Markup
from whoosh import sorting
from whoosh.highlight import HtmlFormatter, PinpointFragmenter
from whoosh.query import And, ConstantScoreQuery, Not, Or, Term

from app.extensions import db
from app.search.analyzer import korean_analyzer, syllable_pair_analyzer
from app.search.index import searcher as cached_searcher

#: where a query's words are looked for; `place` holds the city's names (용인 finds 용인시's ideas)
FIELDS = ("title", "summary", "body", "comments", "place")
FACETS = ("category", "municipality", "status")
MAX_QUERY_CHARS = 200
MAX_TERMS = 24
#: similar ideas: statuses offered, candidates reranked, and the weights of the ranking
SIMILAR_STATUSES = ("open", "shortlisted", "adopted")
SIMILAR_POOL = 50
TITLE_WORD_BOOST = 2.0
TITLE_PAIR_BOOST = 1.0
SAME_CITY = 1.6
_analyzer = None
_pair_analyzer = None


@dataclass
class Hit:
    """One result."""

    id: int
    type: str
    title: str
    summary: str
    category: str
    municipality: str
    status: str
    support_count: int
    score: float
    highlight: Markup


@dataclass
class Results:
    """A page of results with facet counts over every match."""

    items: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 20
    facets: dict[str, dict[str, int]] = field(default_factory=lambda: {f: {} for f in FACETS})


def terms(text: str) -> list[str]:
    """The query's terms, analyzed like the documents; Lucene syntax is just text here."""
    global _analyzer
    _analyzer = _analyzer or korean_analyzer()
    seen: dict[str, None] = {}
    for token in _analyzer((text or "")[:MAX_QUERY_CHARS]):
        seen.setdefault(token.text, None)
    return list(seen)[:MAX_TERMS]


def _matching(words: list[str], every: bool):
    per_term = [Or([Term(f, w) for f in FIELDS]) for w in words]
    return And(per_term) if every else Or(per_term)


def _highlight(hit) -> Markup:
    for name in ("body", "summary", "title"):
        fragment = hit.highlights(name, top=2)
        if fragment:
            return Markup(nh3.clean(fragment, tags={"mark"}, attributes={}))
    return Markup("")


def _met_by_every_document(searcher, term) -> bool:
    """Whether a restriction can be skipped: say, type=idea while only ideas are indexed.

    Document frequencies count deleted documents until segments merge, so "as many as there are
    documents" proves nothing once a document was updated; only the absence of any other document does.
    """
    if term.fieldname == "type":
        return all(searcher.doc_frequency("type", other) == 0 for other in ("idea", "proposal") if other != term.text)
    if searcher.reader().has_deletions():
        return False
    return searcher.doc_frequency(term.fieldname, term.text) >= searcher.doc_count()


def live_support_counts(items):
    """Put the database's support counts on these hits (`Hit`s or dicts), one query per type; returns them.

    Call it on the page about to be shown, never on every match. A proposal shows its idea's
    supports; an item the database no longer has keeps the index's number.
    """
    from app.ideas.models import Idea
    from app.proposals.models import Proposal

    def kind(item):
        return item.type if isinstance(item, Hit) else item.get("type", "idea")

    for type_, select in (("idea", lambda ids: sa.select(Idea.id, Idea.support_count).where(Idea.id.in_(ids))),
                          ("proposal", lambda ids: sa.select(Proposal.id, Idea.support_count).join(
                              Idea, Idea.id == Proposal.idea_id).where(Proposal.id.in_(ids)))):
        chosen = [item for item in items if kind(item) == type_]
        if not chosen:
            continue
        ids = [item.id if isinstance(item, Hit) else item["id"] for item in chosen]
        counts = dict(db.session.execute(select(ids)).all())
        for item in chosen:
            if isinstance(item, Hit):
                item.support_count = counts.get(item.id, item.support_count)
            else:
                item["support_count"] = counts.get(item["id"], item["support_count"])
    return items


def search(text: str, *, type: str = "idea", filters: dict | None = None, page: int = 1, per_page: int = 20) -> Results:
    """Search in relevance order; every word must match, or, if nothing matches so, any word."""
    words = terms(text)
    results = Results(page=page, per_page=per_page)
    if not words:
        return results
    # Restrictions join the query rather than a filter: intersecting posting lists is cheap,
    # while a filter first builds the set of every document it allows.
    restrict = [Term("type", type)] + [Term(k, v) for k, v in (filters or {}).items() if v]
    facets = {name: sorting.FieldFacet(name, maptype=sorting.Count) for name in FACETS}
    with cached_searcher() as searcher:
        restrict = [r for r in restrict if not _met_by_every_document(searcher, r)]
        for every in (True, False):
            query = And([_matching(words, every), *[ConstantScoreQuery(r, 0.0) for r in restrict]])
            # Facets need every match but no scores; the page needs scores but only its top hits,
            # which lets Whoosh skip whole blocks of postings. Two cheap passes beat one full one.
            counted = searcher.search(query, limit=None, scored=False, sortedby=None, groupedby=facets)
            if len(counted) or not every:
                break
        results.total = len(counted)
        results.facets = {name: dict(counted.groups(name)) for name in FACETS}
        if not results.total or (page - 1) * per_page >= results.total:
            return results
        page_hits = searcher.search_page(query, page, pagelen=per_page)
        page_hits.results.formatter = HtmlFormatter(tagname="mark", between=" … ")
        page_hits.results.fragmenter = PinpointFragmenter(maxchars=160, surround=60, autotrim=True)
        for hit in page_hits:
            results.items.append(Hit(
                id=hit["id"], type=hit["type"], title=hit["title"], summary=hit["summary"],
                category=hit["category"], municipality=hit["municipality"], status=hit["status"],
                support_count=hit["support_count"], score=hit.score, highlight=_highlight(hit)))
    return results


def similar_ideas(text: str, *, exclude_id: int | None = None, limit: int = 5, title: str | None = None,
                  municipality: str | None = None) -> list[dict]:
    """Ideas on the board that look like this text (title and summary), best first.

    The title weighs most: its words, and the syllable pairs of its nouns, which find "수원역 주변
    자전거 보관소" for "수원역 자전거 보관대" however Kiwi splits the compounds. An idea in the same
    city (`municipality`, a code) counts more than one elsewhere. For an indexed idea (`exclude_id`),
    its own title and city are used unless given, so every caller ranks an idea's duplicates alike.
    """
    text = (text or "")[:2000]
    with cached_searcher() as searcher:
        if exclude_id is not None and (title is None or municipality is None):
            own = searcher.document(key=f"idea:{exclude_id}") or {}
            title = own.get("title", "") if title is None else title
            municipality = own.get("municipality") if municipality is None else municipality
        title = (title or "")[:MAX_QUERY_CHARS]
        title_words = terms(title)
        keys = [w for w, _score in searcher.key_terms_from_text("title", text, numterms=12)]
        keys += [w for w in terms(text) if w not in keys][:12]
        pairs = list(dict.fromkeys(_pair_terms(title or text[:MAX_QUERY_CHARS])))[:MAX_TERMS]
        if not keys and not pairs:
            return []
        query = Or([*(Term(f, w, boost=TITLE_WORD_BOOST if w in title_words else 1.0)
                      for w in dict.fromkeys(title_words + keys) for f in ("title", "summary", "body")),
                    *(Term("title_pairs", p, boost=TITLE_PAIR_BOOST) for p in pairs)])
        restrict = [Term("type", "idea"), Or([Term("status", s) for s in SIMILAR_STATUSES])]
        if exclude_id is not None:
            restrict.append(Not(Term("key", f"idea:{exclude_id}")))
        hits = searcher.search(And([query, *[ConstantScoreQuery(r, 0.0) for r in restrict]]), limit=SIMILAR_POOL)
        ranked = sorted(((h.score * (SAME_CITY if municipality and h["municipality"] == municipality else 1.0), h)
                         for h in hits), key=lambda pair: -pair[0])[:limit]
        items = [{"id": h["id"], "title": h["title"], "summary": h["summary"], "status": h["status"],
                  "support_count": h["support_count"], "score": round(score, 3)} for score, h in ranked]
    return live_support_counts(items)


def _pair_terms(text: str) -> list[str]:
    """The title-pair terms of a text, as the `title_pairs` field indexes them."""
    global _pair_analyzer
    _pair_analyzer = _pair_analyzer or syllable_pair_analyzer()
    return [token.text for token in _pair_analyzer(text)]
