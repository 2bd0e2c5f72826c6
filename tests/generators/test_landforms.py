"""The landform registry: every registered shape is finite, deterministic, seed-dependent, and
bit-identical to the heights before the registry existed (tests/generators/data/landforms_seed0.json)."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import Field

from wildsynth.core.seeds import SeedTree
from wildsynth.generators.terrain import landforms as lf
from wildsynth.generators.terrain.field import GridParams, TerrainField

FIXTURE = json.loads((Path(__file__).parent / "data" / "landforms_seed0.json").read_text())
RENAMED = {"PlainsParams": "HillsParams"}  # the landform's PlainsParams is HillsParams now


def grid(lo, hi, n):
    ax = np.linspace(lo, hi, n)
    return np.meshgrid(ax, ax)


@pytest.mark.parametrize("name", sorted(lf.LANDFORMS))
def test_every_landform_is_finite_deterministic_and_seed_dependent(name):
    P = lf.LANDFORMS[name].params
    x, y = grid(-2000.0, 2000.0, 33)
    a = lf.Landform(P(), SeedTree(4)).height(x, y)
    b = lf.Landform(P(), SeedTree(4)).height(x, y)
    c = lf.Landform(P(), SeedTree(5)).height(x, y)
    assert a.shape == x.shape and np.all(np.isfinite(a))
    assert a.tobytes() == b.tobytes()
    assert not np.array_equal(a, c)
    assert np.ptp(a) > 0.1  # a shape, not a flat sheet
    hint = lf.Landform(P(), SeedTree(4)).view_hint()
    assert hint.eye.shape == (2,) and np.all(np.isfinite(hint.eye)) and np.isfinite(hint.yaw)
    # the terrain field evaluates it through the registry too
    f = TerrainField(P(), SeedTree(4), GridParams(erosion=False, resolution=8))
    assert np.all(np.isfinite(f.height(x[:3, :3], y[:3, :3])))


def test_heights_are_bit_identical_to_before_the_registry():
    x, y = grid(*FIXTURE["grid"])
    assert len(FIXTURE["landforms"]) == 9
    for kind, want in FIXTURE["landforms"].items():
        P = getattr(lf, RENAMED.get(want["params"], want["params"]))
        land = lf.Landform(P(), SeedTree(FIXTURE["seed"]).child("landform"))
        h = land.height(x, y)
        assert hashlib.sha1(h.tobytes()).hexdigest() == want["heights_sha1"], kind
        assert [float(v) for v in h.ravel()[::97]] == want["sample"], kind
        v = land.view_hint()
        assert [float(v.eye[0]), float(v.eye[1]), float(v.yaw), float(v.yaw_spread)] == want["view_hint"], kind
        assert land.erodible == want["erodible"], kind
        w = land.water
        assert [w.sea_level, w.lake_level, w.valley is not None] == want["water"], kind


def test_params_models_stay_importable_by_name():
    for name in ("MountainParams", "HillsParams", "DuneParams", "CanyonParams", "CliffParams", "RiverParams",
                 "CoastParams", "ArcticParams", "LakeParams"):
        P = getattr(lf, name)
        assert lf.LANDFORMS[P().kind].params is P
    assert not hasattr(lf, "PlainsParams")  # one class of that name: the plains scene's
    # the union every landscape's terrain field is typed with holds every registered model
    assert set(lf.LandformParams.__args__) == {k.params for k in lf.LANDFORMS.values()}


def test_registration_checks_kind_and_duplicates():
    class BumpParams(lf.LandformModel):
        kind: str = Field("bump")
        height_m: float = 3.0

    with pytest.raises(ValueError, match="kind must default to 'bumps'"):
        lf.landform("bumps", BumpParams)(lambda land, x, y: x * 0)
    with pytest.raises(ValueError, match="registered twice"):
        lf.landform("mountain", lf.MountainParams)(lambda land, x, y: x * 0)
    try:  # a new landform is one registration away: Landform and the field evaluate it
        lf.landform("bump", BumpParams)(lambda land, x, y: land.p.height_m * np.exp(-(x * x + y * y) / 100.0))
        z = lf.Landform(BumpParams(), SeedTree(0)).height(np.array([0.0, 30.0]), np.array([0.0, 0.0]))
        assert z[0] == 3.0 and z[1] < 1e-3
    finally:
        lf.LANDFORMS.pop("bump", None)
    with pytest.raises(ValueError, match="landform 'bump' unknown"):
        lf.Landform(BumpParams(), SeedTree(0))


def test_lake_centre_only_for_basins():
    land = lf.Landform(lf.LakeParams(), SeedTree(0))
    c = land.lake_centre()
    assert np.linalg.norm(c) == pytest.approx(lf.LakeParams().basin_radius * 1.1)
    with pytest.raises(ValueError, match="no lake basin"):
        lf.Landform(lf.MountainParams(), SeedTree(0)).lake_centre()
