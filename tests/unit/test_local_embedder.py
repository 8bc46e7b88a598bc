"""The offline embedder: shape, unit length, determinism, and that it measures word overlap."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np

from chronos_app.ai.base import EMBEDDING_DIM, Embedder
from chronos_app.ai.local_embedder import EMPTY_VECTOR, LocalEmbedder, stem, tokenize


def _cos(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b))


def test_protocol_dimensions_and_unit_norm():
    embedder = LocalEmbedder()
    assert isinstance(embedder, Embedder)
    assert embedder.dimensions == EMBEDDING_DIM == 1536
    assert embedder.model.startswith("local-hash-v")
    vectors = embedder.embed(["Gradient descent adjusts the weights.", "Hello", "", "?!",
                              "the and of"])
    assert len(vectors) == 5
    for vector in vectors:
        assert len(vector) == 1536
        assert math.isclose(math.sqrt(sum(x * x for x in vector)), 1.0, rel_tol=1e-9)
        assert all(math.isfinite(x) for x in vector)


def test_empty_text_gets_the_fixed_unit_vector_not_zero():
    embedder = LocalEmbedder()
    empty, punctuation = embedder.embed(["", "  ...  "])
    assert empty == list(EMPTY_VECTOR) == punctuation
    assert any(empty)
    # nearly orthogonal to real text
    assert abs(_cos(empty, embedder.embed(["neural networks learn weights"])[0])) < 0.2


def test_deterministic_within_and_across_processes():
    text = "Backpropagation computes the gradient of the cost function."
    first = LocalEmbedder().embed([text])[0]
    assert first == LocalEmbedder().embed([text])[0]
    code = ("from chronos_app.ai.local_embedder import LocalEmbedder;"
            f"print(repr(LocalEmbedder().embed([{text!r}])[0][:64]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert eval(out.stdout) == first[:64]  # noqa: S307 - our own repr of floats


def test_similar_texts_are_closer_than_unrelated_ones():
    a, b, c = LocalEmbedder().embed([
        "The neural network learns its weights by gradient descent.",
        "Gradient descent is how a neural network learns the weights.",
        "Add a layer mask in Photoshop and paint the clouds with a soft brush.",
    ])
    assert _cos(a, b) > 0.5
    assert _cos(a, b) > _cos(a, c) + 0.3
    assert _cos(a, c) < 0.2


def test_question_matches_its_passage():
    passages = ["To save the image choose File, Save As, and pick the PNG format.",
                "The pen tool draws paths; close the path to make a selection.",
                "Use the clone stamp to remove the blemish from the portrait."]
    embedder = LocalEmbedder()
    q = embedder.embed_array(["how do I save my image as png?"])[0]
    scores = embedder.embed_array(passages) @ q
    assert int(np.argmax(scores)) == 0


def test_tokenize_and_stem():
    assert tokenize("Don't stop: it's Grant’s café!") == ["don", "stop", "it", "grant", "cafe"]
    assert stem("networks") == stem("network") == "network"
    assert stem("learning") == stem("learned") == "learn"
    assert stem("images") == "image" and stem("boxes") == "box" and stem("class") == "class"
