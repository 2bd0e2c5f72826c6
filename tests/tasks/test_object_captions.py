"""Object captions: deterministic, state only what is there, and parse back exactly."""

import numpy as np

from wildsynth.objects.captions import (
    COLOURS,
    colour_names,
    kind_noun,
    object_attributes,
    object_caption_set,
    parse_object_caption,
)

KINDS = ["rock_boulder", "rock_pebble", "tree_oak", "tree_pine", "bush", "mushroom", "cactus_saguaro", "fern",
         "flower", "log", "sapling", "herbivore"]


def _views(colour, n=3, size=16, share=1.0):
    albedo = np.broadcast_to(np.asarray(colour, float), (size, size, 3)).copy()
    mask = np.zeros((size, size), bool)
    mask.flat[: int(share * size * size)] = True
    return [albedo] * n, [mask] * n


def test_colour_names():
    names = [COLOURS[i] for i in colour_names(np.array([[0.1, 0.6, 0.1], [0.5, 0.5, 0.5], [0.35, 0.22, 0.1],
                                                         [0.95, 0.95, 0.95], [0.02, 0.02, 0.02], [0.9, 0.1, 0.1]]))]
    assert names == ["green", "grey", "brown", "white", "black", "red"]


def test_attributes_state_only_what_is_there():
    a, m = _views((0.1, 0.6, 0.1))
    tree = object_attributes("tree_oak", 8.3, a, m, ["wood", "leaves"])
    assert tree["leaves"] is True and tree["colours"] == ["green"] and tree["size"] == "large"
    bare = object_attributes("tree_oak", 8.3, a, m, ["wood"])  # no view shows the leaves part
    assert bare["leaves"] is None
    assert "lea" not in object_caption_set(bare, 1).canonical.text
    # two colours, each on at least COLOUR_SHARE of the pixels; a 10 % colour is not named
    green, mg = _views((0.1, 0.6, 0.1), n=9)
    grey, mgrey = _views((0.5, 0.5, 0.5), n=1)
    at = object_attributes("rock_boulder", 0.3, green + grey, mg + mgrey, ["rock"])
    assert at["colours"] == ["green"] and at["size"] == "small"


def test_captions_parse_back_exactly_and_are_deterministic():
    rng = np.random.default_rng(0)
    for i, kind in enumerate(KINDS):
        colour = rng.uniform(0, 1, 3)
        a, m = _views(colour)
        attrs = object_attributes(kind, float(rng.uniform(0.05, 12.0)), a, m,
                                  ["leaves"] if kind.startswith("tree") else [kind])
        cs = object_caption_set(attrs, seed=100 + i, k=6)
        assert cs.to_json() == object_caption_set(attrs, seed=100 + i, k=6).to_json()
        assert object_caption_set(attrs, seed=101 + i, k=6).to_json() != cs.to_json() or not cs.paraphrases
        for c in [cs.canonical, *cs.paraphrases]:
            assert parse_object_caption(c.text, KINDS) == c.attributes, c.text
        assert kind_noun(kind) in cs.canonical.text


def test_parser_is_not_fooled():
    p = parse_object_caption("A 3D render of a medium-sized brown and green fallen log, in leaf.", KINDS)
    assert p == {"kind": "log", "size": "medium-sized", "height_m": None, "colours": ["brown", "green"],
                 "leaves": True}
    p = parse_object_caption("A small grey boulder.", KINDS)
    assert p == {"kind": "rock_boulder", "size": "small", "height_m": None, "colours": ["grey"], "leaves": None}
