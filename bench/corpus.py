"""Korean text for benchmark data: real sentences recombined, so word frequencies are those of real Korean.

The sentences come from the policy paper in ../shared/reference/*.txt and the demo content in
app/demo/content.py. Sentences are drawn with Zipf-like weights (a fixed shuffle decides which
are common), so some words turn up in many ideas and some in few, as in a real corpus.
Not a script: bench/data.py uses it.
"""
import random
import re
from itertools import accumulate
from pathlib import Path

from app.demo.content import ANSWERS, COMMENTS, IDEA_SEEDS, PLACES, REPLIES, SITUATIONS, WITNESSES

REFERENCE_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "reference"
#: a sentence ends after a period (or ?/!) followed by a space
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=\S)")
#: a bullet starts a new item even without a blank line before it
_BULLET = re.compile(r"\n(?=\s*[-○□•▪◦●◎※])")
_MARKERS = " -○□•▪◦●◎※\t\u3000"
_FOOTNOTE = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+⁾?|\d+\)$")
_HANGUL = re.compile(r"[가-힣]")
#: lines of the paper that are captions, sources or footnotes rather than prose
_NOT_PROSE = re.compile(r"^(자료|출처|주\s*:|<|\[|\d+\)|그림|표\s*\d)|\t|https?://|@")


def _prose(text: str) -> list[str]:
    """The sentences of a text that read as prose (enough Hangul, a sane length); wrapped lines rejoined."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        for item in _BULLET.split(block):
            if "\t" in item:  # table rows
                continue
            item = " ".join(item.split()).strip(_MARKERS)
            for part in _SENTENCE_END.split(item):
                s = _FOOTNOTE.sub("", part).strip(_MARKERS)
                if 15 <= len(s) <= 250 and len(_HANGUL.findall(s)) >= 10 and not _NOT_PROSE.search(s):
                    out.append(s if s.endswith((".", "?", "!")) else s + ".")
    return out


#: how authors place the problem, one of them per idea (or none)
SETTINGS = [
    "{city} {place}에서는 {when} {who} 특히 이런 불편을 겪습니다.",
    "{when} {city} {place} 주변의 {who} 자주 이야기하는 문제입니다.",
    "{city} {place}에 사는 주민으로서 {when} 이 문제를 직접 봅니다.",
    "{place} 일대는 {when} 사정이 더 나빠집니다.",
    "", "",
]


def reference_sentences() -> list[str]:
    """Every prose sentence of the policy paper(s) in ../shared/reference."""
    sentences = []
    for path in sorted(REFERENCE_DIR.glob("*.txt")):
        sentences += _prose(path.read_text(encoding="utf-8"))
    return sentences


def _weights(n: int) -> list[float]:
    """Cumulative Zipf weights 1/(rank + 20) for n items in the order given: the commonest is picked
    about 1.5% of the time, the rarest 20 times less often."""
    return list(accumulate(1.0 / (rank + 20) for rank in range(n)))


class Corpus:
    """Titles, summaries, bodies, comments and answers made of real Korean sentences."""

    def __init__(self, rng: random.Random):
        """Collect and shuffle the sentences; the shuffle (from rng) decides which are common."""
        self.rng = rng
        self.seeds = [(code, seed) for code, items in IDEA_SEEDS.items() for seed in items]
        paper = reference_sentences()
        demo = [s for _c, seed in self.seeds for s in seed[1:]]
        self.sentences = paper + demo
        rng.shuffle(self.sentences)
        self._cum = _weights(len(self.sentences))
        self.short = [s for s in self.sentences if len(s) <= 120]
        self._short_cum = _weights(len(self.short))
        self.places = PLACES

    def sentence(self) -> str:
        """One sentence, common ones more often."""
        return self.rng.choices(self.sentences, cum_weights=self._cum)[0]

    def short_sentence(self) -> str:
        """One sentence of at most 120 characters."""
        return self.rng.choices(self.short, cum_weights=self._short_cum)[0]

    def _clause(self, max_chars: int) -> str:
        """The opening words of a sentence, cut at a word boundary, without its ending."""
        words = self.short_sentence().rstrip(".?!").split()
        out = []
        for w in words:
            if len(" ".join(out + [w])) > max_chars:
                break
            out.append(w)
        return " ".join(out) or words[0][:max_chars]

    def idea(self, municipality_code: str, municipality_name: str) -> tuple[str, str, str, str]:
        """(category code, title, summary, body) for an idea in this municipality."""
        rng = self.rng
        category, (seed_title, seed_summary, problem, proposal) = self.seeds[rng.randrange(len(self.seeds))]
        place = rng.choice(self.places[municipality_code])
        when, who = rng.choice(SITUATIONS), rng.choice(WITNESSES)
        kind = rng.random()
        if kind < 0.45:
            title = f"{place} {seed_title}"
        elif kind < 0.75:
            title = f"{municipality_name} {self._clause(50)}"
        else:
            title = f"{seed_title}: {self._clause(40)}"
        summary = (f"{municipality_name} {place}: {seed_summary}" if rng.random() < 0.5 else self.sentence())
        extra = " ".join(self.sentence() for _ in range(rng.randint(1, 4)))
        more = " ".join(self.sentence() for _ in range(rng.randint(1, 4)))
        where = rng.choice(SETTINGS).format(city=municipality_name, place=place, when=when, who=who)
        problem_text = " ".join(filter(None, (problem, where, extra)))
        if rng.random() < 0.4:  # some write in sections, most do not
            body = f"## 문제\n\n{problem_text}\n\n## 제안\n\n{proposal} {more}"
        else:
            body = f"{problem_text}\n\n{proposal} {more}"
        if rng.random() < 0.3:
            body += f"\n\n- {self.short_sentence()}\n- {self.short_sentence()}"
        return category, title[:120].strip(), summary[:300].strip(), body

    def comment(self) -> str:
        """A citizen's comment: a demo comment, a sentence of the paper, or both."""
        r = self.rng.random()
        if r < 0.4:
            return self.rng.choice(COMMENTS)
        if r < 0.7:
            return self.short_sentence()
        return f"{self.rng.choice(COMMENTS)} {self.short_sentence()}"

    def reply(self) -> str:
        """A reply in a thread."""
        return self.rng.choice(REPLIES) if self.rng.random() < 0.5 else self.short_sentence()

    def answer(self, city: str) -> str:
        """The stewards' official answer."""
        return f"{self.rng.choice(ANSWERS).format(city=city)} {self.sentence()}"

    def paragraph(self, n: int = 3) -> str:
        """A few sentences."""
        return " ".join(self.sentence() for _ in range(n))
