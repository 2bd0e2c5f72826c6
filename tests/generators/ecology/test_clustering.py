"""Ground cover clumps: Thomas cluster processes and bare gaps, measured on the placed points.

The variance-to-mean ratio (VMR) of point counts in grid cells is 1 for a Poisson process and
well above 1 when points clump; a clumped layer must be clearly clumped, its Poisson control not.
"""

import numpy as np
import pytest

from wildsynth.core.scene import Scene
from wildsynth.core.seeds import SeedTree
from wildsynth.generators.ecology import SmallLayer, Vegetation, VegetationParams, biome_params
from wildsynth.generators.scatter import Niche, sample_clustered, sample_density, variance_to_mean


def flat(x, y):
    return np.zeros(np.shape(x))


def up(x, y):
    n = np.zeros(np.shape(x) + (3,))
    n[..., 2] = 1.0
    return n


def const(d):
    return lambda x, y: np.full(np.shape(x), d)


def test_thomas_process_clumps_and_keeps_the_expected_count():
    rng = np.random.default_rng(0)
    lam, R = 2.0, 40.0
    clumped, owner = sample_clustered(rng, const(lam), lam, cluster_radius=0.5, cluster_size=10.0, radius=R)
    poisson = sample_density(np.random.default_rng(1), const(lam), lam, radius=R)
    expected = lam * np.pi * R * R
    assert abs(len(clumped) - expected) < 0.08 * expected  # clusters cost nothing in count
    assert abs(len(poisson) - expected) < 0.03 * expected
    assert len(owner) == len(clumped) and owner.min() >= 0
    v_c = variance_to_mean(clumped, (0.0, 0.0), 25.0, 1.0)
    v_p = variance_to_mean(poisson, (0.0, 0.0), 25.0, 1.0)
    assert v_c > 3.0, v_c
    assert 0.85 < v_p < 1.15, v_p
    # the clusters are tight: a point's nearest neighbour is far nearer than in the Poisson control
    from scipy.spatial import cKDTree

    nn_c = np.median(cKDTree(clumped).query(clumped, k=2)[0][:, 1])
    nn_p = np.median(cKDTree(poisson).query(poisson, k=2)[0][:, 1])
    assert nn_c < 0.75 * nn_p


def test_clustered_points_stay_in_the_sector_and_follow_the_density():
    rng = np.random.default_rng(2)
    half = np.radians(40.0)
    dens = lambda x, y: np.where(x > 10.0, 3.0, 0.0)  # noqa: E731
    xy, _ = sample_clustered(rng, dens, 3.0, 0.8, 8.0, centre=(0.0, 0.0), radius=30.0, sector=(0.0, half))
    assert len(xy) > 100
    ang = np.abs(np.arctan2(xy[:, 1], xy[:, 0]))
    assert ang.max() <= half + 1e-9 and np.hypot(*xy.T).max() <= 30.0
    assert xy[:, 0].min() > 10.0


def _layer_points(niche: Niche, seed=0) -> np.ndarray:
    """A ground-cover layer built all around the origin, at full density (no distance thinning)."""
    p = VegetationParams(trees=None, area_radius=40.0,
                         litter=SmallLayer(niche=niche, max_distance=30.0, lod_near=1000.0, prototypes=2))
    scene = Scene()
    Vegetation(p, flat, up, SeedTree(seed).child("veg")).build(scene, None)
    return np.concatenate([o.geometry.transforms[:, :2, 3] for o in scene.objects])


@pytest.mark.parametrize("seed", [0, 1])
def test_a_clumped_layer_is_clumped_and_its_poisson_control_is_not(seed):
    base = dict(density=3.0, slope_max=1.0, patchiness=0.0)
    clumped = _layer_points(Niche(**base, cluster_radius=0.6, cluster_size=12.0), seed)
    control = _layer_points(Niche(**base), seed)
    v_c = variance_to_mean(clumped, (0.0, 0.0), 20.0, 1.0)
    v_p = variance_to_mean(control, (0.0, 0.0), 20.0, 1.0)
    assert v_c > 2.0, v_c
    assert 0.8 < v_p < 1.2, v_p
    assert abs(len(clumped) - len(control)) < 0.12 * len(control)


def test_gaps_leave_bare_ground():
    base = dict(density=3.0, slope_max=1.0, patchiness=0.0, gap_scale=6.0)
    none = _layer_points(Niche(**base))
    some = _layer_points(Niche(**base, gaps=0.5))
    assert 0.2 * len(none) < len(some) < 0.8 * len(none)
    # bare cells: many 2 m cells hold nothing at all with gaps, almost none without
    def empty(xy):
        counts, _, _ = np.histogram2d(xy[:, 0], xy[:, 1], bins=20, range=[[-20, 20], [-20, 20]])
        return (counts == 0).mean()
    assert empty(some) > 0.15 > empty(none)


def test_biome_ground_cover_layers_clump():
    """Every small layer of the forest and meadow presets that has clusters clumps in its placements."""
    for name in ("forest_mixed", "meadow"):
        v = biome_params(name)
        for fam in ("litter", "needles", "moss", "flowers", "pebbles"):
            layer = getattr(v, fam)
            if layer is None or layer.niche.density <= 0:
                continue
            assert layer.niche.cluster_radius > 0, (name, fam)
            niche = layer.niche.model_copy(update={"shade": 0.0, "moisture": 0.0, "patchiness": 0.0, "gaps": 0.0,
                                                   "slope_max": 1.0})
            xy = _layer_points(niche)
            cell = max(1.0, 2.0 * layer.niche.cluster_radius)
            assert variance_to_mean(xy, (0.0, 0.0), 20.0, cell) > 1.8, (name, fam)


def _nearest_same_prototype(cluster_radius: float) -> float:
    """Share of flowers whose nearest neighbour is of the same prototype (colour)."""
    from scipy.spatial import cKDTree

    niche = Niche(density=2.0, slope_max=1.0, patchiness=0.0, cluster_radius=cluster_radius, cluster_size=20.0)
    p = VegetationParams(trees=None, area_radius=40.0,
                         flowers=SmallLayer(niche=niche, max_distance=25.0, lod_near=1000.0, prototypes=7))
    scene = Scene()
    Vegetation(p, flat, up, SeedTree(3).child("veg")).build(scene, None)
    xy = np.concatenate([o.geometry.transforms[:, :2, 3] for o in scene.objects])
    proto = np.concatenate([np.full(len(o.geometry), k) for k, o in enumerate(scene.objects)])
    _, nn = cKDTree(xy).query(xy, k=2)
    return float((proto[nn[:, 1]] == proto).mean())


def test_a_flower_patch_is_mostly_one_colour():
    patches, scattered = _nearest_same_prototype(0.7), _nearest_same_prototype(0.0)
    assert scattered < 0.25  # independent prototypes: about 1 in 7
    assert patches > 0.4 and patches > 3 * scattered


def test_clustered_layers_are_deterministic():
    niche = Niche(density=3.0, slope_max=1.0, cluster_radius=0.6, cluster_size=12.0)
    a, b, c = _layer_points(niche, 5), _layer_points(niche, 5), _layer_points(niche, 6)
    assert np.array_equal(a, b)
    assert len(a) != len(c) or not np.array_equal(a, c)
