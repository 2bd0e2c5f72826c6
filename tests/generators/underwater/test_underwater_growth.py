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
def test_ruffled_sheets_are_valid_and_their_rims_never_cross(name):
    p = sample_params(name, SeedTree(0), steps=80, rows=6)
    mesh, hist = _ruffle(p, np.random.default_rng(1))
    assert mesh_problems(mesh) == []
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


def _orient3d(a, b, c, d):
    return np.einsum("ij,ij->i", np.cross(b - a, c - a), d - a)


def edge_triangle_hits(v: np.ndarray, f: np.ndarray) -> int:
    """Edges that pierce a triangle they share no vertex with (orientation predicates in float64,
    values below 1e-12 of the scale cubed taken as zero): a triangle mesh intersects itself when some
    edge crosses some other triangle. Coplanar contacts (zero volumes: the collinear nodes a split
    leaves in older rims) are not piercings; in-plane overlaps are the 2D curve test's job."""
    from scipy.spatial import cKDTree

    v = v.astype(np.float64)
    e = np.unique(np.sort(np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1), axis=0)
    cen = v[f].mean(axis=1)
    reach = float(np.linalg.norm(v[e[:, 0]] - v[e[:, 1]], axis=1).max())
    mids = 0.5 * (v[e[:, 0]] + v[e[:, 1]])
    cand = cKDTree(cen).query_ball_point(mids, r=reach)
    ei = np.repeat(np.arange(len(e)), [len(c) for c in cand])
    ti = np.concatenate([np.asarray(c, dtype=np.int64) for c in cand])
    share = (f[ti] == e[ei, 0:1]).any(1) | (f[ti] == e[ei, 1:2]).any(1)
    ei, ti = ei[~share], ti[~share]
    p, q = v[e[ei, 0]], v[e[ei, 1]]
    a, b, c = v[f[ti, 0]], v[f[ti, 1]], v[f[ti, 2]]
    s1, s2 = _orient3d(a, b, c, p), _orient3d(a, b, c, q)
    t1, t2, t3 = _orient3d(p, q, a, b), _orient3d(p, q, b, c), _orient3d(p, q, c, a)
    eps = 1e-12 * float(np.ptp(v, axis=0).max()) ** 3
    s1, s2, t1, t2, t3 = (np.where(np.abs(x) < eps, 0.0, x) for x in (s1, s2, t1, t2, t3))
    cross = s1 * s2 < 0
    inside = ((t1 > 0) & (t2 > 0) & (t3 > 0)) | ((t1 < 0) & (t2 < 0) & (t3 < 0))
    return int((cross & inside).sum())


def test_edge_triangle_check_finds_a_piercing():
    v = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0.2, 0.2, -1], [0.3, 0.2, 1], [0.25, 0.9, 1]], float)
    f = np.array([[0, 1, 2], [3, 4, 5]])
    assert edge_triangle_hits(v, f) > 0
    assert edge_triangle_hits(v + np.array([[0, 0, 0]] * 3 + [[0, 0, 5]] * 3), f) == 0


@pytest.mark.parametrize("name", ["leaf_coral", "ruffled_sponge"])
def test_grown_sheet_has_no_self_intersecting_triangles(name):
    p = sample_params(name, SeedTree(2), steps=70, rows=6)
    mesh, hist = _ruffle(p, np.random.default_rng(3))
    n = len(hist[-1])
    v = mesh.vertices.astype(np.float64) / (p.size / float(np.linalg.norm(hist[-1], axis=1).max()))
    # rows half an edge apart in z: within each slab between two rows this is an affine map of the
    # mesh, so it keeps every crossing, and short edges keep the candidate search small
    v[:, 2] = 0.5 * (np.arange(len(v)) // n)
    assert edge_triangle_hits(v, mesh.faces) == 0
