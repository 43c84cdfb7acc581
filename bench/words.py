"""Search words picked from a built index by document frequency: common, middling and rare Korean terms.

Usage: .venv/bin/python bench/words.py --index DIR [--each 10]
Prints each class's words with the number of ideas that hold them (summed over the text fields). bench/web.py and
bench/search.py use `pick`.
"""
import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: Korean terms of two syllables or more (one-syllable terms are mostly particles' leftovers)
KOREAN = re.compile(r"[가-힣]{2,}")
FIELD = "body"
TEXT_FIELDS = ("title", "summary", "body", "comments")


def frequencies(index_dir: str) -> tuple[list[tuple[str, int]], int]:
    """(term, documents) for the Korean noun-like terms of the body field, commonest first; and the document count.

    A term's documents are summed over the searched text fields (an upper bound of the ideas it
    finds); terms that name a place are left out, since they find every idea of that city.
    """
    from whoosh import index

    ix = index.open_dir(index_dir)
    with ix.reader() as reader:
        body = [t.decode() if isinstance(t, bytes) else t for t, _info in reader.iter_field(FIELD)]
        # Verbs and adjectives are indexed as "stem + 다"; people search for nouns.
        body = [t for t in body if KOREAN.fullmatch(t) and not t.endswith("다")
                and not reader.doc_frequency("place", t)]
        terms = [(t, sum(reader.doc_frequency(f, t) for f in TEXT_FIELDS)) for t in body]
        docs = reader.doc_count()
    terms.sort(key=lambda item: (-item[1], item[0]))
    return terms, docs


def pick(index_dir: str, each: int = 1) -> dict[str, list[tuple[str, int]]]:
    """`each` common words (the most frequent), middling ones (nearest 1% of documents) and rare ones
    (the least frequent found in at least 2 documents)."""
    terms, docs = frequencies(index_dir)
    common = terms[:each]
    middle = sorted(terms[each:], key=lambda item: (abs(item[1] - docs / 100), item[0]))[:each]
    rare = sorted((item for item in terms if item[1] >= 2 and item not in middle),
                  key=lambda item: (item[1], item[0]))[:each]
    return {"common": common, "middling": middle, "rare": rare}


def main() -> None:
    """Pick and print."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", required=True)
    p.add_argument("--each", type=int, default=10)
    args = p.parse_args()
    terms, docs = frequencies(args.index)
    print(f"{docs:,} documents, {len(terms):,} Korean terms in '{FIELD}'")
    for kind, words in pick(args.index, args.each).items():
        print(f"{kind:9s} " + ", ".join(f"{w} ({n:,})" for w, n in words))


if __name__ == "__main__":
    main()
