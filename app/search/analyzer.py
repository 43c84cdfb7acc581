"""The Korean-first analyzers: Kiwi morphemes, dictionary forms, English lowercased and stemmed.

Besides the search analyzer there are two narrow ones: place names (each name analyzed on its own)
and title pairs, the syllable pairs of a title's nouns, with which similar ideas are found however
Kiwi happens to split a compound ("수원역" is one noun alone, "수원" + "역" before "주변").

Whoosh pickles the schema with the index, so this module must be importable wherever the index
is opened, and the tokenizer holds no Kiwi instance: Kiwi is loaded lazily, once per process.
"""
import threading
from contextlib import contextmanager
from functools import lru_cache

from whoosh.analysis import LowercaseFilter, StemFilter, StopFilter, Token, Tokenizer

_kiwi = None
_kiwi_lock = threading.Lock()
#: Kiwi instances a forked child inherited and must never free (see `forget_kiwi`)
_inherited: list = []
#: Kiwi's tokens for texts analyzed ahead in one batch (`primed`); read instead of analyzing again
_primed: dict[str, list] = {}
#: Kiwi's worker threads: None for one per core; a reindexing process, one of one per core, takes one
_threads: int | None = None

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

                _kiwi = Kiwi(num_workers=_threads)
    return _kiwi


def forget_kiwi(threads: int | None = None) -> None:
    """Make this process load its own Kiwi (a forked child must: Kiwi's threads do not survive a fork).

    The inherited instance is kept, never freed: its destructor would wait for threads that only
    the parent has, and hang the child. `threads`: the new Kiwi's worker threads (None: one per core);
    a reindex runs one process per core, each with one thread (8,000 ideas: 55 s instead of 63 s).
    """
    global _kiwi, _threads
    _threads = threads
    if _kiwi is not None:
        _inherited.append(_kiwi)
    _kiwi = None
    _primed.clear()


@contextmanager
def primed(texts):
    """Analyze these texts in one batch call to Kiwi, and let the analyzers read the tokens while inside."""
    todo = list(dict.fromkeys(t[:MAX_CHARS] for t in texts if t and t[:MAX_CHARS] not in _primed))
    for text, tokens in zip(todo, kiwi().tokenize(todo)):
        _primed[text] = tokens
    try:
        yield
    finally:
        _primed.clear()


def _tokens(text: str):
    """Kiwi's tokens for the text, primed or analyzed now."""
    if not text:
        return ()  # Kiwi takes about half a millisecond to say so (a reindex meets many ideas without comments)
    text = text[:MAX_CHARS]
    tokens = _primed.get(text)
    return tokens if tokens is not None else kiwi().tokenize(text)


def morphemes(text: str):
    """(term, start, end) for each searchable morpheme in the text."""
    for tok in _tokens(text):
        tag = tok.tag.split("-")[0]  # VV-I (irregular) -> VV
        if tag in NOUN_LIKE:
            yield tok.form, tok.start, tok.start + tok.len
        elif tag in PREDICATES:
            yield tok.form + "다", tok.start, tok.start + tok.len


def noun_runs(text: str):
    """(run, start, end) for each run of adjacent Korean nouns joined back together, and each English word."""
    run, start, end = [], 0, 0
    for tok in _tokens(text):
        tag = tok.tag.split("-")[0]
        korean = tag in NOUN_LIKE and tag not in ("SL", "SN")
        if run and not (korean and tok.start == end):
            yield "".join(run), start, end
            run = []
        if korean:
            if not run:
                start = tok.start
            run.append(tok.form)
            end = tok.start + tok.len
        elif tag == "SL":
            yield tok.form, tok.start, tok.start + tok.len
    if run:
        yield "".join(run), start, end


def syllable_pairs(text: str):
    """(gram, start, end): syllable pairs of each Korean noun run (a one-syllable run whole), and English words."""
    for run, start, end in noun_runs(text):
        if len(run) < 2 or run.isascii():
            yield run, start, end
            continue
        for i in range(len(run) - 1):
            # offsets of a joined run match the text only approximately; grams are never highlighted
            yield run[i:i + 2], min(start + i, end), min(start + i + 2, end)


class KiwiTokenizer(Tokenizer):
    """Whoosh tokenizer yielding Kiwi morphemes with their character offsets (for highlighting)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def terms(self, value: str):
        """(term, start, end) for each term of the value."""
        return morphemes(value)

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
        for pos, (term, start, end) in enumerate(self.terms(value)):
            token.text = term
            token.boost, token.stopped = 1.0, False
            if keeporiginal:
                token.original = term
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


class PlaceTokenizer(KiwiTokenizer):
    """Names separated by "|", each analyzed alone (in a list Kiwi may read "여주" as 여 + 주)."""

    def terms(self, value: str):
        """Morphemes of each name, with offsets into the whole value."""
        offset = 0
        for name in value.split("|"):
            for term, start, end in _name_morphemes(name):
                yield term, offset + start, offset + end
            offset += len(name) + 1


@lru_cache(maxsize=512)
def _name_morphemes(name: str) -> tuple:
    """A place name's morphemes, kept: the same few dozen names come with every document."""
    return tuple(morphemes(name))


class SyllablePairTokenizer(KiwiTokenizer):
    """Syllable pairs of the nouns (see `syllable_pairs`)."""

    def terms(self, value: str):
        """The value's syllable pairs."""
        return syllable_pairs(value)


def korean_analyzer():
    """Kiwi morphemes, lowercased, English stop words dropped (single-syllable Korean nouns kept), stemmed."""
    return KiwiTokenizer() | LowercaseFilter() | StopFilter(minsize=1) | StemFilter()


def place_analyzer():
    """Place names ("용인시|용인|Yongin"): each name's terms as the search analyzer makes them."""
    return PlaceTokenizer() | LowercaseFilter() | StopFilter(minsize=1) | StemFilter()


def syllable_pair_analyzer():
    """Syllable pairs of nouns, English words lowercased and stemmed: for finding near duplicates."""
    return SyllablePairTokenizer() | LowercaseFilter() | StemFilter()
