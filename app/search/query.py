"""Queries: full-text search with facets and highlights, and similar ideas."""
from dataclasses import dataclass, field

import nh3
from markupsafe import Markup
from whoosh import sorting
from whoosh.highlight import HtmlFormatter, PinpointFragmenter
from whoosh.query import And, ConstantScoreQuery, Not, Or, Term

from app.search.analyzer import korean_analyzer
from app.search.index import searcher as cached_searcher

FIELDS = ("title", "summary", "body", "comments")
FACETS = ("category", "municipality", "status")
MAX_QUERY_CHARS = 200
MAX_TERMS = 24
_analyzer = None


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
        # A restriction every document meets (say, type=idea while only ideas are indexed) is skipped.
        total_docs = searcher.doc_count()
        restrict = [r for r in restrict if searcher.doc_frequency(r.fieldname, r.text) < total_docs]
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


def similar_ideas(text: str, *, exclude_id: int | None = None, limit: int = 5) -> list[dict]:
    """Ideas on the board that look like this text (title and summary), best first."""
    with cached_searcher() as searcher:
        keys = [w for w, _score in searcher.key_terms_from_text("title", (text or "")[:2000], numterms=12)]
        keys += [w for w in terms(text) if w not in keys][:12]
        if not keys:
            return []
        query = Or([Term(f, w) for w in keys for f in ("title", "summary", "body")])
        restrict = [Term("type", "idea"), Or([Term("status", s) for s in ("open", "shortlisted", "adopted")])]
        if exclude_id is not None:
            restrict.append(Not(Term("key", f"idea:{exclude_id}")))
        hits = searcher.search(And([query, *[ConstantScoreQuery(r, 0.0) for r in restrict]]), limit=limit)
        return [{"id": h["id"], "title": h["title"], "summary": h["summary"], "status": h["status"],
                 "support_count": h["support_count"], "score": round(h.score, 3)} for h in hits]
