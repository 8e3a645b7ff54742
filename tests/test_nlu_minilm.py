"""The numpy all-MiniLM-L6-v2 (nlu/minilm.py) and its Rasa featurizer (nlu/featurizer.py)."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from nlu.minilm import MAX_WORD_PIECES, MiniLM, ModelNotInstalled, package_zip, token_vectors

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def encoder() -> MiniLM:
    return MiniLM.shared()


def test_matches_the_reference_similarities_of_sentence_transformers(encoder):
    # sentence-transformers' quickstart (sbert.net) prints these cosine similarities for all-MiniLM-L6-v2:
    # tensor([[1.0000, 0.6660, 0.1046], [0.6660, 1.0000, 0.1411], [0.1046, 0.1411, 1.0000]])
    vectors = encoder.embed(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    assert vectors.shape == (3, 384)
    expected = np.array([[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]])
    np.testing.assert_allclose(vectors @ vectors.T, expected, atol=5e-4)


def test_vectors_are_unit_length_and_deterministic(encoder):
    first = encoder.embed(["where is my order?", "hi", ""])
    again = encoder.embed(["where is my order?", "hi", ""])
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(first, again)
    assert encoder.embed([]).shape == (0, 384)


def test_meaning_beats_spelling_for_words_the_training_data_may_lack(encoder):
    # what the featurizer is for: "farewell" shares almost no character n-gram with "goodbye", yet means it
    bye, order, farewell = encoder.embed(["goodbye", "where is my order", "farewell"])
    assert farewell @ bye > 0.8
    assert farewell @ order < 0.3


def test_long_text_is_truncated_not_refused(encoder):
    encoded = encoder.encode("refund " * 2000)
    assert encoded.states.shape == (MAX_WORD_PIECES, 384)
    assert np.isfinite(encoded.sentence).all()


def test_token_vectors_average_the_pieces_of_each_word(encoder):
    text = "unboxing headphones"
    encoded = encoder.encode(text)
    pieces = [(s, e) for s, e in encoded.offsets if e > s]
    assert len(pieces) > 2, "both words should split into several word pieces"
    vectors = token_vectors(encoded, [(0, 8), (9, 19), (40, 45)])
    first_word = [i for i, (s, e) in enumerate(encoded.offsets) if e > s and s < 8]
    np.testing.assert_allclose(vectors[0], encoded.states[first_word].mean(0), rtol=1e-6)
    assert not np.allclose(vectors[0], vectors[1])
    # a span no piece falls in gets the sentence vector rather than zeros
    np.testing.assert_allclose(vectors[2], encoded.sentence)


def _zip_with(tmp_path, weights: bytes):
    source = package_zip()
    path = tmp_path / "model.zip"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as dst:
        dst.writestr("config.json", src.read("config.json"))
        dst.writestr("tokenizer.json", src.read("tokenizer.json"))
        dst.writestr("model.safetensors", weights)
    return path


def test_weights_that_are_not_the_published_ones_are_refused(tmp_path):
    from safetensors.numpy import save

    fake = save({"embeddings.word_embeddings.weight": np.zeros((2, 2), dtype=np.float32)})
    with pytest.raises(ModelNotInstalled, match="SHA-256"):
        MiniLM.from_zip(_zip_with(tmp_path, fake))


def test_a_broken_archive_gives_a_clear_error(tmp_path):
    path = tmp_path / "model.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(ModelNotInstalled, match="cannot read the sentence encoder"):
        MiniLM.from_zip(path)
    with zipfile.ZipFile(tmp_path / "partial.zip", "w") as archive:
        archive.writestr("config.json", json.dumps({"hidden_size": 384}))
    with pytest.raises(ModelNotInstalled, match="model.safetensors"):
        MiniLM.from_zip(tmp_path / "partial.zip")


# --- the Rasa component --------------------------------------------------------------------------------------
def _tokenized(text: str):
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    return message


def test_featurizer_adds_one_vector_per_token_and_one_per_sentence(encoder):
    from rasa.shared.nlu.training_data.message import Message

    from nlu.featurizer import MiniLMFeaturizer

    featurizer = MiniLMFeaturizer(MiniLMFeaturizer.get_default_config(), "minilm", encoder)
    message = _tokenized("is the Lumora camera waterproof?")
    intent_only = Message(data={"intent": "greet"})
    featurizer.process([message, intent_only])

    sequence, sentence = message.get_dense_features("text")
    assert sequence.features.shape == (5, 384)  # is / the / Lumora / camera / waterproof
    assert sentence.features.shape == (1, 384)
    np.testing.assert_allclose(sentence.features[0], encoder.encode("is the Lumora camera waterproof?").sentence)
    assert intent_only.features == []


def test_featurizer_config_is_checked():
    from nlu.featurizer import MiniLMFeaturizer

    with pytest.raises(ValueError, match="sequence_features"):
        MiniLMFeaturizer.validate_config({"sequence_features": "yes"})
