"""Queries: full-text search with facets and highlights, and similar ideas.

Search work is bounded however many ideas there are: a query scores at most `CANDIDATES`
matches, taken in the index's order (newest segments first; a full reindex writes proposals,
then the ideas on the board newest first, then archived ideas newest first), so a common word
costs the same at 10,000 ideas as at a million. Below the cap the ranking, the total and the
facet counts are exact; past it they cover the first `CANDIDATES` matches, and `Results.capped`
says so. Snippets are made for the shown page only, from offsets the index keeps.

The index's support counts are stale by design: a support changes a counter in SQL and is never
reindexed. `search()` answers from the index alone (so it is measured alone, bench/search.py);
whoever shows its hits puts the database's counts on them with `live_support_counts`, one query
per page. `similar_ideas` does it itself: its few items go straight to a page or the API.
"""
import heapq
from collections import OrderedDict
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup
from whoosh.query import And, Or, Term

from app.extensions import db
from app.search.analyzer import korean_analyzer, syllable_pair_analyzer
from app.search.highlight import snippets
from app.search.index import searcher as cached_searcher
from app.search.scoring import field_lengths
from app.search.segments import SegmentCache

#: where a query's words are looked for; `place` holds the city's names (용인 finds 용인시's ideas)
FIELDS = ("title", "summary", "body", "comments", "place")
FACETS = ("category", "municipality", "status")
MAX_QUERY_CHARS = 200
MAX_TERMS = 24
#: matches scored per query at most (see the module's docstring); also the largest total reported
CANDIDATES = 1000
#: similar ideas: statuses offered, words and pairs asked for, candidates scored and reranked, the weights
SIMILAR_STATUSES = ("open", "shortlisted", "adopted")
SIMILAR_WORDS = 8
SIMILAR_PAIRS = 8
SIMILAR_CANDIDATES = 500
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
    """A page of results with facet counts over the matches scored.

    `capped`: more than `CANDIDATES` documents match, so `total` is `CANDIDATES` and the facets
    count those. `every`: every word matched (otherwise no document held them all, and these hold
    some). `scored` and `highlighted` say how much work the page took (at most `CANDIDATES` and
    the page's length).
    """

    items: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 20
    facets: dict[str, dict[str, int]] = field(default_factory=lambda: {f: {} for f in FACETS})
    capped: bool = False
    every: bool = True
    scored: int = 0
    highlighted: int = 0


def terms(text: str) -> list[str]:
    """The query's terms, analyzed like the documents; Lucene syntax is just text here."""
    global _analyzer
    _analyzer = _analyzer or korean_analyzer()
    seen: dict[str, None] = {}
    for token in _analyzer((text or "")[:MAX_QUERY_CHARS]):
        seen.setdefault(token.text, None)
    return list(seen)[:MAX_TERMS]


class Union(Or):
    """Or, matched in every segment as a tree of unions. Left to choose, Whoosh preloads the matches of a
    segment under 5,000 documents into a 2,048-slot array that it fills and clears in Python: 0.3 ms per
    word for each of the one-document segments that a live index's updates leave, more than the match."""

    matcher_type = Or.DEFAULT_MATCHER


def _matching(words: list[str], every: bool):
    per_term = [Union([Term(f, w) for f in FIELDS]) for w in words]
    return And(per_term) if every else Union(per_term)


def _restricted(query, restrict: list):
    """The query limited to documents with these terms, which add nothing to the score."""
    return And([query, *restrict]) if restrict else query


def _masked(searcher, type_: str) -> set[int] | None:
    """Document numbers of the other type, when they are few (proposals): cheaper to skip than to intersect."""
    if type_ != "idea" or ("type", "proposal") not in searcher.reader():
        return None
    return _cached(searcher, ("mask", "proposal"),
                   lambda: set(searcher.reader().postings("type", "proposal").all_ids()))


def scan(searcher, query, *, limit: int, mask: set[int] | None = None) -> tuple[list[tuple[float, int]], bool]:
    """(score, docnum) of the first `limit` matches, newest segments first; and whether more match.

    Scores are the index's weighting (BM25F) with the whole index's statistics. Each match costs a
    few microseconds, so `limit` bounds the time whatever the query and the index's size.
    """
    context = searcher.context()
    found: list[tuple[float, int]] = []
    for sub, offset in reversed(searcher.leaf_searchers()):
        matcher = query.matcher(sub, context)
        while matcher.is_active():
            docnum = matcher.id() + offset
            if mask is None or docnum not in mask:
                if len(found) == limit:
                    return found, True
                found.append((matcher.score(), docnum))
            matcher.next()
    return found, False


#: facet columns decoded whole, per segment and field: a segment never changes, and reading a decoded list
#: costs a tenth of decoding one value per match (the most recent `SEGMENT_COLUMNS` kept)
SEGMENT_COLUMNS = 64
_segment_columns = SegmentCache(SEGMENT_COLUMNS)


def _segment_column(reader, name: str) -> list:
    """A segment's values of a sortable field, one per document, decoded once per process and segment."""
    return _segment_columns.get(reader, name, lambda reader, name: list(reader.column_reader(name)))


def _facet_column(searcher, name: str) -> list:
    """The field's value for every document number of this searcher (its segments' lists joined, once)."""
    def join():
        joined: list = []
        for sub, _offset in searcher.leaf_searchers():
            joined += _segment_column(sub.reader(), name)
        return joined

    return _cached(searcher, ("facet", name), join)


def _facets(searcher, docnums) -> dict[str, dict[str, int]]:
    """Counts per facet value over these documents, read from the sortable columns."""
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    docnums = list(docnums)
    if not docnums:
        return counts
    for name in FACETS:
        column = _facet_column(searcher, name)
        tally: dict[str, int] = {}
        for docnum in docnums:
            value = column[docnum]
            tally[value] = tally.get(value, 0) + 1
        tally.pop("", None)
        counts[name] = tally
    return counts


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
    restrict = [Term(k, v, boost=0.0) for k, v in (filters or {}).items() if v]
    if type != "idea":
        restrict.append(Term("type", type, boost=0.0))
    with cached_searcher() as searcher:
        mask = _masked(searcher, type)
        for every in (True, False):
            found, results.capped = scan(searcher, _restricted(_matching(words, every), restrict),
                                         limit=CANDIDATES, mask=mask)
            if found or not every or len(words) == 1:
                break
        results.every, results.total, results.scored = every, len(found), len(found)
        results.facets = _facets(searcher, (docnum for _score, docnum in found))
        # best first; ties keep the index's order (newer and open ideas before archived ones)
        order = {docnum: n for n, (_score, docnum) in enumerate(found)}
        best = heapq.nlargest(page * per_page, found, key=lambda pair: (pair[0], -order[pair[1]]))
        shown = best[(page - 1) * per_page:]
        if not shown:
            return results
        stored = {docnum: searcher.stored_fields(docnum) for _score, docnum in shown}
        highlights = snippets(searcher, words, stored)
        results.highlighted = len(highlights)
        for score, docnum in shown:
            hit = stored[docnum]
            results.items.append(Hit(
                id=hit["id"], type=hit["type"], title=hit["title"], summary=hit["summary"],
                category=hit["category"], municipality=hit["municipality"], status=hit["status"],
                support_count=hit["support_count"], score=score, highlight=highlights[docnum]))
    return results


def warm() -> None:
    """Read once what every search reads per segment (field lengths, facet columns), before the first search."""
    with cached_searcher() as searcher:
        for sub, _offset in searcher.leaf_searchers():
            for name in FIELDS:
                field_lengths(sub.reader(), name)
        for name in FACETS:
            _facet_column(searcher, name)


#: answers a searcher keeps (similar ideas per idea page): the most recently asked, at most this many
SEARCHER_CACHE_SIZE = 4096


def _cached(searcher, key, make):
    """A value kept with this searcher, which lives until the index changes (the oldest dropped past the size)."""
    cache = searcher.__dict__.setdefault("_gops_cache", OrderedDict())
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    value = cache[key] = make()
    if len(cache) > SEARCHER_CACHE_SIZE:
        cache.popitem(last=False)
    return value


def _on_the_board(searcher) -> set[int]:
    """Document numbers of ideas similar ideas may come from (open, shortlisted, adopted): a few thousand."""
    reader = searcher.reader()
    return {docnum for status in SIMILAR_STATUSES if ("status", status) in reader
            for docnum in reader.postings("status", status).all_ids()} - (_masked(searcher, "idea") or set())


def _telling(searcher, field_names, candidates, weights, count: int) -> list[str]:
    """The `count` candidates that say most about a text: present in the index, rare there (idf), title words first.

    Words in more than a tenth of the documents (and more than 50) say little and cost much; they are left out.
    """
    documents = max(searcher.doc_count(), 1)
    telling = []
    for word in dict.fromkeys(candidates):
        frequency = max(searcher.doc_frequency(f, word) for f in field_names)
        if frequency and not (frequency > 50 and frequency > documents / 10):
            telling.append((weights.get(word, 1.0) * searcher.idf(field_names[0], word), word))
    return [word for _weight, word in sorted(telling, key=lambda pair: -pair[0])[:count]]


def similar_ideas(text: str, *, exclude_id: int | None = None, limit: int = 5, title: str | None = None,
                  municipality: str | None = None) -> list[dict]:
    """Ideas on the board that look like this text (title and summary), best first.

    The title weighs most: its words, and the syllable pairs of its nouns, which find "수원역 주변
    자전거 보관소" for "수원역 자전거 보관대" however Kiwi splits the compounds. An idea in the same
    city (`municipality`, a code) counts more than one elsewhere. For an indexed idea (`exclude_id`),
    its own title and city are used unless given, so every caller ranks an idea's duplicates alike.

    Bounded like search: the few most telling words and pairs (`SIMILAR_WORDS`, `SIMILAR_PAIRS`),
    ideas on the board only, at most `SIMILAR_CANDIDATES` scored.
    """
    text = (text or "")[:2000]
    with cached_searcher() as searcher:
        # the same question on the same index has the same answer: an idea page read often is answered once
        found = _cached(searcher, ("similar", text, exclude_id, limit, title, municipality),
                        lambda: _similar(searcher, text, exclude_id, limit, title, municipality))
    return live_support_counts([dict(item) for item in found])


def _similar(searcher, text: str, exclude_id, limit: int, title, municipality) -> tuple[dict, ...]:
    """`similar_ideas` on this searcher, with the index's support counts."""
    own_docnum = None
    if exclude_id is not None:
        own_docnum = searcher.document_number(key=f"idea:{exclude_id}")
        if own_docnum is not None and (title is None or municipality is None):
            own = searcher.stored_fields(own_docnum)
            title = own.get("title", "") if title is None else title
            municipality = own.get("municipality") if municipality is None else municipality
    title = (title or "")[:MAX_QUERY_CHARS]
    title_words = terms(title)
    words = _telling(searcher, ("title", "summary", "body"), title_words + terms(text),
                     {w: TITLE_WORD_BOOST for w in title_words}, SIMILAR_WORDS)
    pairs = _telling(searcher, ("title_pairs",), _pair_terms(title or text[:MAX_QUERY_CHARS]), {}, SIMILAR_PAIRS)
    if not words and not pairs:
        return ()
    query = Union([*(Term(f, w, boost=TITLE_WORD_BOOST if w in title_words else 1.0)
                  for w in words for f in ("title", "summary", "body")),
                   *(Term("title_pairs", p, boost=TITLE_PAIR_BOOST) for p in pairs)])
    board = _cached(searcher, "board", lambda: _on_the_board(searcher))
    found, _more = scan(searcher, query, limit=SIMILAR_CANDIDATES, mask=_NotIn(board, own_docnum))
    if not found:
        return ()
    cities = _facet_column(searcher, "municipality")
    ranked = heapq.nlargest(limit, ((score * (SAME_CITY if municipality and cities[docnum] == municipality else 1.0),
                                     -docnum) for score, docnum in found))
    items = []
    for score, negated in ranked:
        hit = searcher.stored_fields(-negated)
        items.append({"id": hit["id"], "title": hit["title"], "summary": hit["summary"], "status": hit["status"],
                      "support_count": hit["support_count"], "score": round(score, 3)})
    return tuple(items)


class _NotIn:
    """A mask for `scan`: everything outside `allowed`, and one more document."""

    def __init__(self, allowed: set[int], also: int | None):
        self.allowed, self.also = allowed, also

    def __contains__(self, docnum: int) -> bool:
        return docnum not in self.allowed or docnum == self.also


def _pair_terms(text: str) -> list[str]:
    """The title-pair terms of a text, as the `title_pairs` field indexes them."""
    global _pair_analyzer
    _pair_analyzer = _pair_analyzer or syllable_pair_analyzer()
    return [token.text for token in _pair_analyzer(text)]
