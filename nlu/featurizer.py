"""Rasa pipeline component: dense features from the MiniLM sentence encoder (``nlu.minilm``).

Used in ``config.yml`` as ``nlu.featurizer.MiniLMFeaturizer``, after the tokenizer. For every message text it adds

* a sentence feature: the encoder's sentence vector (mean-pooled, L2-normalised, 384 numbers), which carries what
  the message means (so "cya" lands near "goodbye" without having been in the training data), and
* sequence features: per token of the pipeline's tokenizer, the mean of the encoder's last-layer states of the word
  pieces inside that token, which gives DIET's entity tagger context (the words around "too small" say it is a
  reason).

The encoder has no trainable parts here (DIET learns on top of it), so the component is not trainable and stores
nothing in the model: the weights come from the installed, pinned package and are checked by hash.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.minilm import MiniLM, token_vectors

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Sentence and per-token features of all-MiniLM-L6-v2 for the user's text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "sequence_features": True}

    def __init__(self, config: Dict[Text, Any], name: Text, encoder: Optional[MiniLM] = None) -> None:
        super().__init__(name, config)
        self.encoder = encoder or MiniLM.shared()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MiniLMFeaturizer":
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not isinstance(config.get("sequence_features", True), bool):
            raise ValueError("MiniLMFeaturizer: `sequence_features` must be true or false")

    @staticmethod
    def required_packages() -> List[Text]:
        return ["tokenizers", "safetensors"]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def _featurize(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        text = message.get(TEXT)
        if not tokens or text is None:
            return  # intent-only examples of the stories, and messages without text
        encoded = self.encoder.encode(text)
        sequence = None
        if self._config["sequence_features"]:
            sequence = token_vectors(encoded, [(t.start, t.end) for t in tokens])
        self.add_features_to_message(sequence, encoded.sentence[np.newaxis, :].astype(np.float32), TEXT, message)
