"""Grass variety and ground-cover meshes: shapes, colours in natural ranges, determinism."""

import numpy as np
import pytest

from wildsynth.generators.plants.grass import GrassParams, tuft
from wildsynth.generators.plants.groundcover import (
    bark_piece,
    leaf_litter,
    lichen_patch,
    moss_patch,
    needle_litter,
)
from wildsynth.generators.plants.leaves import cluster, leaf


def luminance(rgb):
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


def test_grass_blades_differ_in_colour_and_the_dead_ones_are_straw():
    m = tuft(GrassParams(blades=60, dead=0.3, dry=0.3, seed_heads=0.0), np.random.default_rng(0))
    tint, tip = m.attributes["tint"], m.attributes["tip"]
    assert tint.shape == (len(m.vertices), 3) and tip.shape == (len(m.vertices),)
    assert np.all(np.isfinite(tint)) and tint.min() >= 0.0 and tint.max() <= 0.5  # natural reflectances
    tips = tint[tip > 0.99]
    green = tips[:, 1] > 1.3 * tips[:, 0]
    straw = tips[:, 0] > 0.9 * tips[:, 1]
    assert green.mean() > 0.2 and straw.mean() > 0.2  # a green-dry mix, per blade
    assert len(np.unique(np.round(tint, 4), axis=0)) > 60  # no two blades alike
    base = tint[tip < 0.01]
    assert luminance(base).mean() < luminance(tips).mean()  # the base sits in the tuft's shade


def test_grass_shapes_seed_heads_and_dryness_follow_their_parameters():
    rng = lambda: np.random.default_rng(1)  # noqa: E731
    plain = tuft(GrassParams(blades=40, seed_heads=0.0, dead=0.0, dry=0.0), rng())
    heads = tuft(GrassParams(blades=40, seed_heads=1.0, droop=0.0, dead=0.0, dry=0.0), rng())
    assert len(heads.vertices) > 2 * len(plain.vertices)  # spikelets add geometry
    assert luminance(plain.attributes["tint"]).mean() < 0.2
    dead = tuft(GrassParams(blades=40, dead=1.0), rng())
    t = dead.attributes["tint"]
    assert np.all(t[:, 0] > t[:, 2])  # straw and brown: red over blue
    fine = tuft(GrassParams(blades=40, shapes=(1.0, 0.0, 0.0)), rng())
    broad = tuft(GrassParams(blades=40, shapes=(0.0, 0.0, 1.0)), rng())

    def area(m):
        v, f = m.vertices.astype(np.float64), m.faces
        return 0.5 * np.linalg.norm(np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]]), axis=1).sum()

    assert area(broad) > 2.5 * area(fine)


def test_grass_is_deterministic():
    a, b = tuft(GrassParams(), np.random.default_rng(4)), tuft(GrassParams(), np.random.default_rng(4))
    assert a.vertices.tobytes() == b.vertices.tobytes()
    assert a.attributes["tint"].tobytes() == b.attributes["tint"].tobytes()


@pytest.mark.parametrize("make, lum", [(lambda r: leaf_litter(r), (0.05, 0.3)), (lambda r: needle_litter(r), (0.05, 0.3)),
                                       (lambda r: bark_piece(r), (0.03, 0.2)), (lambda r: moss_patch(r), (0.05, 0.2)),
                                       (lambda r: lichen_patch(r), (0.15, 0.45))])
def test_ground_cover_lies_on_the_ground_in_natural_colours(make, lum):
    m = make(np.random.default_rng(2))
    v = m.vertices.astype(np.float64)
    assert len(m.faces) > 10 and np.all(np.isfinite(v))
    assert v[:, 2].min() >= -0.02 and v[:, 2].max() < 0.12  # flat on the ground (z = 0), a few cm high at most
    assert np.ptp(v[:, 0]) > 0.03 and np.ptp(v[:, 1]) > 0.03
    t = m.attributes["tint"]
    assert t.shape == (len(v), 3)
    assert lum[0] < luminance(t).mean() < lum[1]
    again = make(np.random.default_rng(2))
    assert again.vertices.tobytes() == m.vertices.tobytes()


def test_leaf_litter_is_many_coloured_leaves():
    m = leaf_litter(np.random.default_rng(0), count=12)
    assert len(np.unique(np.round(m.attributes["tint"], 4), axis=0)) >= 10


def test_every_leaf_of_a_cluster_has_its_own_variation_value():
    c = cluster(leaf("ovate", np.random.default_rng(0)), np.random.default_rng(1), count=5)
    v = np.unique(c.attributes["leafvar"])
    assert len(v) == 6  # five leaves and the stem
    assert v.min() >= 0.0 and v.max() <= 1.0
