"""Snippets for the hits on one page, from the character offsets the index keeps: no text is analyzed again.

Each indexed text field stores, per term and document, where the term stands (`chars=True`), so
a snippet needs one posting lookup per field and query word for the page's documents, however
many documents matched.
"""
import nh3
from markupsafe import Markup
from whoosh.analysis import Token
from whoosh.highlight import FIRST, BasicFragmentScorer, HtmlFormatter, PinpointFragmenter, top_fragments

#: the fields a snippet is taken from, in the order tried
SNIPPET_FIELDS = ("body", "summary", "title")
_formatter = HtmlFormatter(tagname="mark", between=" … ")
_scorer = BasicFragmentScorer()


def _offsets(reader, field: str, words: list[str], docnums: list[int]) -> dict[int, list[tuple[str, int, int, int]]]:
    """docnum -> (word, position, start, end) of each query word in this field, for these documents only."""
    found: dict[int, list] = {}
    for word in words:
        if (field, word) not in reader:
            continue
        matcher = reader.postings(field, word)
        for docnum in docnums:  # ascending, so the matcher only moves forward
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                found.setdefault(docnum, []).extend(
                    (word, pos, start, end) for pos, start, end in matcher.value_as("characters"))
    return found


def snippets(searcher, words: list[str], hits: dict[int, dict]) -> dict[int, Markup]:
    """docnum -> a highlighted snippet for each of these hits (docnum -> stored fields); empty if no word shows."""
    reader = searcher.reader()
    docnums = sorted(hits)
    out = {docnum: Markup("") for docnum in docnums}
    missing = set(docnums)
    fragmenter = PinpointFragmenter(maxchars=160, surround=60, autotrim=True)
    for field in SNIPPET_FIELDS:
        if not missing:
            break
        for docnum, matches in _offsets(reader, field, words, sorted(missing)).items():
            text = hits[docnum].get(field) or ""
            tokens = sorted((Token(text=w, pos=pos, startchar=s, endchar=e, boost=1.0) for w, pos, s, e in matches
                             if e <= len(text)), key=lambda t: t.startchar)
            fragments = top_fragments(fragmenter.fragment_matches(text, tokens), 2, _scorer, FIRST)
            fragment = _formatter.format(fragments) if fragments else ""
            if fragment:
                out[docnum] = Markup(nh3.clean(fragment, tags={"mark"}, attributes={}))
                missing.discard(docnum)
    return out
