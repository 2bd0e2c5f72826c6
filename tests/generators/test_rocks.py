"""Rocks: boulders (hull + extrusions + noise), cliff chunks (plane-cut blocks), pebbles."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wildsynth.core.mesh import Mesh
from wildsynth.core.seeds import SeedTree
from wildsynth.generators.rocks import (
    KINDS,
    RockParams,
    RockShape,
    icosphere,
    make_rock,
    rock_mesh,
    scatter_rocks,
)


def assert_valid_solid(m: Mesh) -> None:
    v = m.vertices.astype(np.float64)
    assert np.all(np.isfinite(v))
    f = m.faces
    # closed and manifold: every undirected edge in exactly two faces, and each directed edge once
    e = np.sort(np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1)
    assert np.all(np.unique(e, axis=0, return_counts=True)[1] == 2)
    he = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
    assert len(np.unique(he, axis=0)) == len(he)  # consistent winding across every edge
    t = v[f]
    area = 0.5 * np.linalg.norm(np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0]), axis=1)
    assert area.min() > 1e-5 * area.mean()  # no degenerate triangles
    # outward: positive volume, and every triangle faces away from the centre (star-shaped solid)
    cone = np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2]))
    assert cone.sum() / 6.0 > 0.0
    assert np.all(cone > 0.0)
    assert len(np.unique(f)) == len(v)  # no stray vertices


def normal_clusters(m: Mesh, deg: float) -> np.ndarray:
    """Area fractions of greedy clusters of face normals (within ``deg`` of a seed normal), largest first."""
    fn = m.face_normals()
    t = m.vertices.astype(np.float64)[m.faces]
    area = 0.5 * np.linalg.norm(np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0]), axis=1)
    left = np.ones(len(fn), bool)
    out = []
    cos = np.cos(np.radians(deg))
    while left.any():
        idx = np.flatnonzero(left)
        cand = idx[np.argsort(area[idx])[-40:]]
        best = max(cand, key=lambda c: area[left & (fn @ fn[c] > cos)].sum())
        mem = left & (fn @ fn[best] > cos)
        out.append(area[mem].sum())
        left &= ~mem
    return np.sort(out)[::-1] / area.sum()


def dihedral_deg(m: Mesh) -> np.ndarray:
    fn = m.face_normals()
    f = m.faces
    he = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
    key = np.sort(he, axis=1)
    fid = np.tile(np.arange(len(f)), 3)
    order = np.lexsort((key[:, 1], key[:, 0]))
    a, b = fid[order][0::2], fid[order][1::2]
    return np.degrees(np.arccos(np.clip((fn[a] * fn[b]).sum(1), -1.0, 1.0)))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("detail", [1, 3, 4])
def test_every_kind_is_a_closed_outward_solid(kind, detail):
    for seed in range(3):
        m = make_rock(RockShape(kind=kind, detail=detail), np.random.default_rng(seed))
        assert_valid_solid(m)
        assert m.n_triangles == 20 * 4 ** detail  # LOD: triangles follow the detail level exactly


@pytest.mark.parametrize("kind", KINDS)
def test_deterministic_per_rng(kind):
    a = make_rock(RockShape(kind=kind), np.random.default_rng(7))
    b = make_rock(RockShape(kind=kind), np.random.default_rng(7))
    c = make_rock(RockShape(kind=kind), np.random.default_rng(8))
    assert np.array_equal(a.vertices, b.vertices) and np.array_equal(a.faces, b.faces)
    assert not np.array_equal(a.vertices, c.vertices)


@settings(max_examples=20, deadline=None)
@given(kind=st.sampled_from(KINDS), size=st.floats(0.05, 20.0), elongation=st.floats(1.0, 3.0),
       flatness=st.floats(0.2, 1.0), facets=st.integers(8, 60), extrusions=st.integers(0, 6),
       depth=st.floats(0.0, 0.6), cuts=st.integers(0, 10), ledges=st.integers(0, 4), bevel=st.floats(0.0, 0.2),
       weathering=st.floats(0.0, 1.0), roughness=st.floats(0.0, 0.6), noise_scale=st.floats(0.2, 6.0),
       cracks=st.floats(0.0, 1.0), strata=st.floats(0.0, 0.3), base=st.floats(0.1, 1.0), detail=st.integers(0, 4),
       seed=st.integers(0, 2**31 - 1))
def test_valid_across_parameter_range(kind, size, elongation, flatness, facets, extrusions, depth, cuts, ledges,
                                      bevel, weathering, roughness, noise_scale, cracks, strata, base, detail, seed):
    shape = RockShape(kind=kind, size=size, elongation=elongation, flatness=flatness, facets=facets,
                      extrusions=extrusions, extrusion_depth=depth, cuts=cuts, ledges=ledges, bevel=bevel,
                      weathering=weathering, roughness=roughness, noise_scale=noise_scale, cracks=cracks,
                      strata=strata, base=base, detail=detail)
    m = make_rock(shape, np.random.default_rng(seed))
    assert_valid_solid(m)
    ext = m.vertices.max(0) - m.vertices.min(0)
    assert ext.max() < 3.5 * size  # a rock of its size: no spikes
    assert ext.min() > 0.05 * size  # and not collapsed


def test_kind_presets_fill_unset_fields_only():
    assert RockShape(kind="pebble").detail == 2 and RockShape(kind="pebble", detail=3).detail == 3
    assert RockShape(kind="chunk").cuts == 5 and RockShape().kind == "boulder"
    with pytest.raises(ValueError):
        RockShape(kind="cobble")
    with pytest.raises(ValueError):
        RockShape(detail=7)


def test_pebbles_are_cheap():
    m = make_rock(RockShape(kind="pebble"), np.random.default_rng(0))
    assert 100 <= m.n_triangles <= 500 and m.smooth


def test_chunks_have_few_large_flat_faces():
    for seed in range(3):
        chunk = make_rock(RockShape(kind="chunk"), np.random.default_rng(seed))
        boulder = make_rock(RockShape(kind="boulder"), np.random.default_rng(seed))
        assert normal_clusters(chunk, 8.0)[:8].sum() > 0.6  # most area on 8 planes, noise and strata included
        assert normal_clusters(boulder, 8.0)[:8].sum() < 0.5
        assert not chunk.smooth  # flat shading keeps the edges sharp


def test_chunk_edges_are_snapped_sharp():
    # without noise the chunk is exactly its polytope: nearly all area on its planes, no jagged bevel bands
    for seed in range(3):
        m = make_rock(RockShape(kind="chunk", roughness=0.0, cracks=0.0, strata=0.0), np.random.default_rng(seed))
        assert normal_clusters(m, 3.0)[:10].sum() > 0.93
        assert np.percentile(dihedral_deg(m), 99) > 60.0  # real creases


def test_boulders_are_not_ellipsoids():
    plain = icosphere(4)
    plain = Mesh(plain.vertices * np.array([1.0, 0.75, 0.6]), plain.faces)
    assert np.percentile(dihedral_deg(plain), 99) < 6.0
    for seed in range(3):
        hull_only = make_rock(RockShape(roughness=0.0, cracks=0.0), np.random.default_rng(seed))
        assert np.percentile(dihedral_deg(hull_only), 99) > 25.0  # facet edges, ledges, extrusion walls
        m = make_rock(RockShape(), np.random.default_rng(seed))
        v = m.vertices.astype(np.float64)
        c, ax = 0.5 * (v.max(0) + v.min(0)), 0.5 * (v.max(0) - v.min(0))
        centroid = v[m.faces].mean(1) - c
        g = centroid / ax ** 2
        g /= np.linalg.norm(g, axis=1, keepdims=True)
        dev = np.degrees(np.arccos(np.clip((m.face_normals() * g).sum(1), -1, 1)))
        assert dev.mean() > 12.0  # normals far from those of the bounding ellipsoid


def test_rock_mesh_keeps_its_callers_working():
    m = rock_mesh(RockParams(), np.random.default_rng(0))
    assert_valid_solid(m)
    assert m.n_triangles == 20 * 4 ** RockParams().subdivisions and m.smooth
    assert 0.5 < np.abs(m.vertices).max() < 2.0  # unit size: placements scale it
    chunk = rock_mesh(RockParams(kind="chunk", subdivisions=3), np.random.default_rng(0))
    assert_valid_solid(chunk)
    assert not chunk.smooth
    pebble = rock_mesh(RockParams(kind="pebble", subdivisions=2), np.random.default_rng(0))
    assert pebble.n_triangles == 320


def test_scatter_chunks():
    flat = lambda x, y: np.zeros_like(np.asarray(x, dtype=np.float64))
    up = lambda x, y: np.tile([0.0, 0.0, 1.0], (np.size(x), 1))
    sets = scatter_rocks(RockParams(kind="chunk", count=30, radius=20.0, prototypes=3), SeedTree(1), flat, up)
    assert sum(len(s.transforms) for s in sets) == 30
    assert all(not s.mesh.smooth for s in sets)


def test_fracture_planes_give_flat_faces_and_kinds_differ():
    """Blocks are broken along planes: much of their area lies in a few normal directions (flat faces,
    chipped edges); river stones are worn round: their normals spread, with no sharp edge."""
    def top3(kind, seed):
        m = make_rock(RockShape(kind=kind, detail=4), np.random.default_rng(seed))
        assert_valid_solid(m)
        return normal_clusters(m, 8.0)[:3].sum(), np.percentile(dihedral_deg(m), 99.5)

    block = [top3("block", s) for s in range(3)]
    river = [top3("river", s) for s in range(3)]
    slab = [top3("slab", s) for s in range(3)]
    assert min(b[0] for b in block) > 0.3, block
    assert max(r[0] for r in river) < min(b[0] for b in block), (river, block)
    assert max(r[1] for r in river) < min(b[1] for b in block), "blocks have sharper edges than river stones"
    boulder = [top3("boulder", s)[0] for s in range(3)]
    assert np.mean(boulder) > np.mean([r[0] for r in river]), "boulders carry fracture faces too"
    assert min(s[0] for s in slab) > 0.3


def test_slabs_are_flat_and_mix_cycles_kinds():
    m = make_rock(RockShape(kind="slab"), np.random.default_rng(0))
    ext = np.ptp(m.vertices, axis=0)
    assert ext[2] < 0.5 * ext.max()
    sets = scatter_rocks(RockParams(count=60, kind="block", mix=("river", "slab"), prototypes=3),
                         SeedTree(1), lambda x, y: 0.0 * np.asarray(x), lambda x, y: np.tile([0.0, 0, 1], (len(x), 1)))
    flat = sorted(np.ptp(s.mesh.vertices, axis=0)[2] / np.ptp(s.mesh.vertices, axis=0).max() for s in sets)
    assert len(sets) == 3 and flat[0] < 0.45 < flat[-1], "three different kinds of prototype"
