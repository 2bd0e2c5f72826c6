"""Scree and talus: rocks lie at the foot of steep slopes only, rest on the ground, size-sorted, deterministic."""

import numpy as np

from wildsynth.core import SeedTree
from wildsynth.generators.rocks import ScreeParams, scatter_scree, talus_field


def _cliff(x, y):
    """A 40 m wall (steep between y = 0 and y = 10) rising from a plain at y < 0."""
    y = np.asarray(y, dtype=np.float64)
    t = np.clip(y / 10.0, 0.0, 1.0)
    return 40.0 * t * t * (3 - 2 * t) + 0.01 * np.asarray(x)


def _normal(x, y, eps=0.05):
    dx = (_cliff(x + eps, y) - _cliff(x - eps, y)) / (2 * eps)
    dy = (_cliff(x, y + eps) - _cliff(x, y - eps)) / (2 * eps)
    n = np.stack([-dx, -dy, np.ones_like(dx)], -1)
    return n / np.linalg.norm(n, axis=-1, keepdims=True)


P = ScreeParams(count=800, radius=60.0, cell=1.0, reach=20.0, size_min=0.08, size_max=0.8)


def _scree(seed=0, params=P):
    return scatter_scree(params, SeedTree(seed), _cliff, _normal, centre=(0.0, -10.0))


def _placements(sets):
    return np.concatenate([s.transforms for s in sets]).astype(np.float64)


def test_scree_lies_only_below_the_slope_break():
    t = _placements(_scree())
    p = t[:, :3, 3]
    assert len(p) > 300
    assert np.all(p[:, 1] < 1.0), "at the foot, not on the wall or on top of it"
    assert np.all(p[:, 1] > -P.reach - 2.0), "within the run-out"
    t0 = talus_field(P, lambda x, y: 0.0 * np.asarray(x) + 0.0 * np.asarray(y),
                     lambda x, y: np.tile([0.0, 0.0, 1.0], (np.size(x), 1)), (0.0, 0.0))
    assert t0["density"].max() == 0.0, "no slope break on flat ground: no scree"


def test_scree_rests_on_the_ground():
    sets = _scree()
    for inst in sets:
        v = inst.mesh.vertices.astype(np.float64)
        for m in inst.transforms.astype(np.float64):
            w = v @ m[:3, :3].T + m[:3, 3]
            size = np.linalg.norm(m[:3, 0])
            below = _cliff(w[:, 0], w[:, 1]) - w[:, 2]  # > 0: under the ground
            assert below.max() < 0.35 * size + 0.02, "buried at most by its sink"
            assert below.max() > -0.02 * size - 0.01, "touching the ground, not floating"
            c = m[:3, 3]
            assert c[2] > _cliff(c[:1], c[1:2])[0] - 0.3 * size, "mostly above the ground"


def test_big_rocks_run_out_furthest():
    t = _placements(_scree())
    d = -t[:, 1, 3]  # distance below the wall's foot
    size = np.linalg.norm(t[:, :3, 0], axis=1)
    near, far = size[d < np.percentile(d, 30)], size[d > np.percentile(d, 70)]
    assert np.median(far) > 1.5 * np.median(near)


def test_scree_is_deterministic():
    a, b, c = _placements(_scree(3)), _placements(_scree(3)), _placements(_scree(4))
    assert np.array_equal(a, b)
    assert a.shape != c.shape or not np.array_equal(a, c)
