"""Parameter listings and ``--set`` overrides: nested optional models, value reading,
suggestions and one-line messages (wildsynth/params.py)."""

from __future__ import annotations

import math
from typing import Annotated, Literal, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, field_validator

from wildsynth.generators.ecology import SmallLayer, TreeLayer, VegetationParams
from wildsynth.params import UserError, apply_overrides, describe, suggest
from wildsynth.scenes import SCENES

FOREST = SCENES["forest"].params


def _rows(model) -> dict[str, dict]:
    return {r["name"]: r for r in describe(model)}


def _at(params: BaseModel, dotted: str):
    value = params.model_dump()
    for part in dotted.split("."):
        value = value[part]
    return value


def _error(model, *items, what="forest") -> str:
    with pytest.raises(UserError) as e:
        apply_overrides(model, list(items), what=what)
    msg = str(e.value)
    assert "\n" not in msg and "Value error" not in msg and "http" not in msg, msg
    return msg


# -- listing ---------------------------------------------------------------------------

def test_describe_lists_leaves_of_nested_optional_models():
    rows = _rows(FOREST)
    veg = rows["vegetation"]
    assert veg["default"] is None and veg["kind"] == "group" and "null" in veg["allowed"]
    density = rows["vegetation.trees.niche.density"]
    # the nested model's own defaults: TreeLayer's niche, not Niche()'s
    assert density["default"] == TreeLayer().niche.density == 0.02
    assert density["kind"] == "value" and density["allowed"].endswith("sets vegetation (optional)")
    assert density["description"]
    scale = rows["vegetation.grass.scale"]  # grass is unset inside VegetationParams() too
    assert scale["default"] == SmallLayer().scale
    assert scale["note"] == "sets vegetation, vegetation.grass (optional)"
    assert rows["vegetation.grass"]["default"] is None
    assert repr(rows["vegetation.trees"]["default"]) == "(set)"  # a set group is not dumped whole
    assert rows["vegetation.trees.species"]["default"] == {"broadleaf": 1.0}
    assert rows["vegetation.trees.lod_distances"]["allowed"].startswith("JSON list of 2 numbers")
    assert rows["vegetation.trees.species"]["allowed"].startswith("JSON object")
    assert rows["tree_density"]["note"] == "" and rows["tree_density"]["allowed"] == "number >= 0 and <= 20"
    # every leaf of every vegetation layer is listed, groups before their settings
    names = list(rows)
    for layer in ("trees", "bushes", "cacti", "logs", "boulders", "grass", "flowers", "ferns", "mushrooms",
                  "twigs", "cones", "pebbles"):
        assert f"vegetation.{layer}.niche.density" in rows
        assert names.index(f"vegetation.{layer}") < names.index(f"vegetation.{layer}.niche.density")
    # plain nested models are not rows themselves, their leaves are
    assert "camera" not in rows and rows["camera.area_radius"]["default"] == 25.0


def test_allowed_texts_are_readable():
    rows = _rows(FOREST)
    assert rows["kind"]["allowed"] == "one of: conifer, broadleaf, mixed"
    assert rows["sky.hour"]["allowed"] == "number >= 0 and <= 24, or null"
    assert rows["sky.day_of_year"]["allowed"] == "integer >= 1 and <= 366, or null"
    assert rows["sky.allow_night"]["allowed"] == "true/false"
    assert rows["vegetation.season"]["allowed"].startswith("one of: summer, autumn, winter")  # a str pattern
    assert rows["vegetation.water_level"]["allowed"].startswith("number, or null")
    for r in rows.values():
        assert "Literal" not in r["allowed"] and "Optional" not in r["allowed"] and "typing" not in r["allowed"]


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    depth: float = Field(2.0, gt=0.0, le=10.0, description="how deep")
    tags: tuple[str, ...] = ("a", "b")


class _Chain(BaseModel):  # refers to itself: set as a whole, as JSON
    value: int = 0
    child: Optional[_Chain] = None  # noqa: UP045  (the Optional spelling is what is tested)


class _Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "x"
    level: Annotated[int, Field(ge=0, le=5)] | None = None
    choice: Literal["up", "down"] = "up"
    either: _Inner | str = "none"
    maybe: Optional[_Inner] = None  # noqa: UP045
    weights: dict[str, float] = Field(default_factory=dict)
    pair: tuple[int, float] = (1, 2.0)
    tree: _Chain = Field(default_factory=_Chain)
    flag: bool = False

    @field_validator("name")
    @classmethod
    def _not_bad(cls, v: str) -> str:
        if v == "bad":
            raise ValueError("the name may not be bad")
        return v


def test_walks_optional_annotated_and_single_model_unions():
    rows = _rows(_Outer)
    assert rows["level"]["allowed"] == "integer >= 0 and <= 5, or null"
    assert rows["either"]["kind"] == "group" and rows["either"]["default"] == "none"
    assert rows["either.depth"]["default"] == 2.0 and rows["either.depth"]["note"] == "sets either (optional)"
    assert rows["maybe.tags"]["allowed"] == "JSON list of texts; sets maybe (optional)"
    assert rows["pair"]["allowed"] == "JSON list [integer, number]"
    assert rows["weights"]["allowed"] == "JSON object (text: number)"
    assert rows["tree.child"]["kind"] == "value"  # recursion stops
    p = apply_overrides(_Outer, ["either.depth=3", "maybe.tags=p,q", "tree.child={\"value\": 4}", "level=None"])
    assert p.either == _Inner(depth=3.0) and p.maybe.tags == ("p", "q") and p.tree.child.value == 4
    assert p.level is None
    assert apply_overrides(_Outer, ["either=text"]).either == "text"
    msg = _error(_Outer, "name=bad", what="test")
    assert msg == "--set name=bad: the name may not be bad (allowed: text)"


# -- setting ---------------------------------------------------------------------------

def test_setting_a_leaf_creates_the_unset_optional_model_from_its_defaults():
    p = apply_overrides(FOREST, ["vegetation.trees.niche.density=0.05"], what="forest")
    assert isinstance(p.vegetation, VegetationParams)
    assert p.vegetation.trees.niche.density == 0.05
    expected = VegetationParams().model_dump()
    expected["trees"]["niche"]["density"] = 0.05
    assert p.vegetation.model_dump() == expected
    # the rest of the scene keeps its own (scene-specific) defaults
    assert p.model_dump(exclude={"vegetation"}) == FOREST().model_dump(exclude={"vegetation"})

    p = apply_overrides(FOREST, ["vegetation.grass.scale=2", "vegetation.grass.niche.density=7"], what="forest")
    assert p.vegetation.grass.scale == 2.0 and p.vegetation.grass.niche.density == 7.0
    assert p.vegetation.grass.prototypes == SmallLayer().prototypes and p.vegetation.ferns is None


def test_null_resets_optional_models_and_values():
    p = apply_overrides(FOREST, ["vegetation.grass.scale=2", "vegetation.grass=null"], what="forest")
    assert p.vegetation is not None and p.vegetation.grass is None
    p = apply_overrides(FOREST, ["vegetation.trees.count=5", "vegetation=null"], what="forest")
    assert p.vegetation is None
    p = apply_overrides(FOREST, ["vegetation.trees=NULL"], what="forest")
    assert p.vegetation is not None and p.vegetation.trees is None
    p = apply_overrides(FOREST, ["sky.hour=12", "sky.hour=null"], what="forest")
    assert p.sky.hour is None
    # created again after a reset
    p = apply_overrides(FOREST, ["vegetation=null", "vegetation.bushes.count=3"], what="forest")
    assert p.vegetation.bushes.count == 3 and p.vegetation.bushes.species == TreeLayer().species


def test_dict_tuple_literal_and_group_values():
    p = apply_overrides(FOREST, ['vegetation.trees.species={"conifer":1}', "vegetation.trees.lod_distances=[10, 20]"],
                        what="forest")
    assert p.vegetation.trees.species == {"conifer": 1.0} and p.vegetation.trees.lod_distances == (10.0, 20.0)
    p = apply_overrides(FOREST, ["vegetation.trees.lod_distances=12,30", "vegetation.trees.species={'oak': 2}"])
    assert p.vegetation.trees.lod_distances == (12.0, 30.0) and p.vegetation.trees.species == {"oak": 2.0}
    assert apply_overrides(FOREST, ["kind=conifer"]).kind == "conifer"
    assert apply_overrides(FOREST, ["kind=Broadleaf"]).kind == "broadleaf"
    assert apply_overrides(FOREST, ["kind='mixed'"]).kind == "mixed"
    # a whole group as JSON merges onto the scene's values
    p = apply_overrides(FOREST, ['camera={"hfov": 50}'])
    assert p.camera.hfov == 50 and p.camera.area_radius == 25.0
    p = apply_overrides(FOREST, ['vegetation={"grass": {"scale": 3}}'])
    assert p.vegetation.grass.scale == 3.0 and p.vegetation.grass.lod_near == SmallLayer().lod_near


@pytest.mark.parametrize("text,value", [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("Yes", True),
                                        ("false", False), ("False", False), ("0", False), ("no", False),
                                        ("NO", False)])
def test_bool_words(text, value):
    assert apply_overrides(FOREST, [f"sky.allow_night={text}"]).sky.allow_night is value


# -- messages --------------------------------------------------------------------------

def test_suggestions_name_the_closest_settings():
    msg = _error(FOREST, "trees.dnsity=3")
    assert msg.startswith("--set trees.dnsity: unknown parameter for forest; did you mean tree_density,")
    assert "wildsynth params forest" in msg
    assert _error(FOREST, "vegetation.tres.niche.density=1").split("did you mean ")[1].startswith(
        "vegetation.trees.niche.density,")
    assert "did you mean tree_density" in _error(FOREST, "tre_density=1")
    assert "did you mean camera.hfov," in _error(FOREST, 'camera={"hfovv": 3}')
    # unrelated words get no random list
    assert "did you mean" not in _error(FOREST, "zzzzqqq=1")
    names = [r["name"] for r in describe(FOREST)]
    close = suggest("grass_dens", names)
    assert close[0] == "grass_density" and len(close) <= 5
    close = suggest("scael", names)
    assert len(close) == 5 and all(c.endswith("scale") for c in close)


def test_error_messages_name_field_value_and_allowed():
    assert _error(FOREST, "kind=pine") == "--set kind=pine: not one of the choices (allowed: one of: conifer, broadleaf, mixed)"
    assert _error(FOREST, "sky.hour=30") == ("--set sky.hour=30: input should be less than or equal to 24 "
                                             "(allowed: number >= 0 and <= 24, or null)")
    msg = _error(FOREST, "sky.allow_night=maybe")
    assert msg.startswith("--set sky.allow_night=maybe:") and msg.endswith("(allowed: true/false)")
    msg = _error(FOREST, "vegetation.grass.scale=0")
    assert msg.startswith("--set vegetation.grass.scale=0: ") and "number > 0 and <= 100" in msg
    msg = _error(FOREST, 'vegetation.trees.species={"conifer": "x"}')
    assert "vegetation.trees.species=" in msg and '"conifer"' in msg and "JSON object" in msg
    assert "JSON object" in _error(FOREST, "vegetation.trees.species=abc")
    assert "item 1 is missing" in _error(FOREST, "vegetation.trees.lod_distances=[1]")
    assert "JSON object" in _error(FOREST, "vegetation=5")
    assert _error(FOREST, "tree_density").startswith("--set 'tree_density': expected key=value, e.g. ")


# -- every listed setting can be set to its shown default -------------------------------

_LEAVES = [(scene, row["name"], row["default"]) for scene, recipe in SCENES.items()
           for row in describe(recipe.params) if row["kind"] == "value"]


def test_every_scene_lists_settings():
    assert set(SCENES) == {s for s, _, _ in _LEAVES}
    assert sum(1 for s, _, _ in _LEAVES if s == "forest") > 250


def _round_trip(scene: str, name: str, default) -> None:
    model = SCENES[scene].params
    if default is None:
        assert _at(apply_overrides(model, [f"{name}=null"], what=scene), name) is None
        return
    p = apply_overrides(model, [f"{name}={default!r}"], what=scene)  # as the table shows it
    assert _at(p, name) == default


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_LEAVES))
def test_property_shown_default_validates(leaf):
    _round_trip(*leaf)


def test_all_shown_defaults_validate():
    for leaf in _LEAVES:
        _round_trip(*leaf)


def _bounds(model, name):
    from wildsynth.params import _index

    node = _index(model)[name]
    lo = hi = None
    for m in node.meta:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    return node.base, lo, hi


_BOUNDED = [(scene, name) for scene, name, d in _LEAVES
            if _bounds(SCENES[scene].params, name)[0] in (int, float) and None not in _bounds(SCENES[scene].params, name)[1:]]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(_BOUNDED), st.floats(0.0, 1.0))
def test_property_bounds_in_the_listing_are_the_ones_enforced(leaf, t):
    scene, name = leaf
    model = SCENES[scene].params
    kind, lo, hi = _bounds(model, name)
    row = _rows(model)[name]
    shown = lambda x: str(int(x)) if float(x).is_integer() else str(x)
    assert row["allowed"].startswith(f"{'integer' if kind is int else 'number'} >= {shown(lo)} and <= {shown(hi)}")
    inside = lo + t * (hi - lo)
    inside = math.floor(inside) if kind is int else inside
    assert _at(apply_overrides(model, [f"{name}={inside!r}"], what=scene), name) == pytest.approx(inside)
    outside = hi + 1 + t * abs(hi)
    outside = math.ceil(outside) if kind is int else outside
    with pytest.raises(UserError, match=f"--set {name}="):
        apply_overrides(model, [f"{name}={outside!r}"], what=scene)
