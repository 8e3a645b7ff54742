"""nlu/gazetteer.py and nlu/entities.py: the entities the actions receive, and the training data following the rule.

The gazetteer tests use a small hand-made vocabulary; the data test uses the generated lookup tables and every
annotated example of ``data/nlu``: each must come out of ``resolve`` unchanged when its own annotations are fed in
as a learned extractor's output (so the training data teaches DIET exactly what the resolver keeps)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data import entities_parser
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.entities import EntityResolver, gazetteer_from
from nlu.gazetteer import PATTERN_ENTITIES, Gazetteer, plural, resolve, singular

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
LOOKUPS = {"brand": ["kestrel", "harbor press"],
           "content_type": ["electronics", "gadgets", "camera", "cameras", "laptop", "laptops", "t-shirt", "jacket"],
           "category": ["cameras", "laptops", "t-shirts", "jackets"]}
SYNONYMS = {"gadgets": "electronics", "camera": "electronics", "cameras": "electronics", "laptop": "electronics",
            "laptops": "electronics", "t-shirt": "clothing", "jacket": "clothing"}
GAZ = Gazetteer.from_tables(LOOKUPS, SYNONYMS)


def diet(text, *spans):
    """DIET-style entities for ``(phrase, label)`` pairs, found left to right in ``text``."""
    out, pos = [], 0
    for phrase, label in spans:
        start = text.index(phrase, pos)
        out.append({"entity": label, "start": start, "end": start + len(phrase), "value": phrase,
                    "extractor": "DIETClassifier", "confidence_entity": 0.9})
        pos = start + len(phrase)
    return out


def labels(text, entities):
    return [(text[e["start"]:e["end"]], e["entity"]) for e in entities]


@pytest.mark.parametrize("noun, many", [("camera", "cameras"), ("lens", "lenses"), ("dress", "dresses"),
                                        ("smartwatch", "smartwatches"), ("accessory", "accessories"),
                                        ("running shoe", "running shoes"), ("day", "days"),
                                        ("phone case", "phone cases")])
def test_plural_and_singular_are_inverse(noun, many):
    assert plural(noun) == many and singular(many) == noun


def test_words_that_are_not_plurals_have_no_singular():
    assert [singular(w) for w in ("glass", "fantasy", "decor", "bus")] == [None] * 4


def test_gazetteer_prefers_the_longest_phrase_and_whole_words_only():
    found = GAZ.find("Harbor Press cameras, a t-shirt, no cameraman, no camera-bag")
    assert [(m.entity, m.value, m.category) for m in found] == [
        ("brand", "Harbor Press", None), ("content_type", "electronics", "cameras"),
        ("content_type", "clothing", "t-shirts")]
    assert [m.category for m in GAZ.find("any GADGETS or a laptop")] == [None, "laptops"]


def test_brand_splits_off_a_product_phrase_and_a_bare_category_becomes_a_content_type():
    text = "is the Kestrel camera better than the Kestrel travel zoom camera"
    out = resolve(text, diet(text, ("Kestrel camera", "product"), ("Kestrel travel zoom camera", "product")),
                  GAZ.find(text))
    assert labels(text, out) == [("Kestrel", "brand"), ("camera", "content_type"), ("Kestrel", "brand"),
                                 ("travel zoom camera", "product")]
    assert out[1]["value"] == "electronics" and out[1]["category"] == "cameras"
    assert {e["extractor"] for e in out} == {"EntityResolver"}
    assert [e["source"] for e in out] == ["gazetteer", "gazetteer", "gazetteer", "DIETClassifier"]


def test_a_determiner_does_not_make_a_category_word_a_product_phrase():
    text = "return the jacket and the rain jacket"
    out = resolve(text, diet(text, ("the jacket", "product"), ("the rain jacket", "product")), GAZ.find(text))
    assert labels(text, out) == [("jacket", "content_type"), ("rain jacket", "product")]


def test_patterns_win_diets_closed_list_guesses_are_dropped_and_its_misses_are_filled():
    text = "order SM-100001 for a@b.co: any gadgets from Kestrel under 1000"
    learned = diet(text, ("SM-100001", "product"), ("gadgets", "product"), ("Kestrel", "product"),
                   ("1000", "order_id"))
    learned.append({"entity": "brand", "start": 0, "end": 5, "value": "order", "extractor": "DIETClassifier"})
    regex = [{"entity": "order_id", "start": 6, "end": 15, "value": "SM-100001", "extractor": "RegexEntityExtractor"},
             {"entity": "email", "start": 20, "end": 26, "value": "a@b.co", "extractor": "RegexEntityExtractor"}]
    out = resolve(text, learned + regex, GAZ.find(text))
    assert labels(text, out) == [("SM-100001", "order_id"), ("a@b.co", "email"), ("gadgets", "content_type"),
                                 ("Kestrel", "brand")]


def test_other_learned_entities_stay_unless_they_overlap_a_dictionary_match():
    text = "return it, the jacket is too small, 2 of them"
    out = resolve(text, diet(text, ("it", "size"), ("jacket", "reason"), ("too small", "reason"),
                             ("2", "quantity")), GAZ.find(text))
    assert labels(text, out) == [("it", "size"), ("jacket", "content_type"), ("too small", "reason"),
                                 ("2", "quantity")]


def test_diets_mentions_are_dropped_the_patterns_are_kept():
    text = "is it in stock, and the second one?"
    start = text.index("the second one")
    regex = [{"entity": "mention", "start": start, "end": start + 14, "value": "the second one",
              "extractor": "RegexEntityExtractor"}]
    out = resolve(text, diet(text, ("it", "mention"), ("second one", "mention")) + regex, GAZ.find(text))
    assert labels(text, out) == [("the second one", "mention")] and out[0]["source"] == "RegexEntityExtractor"


def test_colours_are_dictionary_words_unless_inside_a_product_phrase():
    gaz = Gazetteer.from_tables({**LOOKUPS, "colour": ["black", "blue", "sky blue"]}, SYNONYMS)
    text = "the jacket in Sky Blue or black, and the novel deep blue"
    out = resolve(text, diet(text, ("jacket in Sky", "product"), ("black", "size"), ("deep blue", "product")),
                  gaz.find(text))
    assert labels(text, out) == [("jacket", "content_type"), ("Sky Blue", "colour"), ("black", "colour"),
                                 ("deep blue", "product")]


def _annotated_examples():
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if "intent" in block:
                for line in block["examples"].splitlines():
                    if line.strip().startswith("- "):
                        yield path.name, line.strip()[2:]
    # the test stories' user turns too: `rasa test core` compares their annotations with what the model extracts
    for path in sorted((ROOT / "tests" / "stories").glob("*.yml")):
        for story in yaml.safe_load(path.read_text()).get("stories", []):
            for step in story.get("steps", []):
                if isinstance(step.get("user"), str) and not step["user"].startswith("/"):
                    yield f"{path.name} ({story['story']})", step["user"]


def _project_gazetteer() -> Gazetteer:
    """The vocabulary the trained component holds: Rasa's loader over the generated lookup tables."""
    return gazetteer_from(load_data(str(ROOT / "data" / "lookups" / "products.yml")))


def _pattern_entities(text: str) -> list:
    """What ``RegexEntityExtractor`` finds in ``text`` with the project's regexes (case-insensitive)."""
    found = []
    for name, patterns in REGEXES.items():
        for pattern in patterns:
            found += [{"entity": name, "start": m.start(), "end": m.end(), "value": m.group(0),
                       "extractor": "RegexEntityExtractor"} for m in re.finditer(pattern, text, re.IGNORECASE)]
    return found


REGEXES = {b["regex"]: [x.strip()[2:] for x in b["examples"].splitlines() if x.strip()]
           for b in yaml.safe_load((ROOT / "data" / "nlu" / "entities.yml").read_text())["nlu"] if "regex" in b}


def test_the_mention_regex_finds_positional_and_demonstrative_references_only():
    spans = {text: [e["value"] for e in _pattern_entities(text) if e["entity"] == "mention"] for text in (
        "compare the first and the third", "the second one please", "not that one", "the last one?",
        "this is the second time", "the first camera", "is it in stock", "return this")}
    assert spans == {"compare the first and the third": ["the first", "the third"],
                     "the second one please": ["the second one"], "not that one": ["that one"],
                     "the last one?": ["the last one"], "this is the second time": [], "the first camera": [],
                     "is it in stock": [], "return this": []}


def test_every_training_example_and_test_story_is_annotated_by_the_resolvers_rule():
    gazetteer, wrong = _project_gazetteer(), []
    for name, example in _annotated_examples():
        text = entities_parser.replace_entities(example)
        gold = entities_parser.find_entities_in_training_example(example)
        fed = [dict(e, extractor="gold") for e in gold if e["entity"] not in PATTERN_ENTITIES]
        got = labels(text, resolve(text, fed + _pattern_entities(text), gazetteer.find(text)))
        if got != labels(text, gold):
            wrong.append(f"{name}: {example!r} -> {got}")
    assert not wrong, "annotations that break the rule in nlu/gazetteer.py:\n" + "\n".join(wrong[:20])


def test_component_trains_persists_loads_and_rewrites_the_messages_entities(tmp_path):
    storage = LocalModelStorage(tmp_path)
    data = TrainingData(lookup_tables=[{"name": k, "elements": v} for k, v in LOOKUPS.items()],
                        entity_synonyms=SYNONYMS)
    resolver = EntityResolver.create(EntityResolver.get_default_config(), storage, Resource("entities"), None)
    resolver.train(data)
    loaded = EntityResolver.load(EntityResolver.get_default_config(), storage, Resource("entities"), None)
    text = "the Kestrel laptop"
    message = Message(data={TEXT: text, ENTITIES: diet(text, ("Kestrel laptop", "product"))})
    loaded.process([message])
    assert labels(text, message.get(ENTITIES)) == [("Kestrel", "brand"), ("laptop", "content_type")]
    assert message.get(ENTITIES)[1]["category"] == "laptops"
    empty = EntityResolver.load({}, LocalModelStorage(tmp_path / "none"), Resource("missing"), None)
    assert empty.process([Message(data={TEXT: "a laptop"})])[0].get(ENTITIES) == []
