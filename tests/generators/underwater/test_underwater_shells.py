"""Shells follow their logarithmic spiral: the growth ratio per whorl measured from the vertices."""

import numpy as np
import pytest

from wildsynth.core.seeds import SeedTree
from wildsynth.generators.underwater import build, sample_params
from wildsynth.generators.underwater.shells import coil_rows


def measured_ratios(name, seed, **given):
    """(W of the parameters, W from ring sizes, W from ring centres) on the built, laid-down mesh."""
    p = sample_params(name, SeedTree(seed), **given)
    mesh, _ = build(name, SeedTree(seed), **given)
    rows, theta, _ = coil_rows(p)
    m, k, _ = rows.shape
    v = mesh.vertices[:-1].astype(np.float64).reshape(m, k, 3)  # the apex point is last
    c = v.mean(axis=1)
    size = np.linalg.norm(v - c[:, None], axis=2).mean(axis=1)
    per = p.steps  # rows per whorl
    i = np.arange(m - 2 * per)
    w_size = np.median(size[i + per] / size[i])
    step1 = np.linalg.norm(c[i + per] - c[i], axis=1)
    step2 = np.linalg.norm(c[i + 2 * per] - c[i + per], axis=1)
    w_centre = np.median(step2 / step1)
    return p.W, w_size, w_centre


@pytest.mark.parametrize("name", ["snail_shell", "conch_shell", "auger_shell", "nautilus_shell"])
@pytest.mark.parametrize("seed", [0, 3])
def test_growth_ratio_per_whorl_matches_W(name, seed):
    extra = {"whorls": 12.0, "steps": 12} if name == "auger_shell" else {}
    w, w_size, w_centre = measured_ratios(name, seed, **extra)
    assert abs(w_size / w - 1) < 0.01, (w, w_size)
    assert abs(w_centre / w - 1) < 0.01, (w, w_centre)


def test_coiling_parameters_shape_the_shell():
    tall = coil_rows(sample_params("auger_shell", SeedTree(0)))[0].reshape(-1, 3)
    flat = coil_rows(sample_params("nautilus_shell", SeedTree(0)))[0].reshape(-1, 3)
    height = lambda v: np.ptp(v[:, 2]) / np.ptp(v[:, 0])  # noqa: E731
    assert height(tall) > 2.5 and height(flat) < 0.6


def test_scallop_has_radial_ribs_and_two_valves():
    mesh, _ = build("scallop", SeedTree(0))
    from wildsynth.generators.underwater._shapes import components

    assert components(mesh) == 2
