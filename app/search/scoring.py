"""BM25F as Whoosh scores it, reading each document's field length from a list kept per segment.

Whoosh's scorer looks the length up through five calls per posting (searcher, reader, per-document
reader, column, byte decoding); a query scores up to `CANDIDATES` documents in several fields, so
that lookup was a quarter of a search. A segment never changes, so its decoded lengths are read once
per process and field (about 35 ms for 50,000 documents) and kept, the most recent `SEGMENT_FIELDS`
of them. The arithmetic is Whoosh's `bm25`, written out in the same order, so scores are equal to
the last bit (tests/test_search_bounds.py compares them).
"""
import threading
from collections import OrderedDict

from whoosh import scoring

#: (segment, field) length lists kept per process
SEGMENT_FIELDS = 128
_lengths: OrderedDict = OrderedDict()
_lock = threading.Lock()


def field_lengths(reader, fieldname: str) -> list[int]:
    """Every document's length in the field, for one segment's reader (a reader of no segment: not kept)."""
    segment = getattr(reader, "segment", None)
    key = (segment().segid, fieldname) if segment else None
    with _lock:
        lengths = _lengths.get(key) if key else None
        if lengths is not None:
            _lengths.move_to_end(key)
            return lengths
    lengths = [reader.doc_field_length(docnum, fieldname, 1) for docnum in range(reader.doc_count_all())]
    if key:
        with _lock:
            _lengths[key] = lengths
            if len(_lengths) > SEGMENT_FIELDS:
                _lengths.popitem(last=False)
    return lengths


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
