"""The offline default embedder: feature hashing, deterministic, no model download.

A text becomes the bag of its normalised word unigrams and adjacent-word bigrams (stopwords
dropped, light suffix stemming), each weighted by sublinear term frequency ``1 + ln(tf)``
(bigrams at ``BIGRAM_WEIGHT``), hashed with BLAKE2b into ``EMBEDDING_DIM`` signed buckets (the
"hashing trick": the hash picks a bucket and a sign, so collisions cancel out on average), then
L2-normalised. Cosine similarity between two such vectors is a smoothed lexical overlap; it is
what the retrieval evaluation measures (`python -m chronos_app.evaluation`).

The vector of a text without any word (empty, only punctuation) cannot be the zero vector: its
cosine distance is undefined (NaN in pgvector). Such texts get ``EMPTY_VECTOR``, a fixed unit
vector with every component ``±1/sqrt(dim)`` (signs from the hash of the index), which is nearly
orthogonal to every real text vector. A text made only of stopwords is embedded from its
stopwords instead, so it still matches itself.

Changing the tokeniser, the stemmer, the stopwords or the hashing changes every vector: bump
``MODEL`` so chunks embedded by an older version are recognised (video_chunks.embedding_model).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from chronos_app.ai.base import EMBEDDING_DIM

__all__ = ["BIGRAM_WEIGHT", "EMPTY_VECTOR", "MODEL", "STOPWORDS", "LocalEmbedder",
           "content_terms", "stem", "tokenize"]

MODEL = "local-hash-v1"
BIGRAM_WEIGHT = 0.5

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

STOPWORDS = frozenset("""
a about above after again against all almost also am an and any are aren around as at be
because been before being below between both but by can cannot could couldn did didn do does
doesn doing don down during each either else even ever every few for from further get gets
getting go goes going gonna got had hadn has hasn have haven having he her here hers herself
him himself his how however i if in into is isn it its itself just let ll me might more most
much must mustn my myself need no nor not now of off oh ok okay on once only or other our ours
ourselves out over own re really right s same say says shall she should shouldn so some still
such t than that the their theirs them themselves then there these they this those though
through to too uh um under until up upon us ve very was wasn we well were weren what when where
whether which while who whom whose why will with won would wouldn yeah yes yet you your yours
yourself yourselves
""".split())

_SUFFIXES = ("ational", "ization", "fulness", "ousness", "iveness", "ations", "ation", "ments",
             "ment", "ingly", "edly", "ness", "ings", "ing", "ies", "ied", "ers", "ed", "er",
             "ly", "es", "s")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, deterministic suffix stripper (not Porter): plural/-ing/-ed/-ly/... folded."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            root = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return root + "y"
            if suffix in ("ing", "ed", "er", "ings", "ers") and len(root) > 3 \
                    and root[-1] == root[-2] and root[-1] not in "lsz":
                root = root[:-1]  # running -> run, stopped -> stop
            if suffix == "es" and not root.endswith(("s", "x", "z", "ch", "sh")):
                continue  # images -> image (the "s" rule), but boxes -> box
            if suffix == "s" and root.endswith(("s", "u", "i")):
                return word  # class, focus, analysis: not plurals
            return root
    return word


def tokenize(text: str) -> list[str]:
    """Lowercased words (NFKC, accents folded, possessive 's dropped), in order."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    words = []
    for match in _WORD.finditer(text):
        word = match.group().replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        elif "'" in word:  # don't -> don, it'll -> it: both stopwords
            word = word.split("'", 1)[0]
        if word:
            words.append(word)
    return words


def content_terms(text: str) -> list[str]:
    """Stemmed non-stopword tokens, in order (what the unigram features are built from)."""
    return [stem(w) for w in tokenize(text) if w not in STOPWORDS]


@lru_cache(maxsize=262144)
def _bucket(feature: str, dim: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dim, (1.0 if (value >> 63) & 1 else -1.0)


def _features(text: str) -> Counter[str]:
    words = tokenize(text)
    terms = [stem(w) for w in words if w not in STOPWORDS]
    if not terms:  # only stopwords: better than the empty vector for e.g. "what is it?"
        terms = words
    counts: Counter[str] = Counter(terms)
    counts.update(f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False))
    return counts


def _empty_vector(dim: int) -> np.ndarray:
    signs = np.array([_bucket(f"\x00empty{i}", 2)[1] for i in range(dim)])
    return signs / math.sqrt(dim)


EMPTY_VECTOR: tuple[float, ...] = tuple(_empty_vector(EMBEDDING_DIM).tolist())


class LocalEmbedder:
    """Hashed bag-of-words vectors: instant, offline, identical on every machine."""

    model: str = MODEL
    dimensions: int = EMBEDDING_DIM

    def __init__(self, dimensions: int = EMBEDDING_DIM) -> None:
        self.dimensions = dimensions
        self._empty = np.asarray(EMPTY_VECTOR if dimensions == EMBEDDING_DIM
                                 else _empty_vector(dimensions))

    def embed_array(self, texts: Sequence[str] | Iterable[str]) -> np.ndarray:
        """The vectors as a float64 array of shape (len(texts), dimensions), rows unit-length."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dimensions))
        for row, text in enumerate(texts):
            for feature, tf in _features(text or "").items():
                index, sign = _bucket(feature, self.dimensions)
                weight = 1.0 + math.log(tf)
                out[row, index] += sign * (weight * BIGRAM_WEIGHT if " " in feature else weight)
        norms = np.linalg.norm(out, axis=1)
        empty = norms == 0.0  # no words, or (vanishingly rare) every feature cancelled out
        out[empty] = self._empty
        norms[empty] = 1.0
        out /= norms[:, None]
        return out

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()
