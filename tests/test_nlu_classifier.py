"""nlu/classifier.py: the linear intent classifier, trained, persisted and loaded through Rasa's model storage."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.classifier import LinearIntentClassifier, sentence_vector

pytestmark = pytest.mark.unit

RNG = np.random.default_rng(0)
CENTRES = {"greet": np.eye(8)[0], "goodbye": np.eye(8)[1], "order_status": np.eye(8)[2]}


def _message(intent, dense, counts=None):
    message = Message(data={TEXT: f"text for {intent}", "intent": intent})
    message.add_features(Features(np.asarray(dense, dtype=np.float32)[None, :], FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    if counts is not None:
        message.add_features(Features(scipy.sparse.coo_matrix(np.asarray(counts, dtype=float)[None, :]),
                                      FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    return message


def _data(n=12):
    examples = []
    for intent, centre in CENTRES.items():
        for _ in range(n):
            counts = np.zeros(5)
            counts[list(CENTRES).index(intent)] = RNG.integers(1, 4)
            examples.append(_message(intent, centre + RNG.normal(0, 0.3, 8), counts))
    return TrainingData(training_examples=examples)


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def _classifier(storage, **config):
    return LinearIntentClassifier.create({**LinearIntentClassifier.get_default_config(), **config}, storage,
                                         Resource("intents"), None)


def test_sentence_vector_scales_counts_and_keeps_dense_features():
    row = sentence_vector(_message("greet", [3.0, 4.0], counts=[0, 2, 0, 5]))
    values = row.toarray().ravel()
    sparse_part, dense_part = values[:4], values[4:]
    expected = np.log1p([0, 2, 0, 5])
    np.testing.assert_allclose(sparse_part, expected / np.linalg.norm(expected))
    np.testing.assert_allclose(dense_part, [3.0, 4.0])
    assert sentence_vector(Message(data={TEXT: "no features"})) is None


def test_sentence_features_are_rasas_combination_in_the_same_order():
    """Several featurizers of each kind, token-level features beside them: the sentence row is the one Rasa's own
    combination gives (column order included), and featurizer filtering works alike."""
    rng = np.random.default_rng(5)
    message = Message(data={TEXT: "four words in here"})
    for origin, width in (("regex", 3), ("counts", 6), ("chars", 4)):
        message.add_features(Features(scipy.sparse.coo_matrix(rng.integers(0, 3, size=(4, width)).astype(float)),
                                      FEATURE_TYPE_SEQUENCE, TEXT, origin))
        message.add_features(Features(scipy.sparse.coo_matrix(rng.integers(0, 3, size=(1, width)).astype(float)),
                                      FEATURE_TYPE_SENTENCE, TEXT, origin))
    for origin, width in (("minilm", 5), ("other", 2)):
        message.add_features(Features(rng.normal(size=(4, width)).astype(np.float32), FEATURE_TYPE_SEQUENCE, TEXT,
                                      origin))
        message.add_features(Features(rng.normal(size=(1, width)).astype(np.float32), FEATURE_TYPE_SENTENCE, TEXT,
                                      origin))
    for featurizers in (None, ["counts", "minilm"], ["chars", "regex", "other"]):
        sparse = message.get_sparse_features(TEXT, featurizers)[1].features.toarray()
        dense = np.asarray(message.get_dense_features(TEXT, featurizers)[1].features, dtype=np.float64)
        counts = np.log1p(sparse)
        expected = np.hstack([counts / np.linalg.norm(counts), dense])
        np.testing.assert_allclose(sentence_vector(message, featurizers).toarray(), expected, rtol=1e-6)


def test_learns_the_intents_and_ranks_them(storage):
    classifier = _classifier(storage, ranking_length=2)
    classifier.train(_data())
    probe = [_message(intent, centre + RNG.normal(0, 0.3, 8), np.eye(5)[i]) for i, (intent, centre)
             in enumerate(CENTRES.items())]
    classifier.process(probe)
    assert [m.get("intent")["name"] for m in probe] == list(CENTRES)
    for message in probe:
        ranking = message.get("intent_ranking")
        assert len(ranking) == 2
        assert ranking[0]["confidence"] >= ranking[1]["confidence"]
        assert ranking[0] == message.get("intent")
    assert classifier.probabilities(probe[0]).sum() == pytest.approx(1.0)


def test_persisted_model_predicts_the_same_after_loading(storage):
    trained = _classifier(storage)
    trained.train(_data())
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, Resource("intents"),
                                         None)
    probe = _message("goodbye", CENTRES["goodbye"], np.eye(5)[1])
    assert loaded.labels == trained.labels == sorted(CENTRES)
    np.testing.assert_allclose(loaded.probabilities(probe), trained.probabilities(probe), rtol=1e-6)


def test_without_training_or_features_it_predicts_no_intent(storage, caplog):
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, Resource("missing"),
                                         None)
    assert "no trained weights" in caplog.text
    message = _message("greet", CENTRES["greet"])
    loaded.process([message])
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []

    trained = _classifier(storage)
    trained.train(_data())
    bare = Message(data={TEXT: "hello"})
    trained.process([bare])
    assert bare.get("intent")["name"] is None


def test_a_single_intent_is_not_enough_to_train(storage, caplog):
    classifier = _classifier(storage)
    classifier.train(TrainingData(training_examples=[_message("greet", CENTRES["greet"]) for _ in range(3)]))
    assert classifier.weights is None
    assert "fewer than 2 intents" in caplog.text
