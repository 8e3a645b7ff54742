"""ShopMate's recommender: per-type interest x collaborative filtering x dialogue-state weights.

A pure library (numpy, scipy, pandas, implicit): nothing here imports Rasa. See ``model.py`` for the pipeline.
"""
from recommender.state import DialogueState
from recommender.weights import WeightParams, type_weights

__all__ = ["Recommender", "Recommendation", "RecommenderParams", "ArtefactError", "DialogueState", "type_weights",
           "WeightParams"]


def __getattr__(name):  # the model pulls in scipy / implicit: import it on first use only
    if name in ("Recommender", "Recommendation", "RecommenderParams", "ArtefactError"):
        from recommender import model

        return getattr(model, name)
    raise AttributeError(f"module 'recommender' has no attribute {name!r}")
