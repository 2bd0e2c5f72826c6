"""Differential growth never self-intersects; branching and Laplacian-growth colonies are one piece."""

import numpy as np
import pytest

from wildsynth.core.seeds import SeedTree
from wildsynth.generators.underwater import build, get_kind, sample_params
from wildsynth.generators.underwater._shapes import components, mesh_problems
from wildsynth.generators.underwater.branching import colonise
from wildsynth.generators.underwater.differential_growth import _ruffle, crossing_pairs, grow_curve


def test_crossing_detector_finds_crossings_and_touches():
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    assert len(crossing_pairs(square)) == 0
    bow = np.array([[0, 0], [2, 2], [2, 0], [0, 2]], float)  # a figure eight
    assert len(crossing_pairs(bow)) == 1
    touch = np.array([[0, 0], [2, 0], [1, 0], [1, 1]], float)  # a vertex lying on another segment
    assert len(crossing_pairs(touch)) >= 1


@pytest.mark.parametrize("seed", [0, 1])
def test_differential_growth_curve_never_self_intersects(seed):
    hist = grow_curve(150, np.random.default_rng(seed), every=5)
    def perimeter(x):
        return np.linalg.norm(np.roll(x, -1, 0) - x, axis=1).sum()

    assert perimeter(hist[-1]) > 4 * perimeter(hist[0])  # it grew: the rim is far longer than the start ring
    for x in hist:
        assert len(crossing_pairs(x)) == 0
    # the sheet between two recorded rims: its mid-height section does not cross itself either
    for a, b in zip(hist[:-1], hist[1:]):
        assert len(crossing_pairs(0.5 * (a + b))) == 0
    x = hist[-1]
    length = perimeter(x)
    radius = np.linalg.norm(x - x.mean(0), axis=1).max()
    assert length > 3.0 * 2 * np.pi * radius  # ruffled: a rim far longer than its circle


@pytest.mark.parametrize("name", ["leaf_coral", "ruffled_sponge"])
def test_ruffled_sheets_are_closed_and_thinner_than_their_folds(name):
    p = sample_params(name, SeedTree(0), steps=80, rows=6)
    mesh, hist = _ruffle(p, np.random.default_rng(1))
    assert mesh_problems(mesh, closed=True) == []
    for x in hist:
        assert len(crossing_pairs(x)) == 0


BRANCHING = ["staghorn_coral", "elkhorn_coral", "sea_fan", "table_coral", "sea_whip", "finger_coral", "tube_coral"]


@pytest.mark.parametrize("name", BRANCHING)
def test_branching_corals_are_one_connected_closed_mesh(name):
    for seed in (0, 1, 2):
        res = 48 if name != "sea_fan" else 64
        mesh, _ = build(name, SeedTree(seed), resolution=res)
        assert components(mesh) == 1, (name, seed)
        assert mesh_problems(mesh, closed=True) == [], (name, seed)


def test_space_colonisation_is_one_tree_reaching_its_points():
    rng = np.random.default_rng(0)
    pts = rng.uniform(-1, 1, (300, 3)) + [0, 0, 2]
    pos, parent = colonise(pts, np.zeros((1, 3)), 0.1, 0.6, 0.15)
    assert parent[0] == -1 and (parent[1:] >= 0).all() and (parent[1:] < np.arange(1, len(pos))).all()
    from scipy.spatial import cKDTree

    d, _ = cKDTree(pos).query(pts)
    assert np.mean(d < 0.3) > 0.8  # the crown fills its envelope


def test_sea_fan_is_planar():
    mesh, _ = build("sea_fan", SeedTree(0), resolution=64)
    ext = np.ptp(mesh.vertices, axis=0)
    assert ext[1] < 0.1 * ext[0]


def test_tube_corals_do_not_fork_and_finger_corals_do():
    from wildsynth.generators.underwater.laplacian_growth import laplacian_growth

    rng = np.random.default_rng(0)
    starts = np.array([[0.05, 0, 0.1], [-0.05, 0, 0.1]])
    pos, parent, _ = laplacian_growth(starts, starts, 20, 0.02, 1.5, 0.0, rng)
    assert np.bincount(parent[parent > 0]).max() == 1
    pos, parent, _ = laplacian_growth(starts, starts, 20, 0.02, 1.5, 0.3, rng)
    assert np.bincount(parent[parent > 0]).max() == 2


def test_kinds_keep_their_tiny_overrides_valid():
    for name in BRANCHING:
        get_kind(name).params.model_validate(get_kind(name).tiny)
