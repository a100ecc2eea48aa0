"""Turning text into the terms the rankers count: words (folded, lightly stemmed) and
character n-grams. Pure Python, no data files: nothing is loaded at import or at run time."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

# Links, user handles and the "pic.twitter.com/…" trails of pasted posts carry no meaning a
# proposition could share; dropping them keeps them from matching each other by accident.
_NOISE = re.compile(r"https?://\S+|www\.\S+|pic\.twitter\.com/\S+|@\w+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Hashtags and run-together names: "AustralianFires" counts as "australian fires".
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Function words that say nothing about what a statement is about (English, the corpus
# language). Negations stay: "does not oppose" and "opposes" are different propositions.
_STOPWORD_LIST = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this
    those through to too under until up very was we were what when where which while who whom why
    will with would you your yours yourself yourselves s t also via amp rt
"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())

# Longest suffix first; each rule: suffix, replacement, shortest stem it may leave.
_SUFFIXES: tuple[tuple[str, str, int], ...] = (
    ("ational", "ate", 3),
    ("ization", "ize", 3),
    ("isation", "ize", 3),
    ("fulness", "ful", 3),
    ("iveness", "ive", 3),
    ("ements", "", 4),
    ("ement", "", 4),
    ("ments", "", 4),
    ("ment", "", 4),
    ("ation", "ate", 3),
    ("ities", "ity", 3),
    ("ising", "ize", 3),
    ("izing", "ize", 3),
    ("ised", "ize", 3),
    ("ized", "ize", 3),
    ("ises", "ize", 3),
    ("izes", "ize", 3),
    ("ness", "", 4),
    ("ally", "al", 3),
    ("ingly", "", 4),
    ("edly", "", 4),
    ("ies", "y", 2),
    ("ied", "y", 2),
    ("ing", "", 3),
    ("ers", "er", 3),
    ("ed", "", 3),
    ("ly", "", 4),
    ("es", "e", 3),
    ("s", "", 3),
)


def fold(text: str) -> str:
    """Case- and accent-folded text: "Türkiye's" and "turkiye's" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light English stemmer: strips common inflections so that "sanctions", "sanctioned"
    and "sanctioning" meet, without the aggressive conflations of a full Porter stemmer."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith(("ss", "us", "is")):
        return word
    for suffix, replacement, shortest in _SUFFIXES:
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(base) >= shortest:
                # "stopped" → "stop", "planning" → "plan": undouble a final consonant.
                if (
                    not replacement
                    and len(base) > 3
                    and base[-1] == base[-2]
                    and base[-1] not in "aeioulsz"
                ):
                    base = base[:-1]
                return base + replacement
            return word
    return word


def clean(text: str) -> str:
    """The text with links and handles removed and run-together words split."""
    return _CAMEL.sub(" ", _NOISE.sub(" ", text))


def words(text: str) -> list[str]:
    """The folded, stemmed content words of `text`, in order."""
    result = []
    for token in _WORD.findall(fold(clean(text))):
        if token in STOPWORDS or (len(token) == 1 and not token.isdigit()):
            continue
        result.append(stem(token))
    return result


def word_counts(text: str) -> Counter[str]:
    """How often each content word occurs in `text`."""
    return Counter(words(text))


def char_ngram_counts(text: str, sizes: tuple[int, ...] = (4,)) -> Counter[str]:
    """Character n-grams of each folded word, padded with a space at both ends so that word
    starts and ends count: robust to inflections, compounds and spelling variants."""
    counts: Counter[str] = Counter()
    for token in _WORD.findall(fold(clean(text))):
        if token in STOPWORDS:
            continue
        padded = f" {token} "
        for n in sizes:
            if len(padded) <= n:
                counts[padded] += 1
                continue
            for i in range(len(padded) - n + 1):
                counts[padded[i : i + n]] += 1
    return counts


def proposition_document(text: str, notes: str = "") -> str:
    """What the BM25 rankers index for a proposition: its wording and the editors' notes on
    what counts as supporting or contradicting it (they name the words claims use). The
    embeddings take the two apart (ranking.document_parts)."""
    return f"{text}\n{notes}" if notes else text
