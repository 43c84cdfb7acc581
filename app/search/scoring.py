"""BM25F as Whoosh scores it, reading each document's field length from a list kept per segment.

Whoosh's scorer looks the length up through five calls per posting (searcher, reader, per-document
reader, column, byte decoding); a query scores up to `CANDIDATES` documents in several fields, so
that lookup was a quarter of a search. A segment never changes, so its decoded lengths are read once
per process and field (about 35 ms for 50,000 documents) and kept, the most recent `SEGMENT_FIELDS`
of them. The arithmetic is Whoosh's `bm25`, written out in the same order, so scores are equal to
the last bit (tests/test_search_bounds.py compares them).
"""
from whoosh import scoring

from app.search.segments import SegmentCache

#: (segment, field) length lists kept per process
SEGMENT_FIELDS = 128
_lengths = SegmentCache(SEGMENT_FIELDS)


def field_lengths(reader, fieldname: str) -> list[int]:
    """Every document's length in the field, for one segment's reader (see `SegmentCache`)."""
    return _lengths.get(reader, fieldname, _read_lengths)


def _read_lengths(reader, fieldname: str) -> list[int]:
    return [reader.doc_field_length(docnum, fieldname, 1) for docnum in range(reader.doc_count_all())]


class KeptLengthsScorer(scoring.BM25FScorer):
    """Whoosh's BM25F scorer for one term in one segment, with the segment's lengths kept (`field_lengths`)."""

    def setup(self, searcher, fieldname, text):
        super().setup(searcher, fieldname, text)
        self._field_lengths = field_lengths(searcher.reader(), fieldname)
        self._k1_plus_1 = self.K1 + 1
        self._1_minus_b = 1 - self.B

    def score(self, matcher):
        """`scoring.bm25(idf, tf, fl, avgfl, B, K1)`, its operations in its order."""
        tf = matcher.weight()
        fl = self._field_lengths[matcher.id()]
        return self.idf * ((tf * self._k1_plus_1) / (tf + self.K1 * (self._1_minus_b + self.B * fl / self.avgfl)))


class KeptLengthsBM25F(scoring.BM25F):
    """BM25F (Whoosh's defaults: B 0.75, K1 1.2) scored with `KeptLengthsScorer`."""

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return KeptLengthsScorer(searcher, fieldname, text, self._field_B.get(fieldname, self.B), self.K1, qf=qf)
