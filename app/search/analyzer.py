"""The Korean-first analyzer: Kiwi morphemes, dictionary forms, English lowercased and stemmed.

Whoosh pickles the schema with the index, so this module must be importable wherever the index
is opened, and the tokenizer holds no Kiwi instance: Kiwi is loaded lazily, once per process.
"""
import threading

from whoosh.analysis import LowercaseFilter, StemFilter, StopFilter, Token, Tokenizer

_kiwi = None
_kiwi_lock = threading.Lock()

#: nouns (general, proper, numerals), roots, foreign words, numbers, hanja
NOUN_LIKE = ("NNG", "NNP", "NR", "XR", "SL", "SN", "SH")
#: verbs and adjectives: indexed in dictionary form (stem + 다)
PREDICATES = ("VV", "VA")
#: a query or document longer than this is cut: nobody searches with a book
MAX_CHARS = 100_000


def kiwi():
    """The process's Kiwi tokenizer, loaded on first use (about a second)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def morphemes(text: str):
    """(term, start, end) for each searchable morpheme in the text."""
    for tok in kiwi().tokenize(text[:MAX_CHARS]):
        tag = tok.tag.split("-")[0]  # VV-I (irregular) -> VV
        if tag in NOUN_LIKE:
            yield tok.form, tok.start, tok.start + tok.len
        elif tag in PREDICATES:
            yield tok.form + "다", tok.start, tok.start + tok.len


class KiwiTokenizer(Tokenizer):
    """Whoosh tokenizer yielding Kiwi morphemes with their character offsets (for highlighting)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost, token.stopped = 1.0, False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for pos, (term, start, end) in enumerate(morphemes(value)):
            token.text = term
            token.boost, token.stopped = 1.0, False
            if keeporiginal:
                token.original = term
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def korean_analyzer():
    """Kiwi morphemes, lowercased, English stop words dropped (single-syllable Korean nouns kept), stemmed."""
    return KiwiTokenizer() | LowercaseFilter() | StopFilter(minsize=1) | StemFilter()
