"""The displacement stage: real scenes change shape, ground truth follows, relief is band-limited."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from wildsynth.core import SeedTree
from wildsynth.core.mesh import Instances, Mesh
from wildsynth.core.scene import MaterialRef, Object, Scene
from wildsynth.materials.displace import apply_displacements, displace, vertex_spacing
from wildsynth.materials.relief import Surface, band_weight
from wildsynth.materials.terrain import terrain_weights

pytestmark = pytest.mark.blender  # renders with Cycles

SIZE = (96, 64)


def _meadow(size=SIZE):
    """The meadow scene of seed 0 without plants, built but not yet displaced, and its first rig."""
    try:
        from wildsynth.run.compose import compose
    except ImportError:  # the scene API before run/: build(params, seeds, width, height) -> (scene, rig, report)
        from wildsynth.scenes import get

        recipe = get("meadow")
        scene, rig, _ = recipe.build(recipe.params(), SeedTree(0).child("scene"), *size)
        return scene, rig
    from wildsynth.scenes import get

    # the meadow's ground and boulders (its grass would hide the displaced ground this checks)
    bare = get("meadow").params.model_validate({"grass_density": 0, "flower_density": 0, "tree_density": 0,
                                                "pond": {"enabled": False}})
    c = compose("meadow", bare, 0, *size, displace=False)
    return c.scene, c.rig


@pytest.fixture(scope="module")
def meadow():
    return _meadow()


def _grid(n: int, step: float, attributes: dict | None = None) -> Mesh:
    """A flat n x n vertex grid, ``step`` m apart, two triangles per cell (normals +Z)."""
    x, y = np.meshgrid(np.arange(n) * step, np.arange(n) * step, indexing="xy")
    v = np.stack([x.ravel(), y.ravel(), np.zeros(n * n)], -1)
    i = np.arange(n - 1)
    a = (i[None, :] + n * i[:, None]).ravel()
    f = np.concatenate([np.stack([a, a + 1, a + n + 1], -1), np.stack([a, a + n + 1, a + n], -1)])
    attrs = {k: np.full(n * n, val, dtype=np.float32) for k, val in (attributes or {}).items()}
    return Mesh(v, f, attrs)


def test_real_scene_terrain_and_rock_prototypes_change_shape(meadow):
    scene = copy.deepcopy(meadow[0])
    before = {o.name: (o.geometry.mesh if o.is_instanced else o.geometry).vertices.copy() for o in scene.objects}
    report = apply_displacements(scene)
    rocks = [o for o in scene.objects if o.material.recipe == "rock"]
    assert rocks and "terrain" in report.objects
    for o in [scene.objects[0], *rocks]:
        m = o.geometry.mesh if o.is_instanced else o.geometry
        moved = np.linalg.norm(m.vertices.astype(np.float64) - before[o.name], axis=1)
        assert 1e-3 < moved.max() < 0.5, (o.name, moved.max())  # real relief, physically small
        assert report.objects[o.name].vertices_moved == np.count_nonzero(moved)
    # one displaced prototype per Instances, shared by all its placements (not realised)
    assert all(isinstance(o.geometry, Instances) and len(o.geometry.transforms) for o in rocks)
    assert scene.objects[0].geometry.faces.shape == (len(scene.objects[0].geometry.faces), 3)
    assert set(scene.objects[0].geometry.attributes) == set(meadow[0].objects[0].geometry.attributes)

    # idempotent: a second call returns the first report and moves nothing
    geometry = [o.geometry for o in scene.objects]
    assert apply_displacements(scene) is report
    assert all(o.geometry is g for o, g in zip(scene.objects, geometry))

    # deterministic: the same scene displaced again from scratch is bit-identical
    again, _ = _meadow()
    apply_displacements(again)
    for a, b in zip(scene.objects, again.objects):
        ma = a.geometry.mesh if a.is_instanced else a.geometry
        mb = b.geometry.mesh if b.is_instanced else b.geometry
        assert np.array_equal(ma.vertices, mb.vertices), a.name


def test_ground_truth_follows_the_displaced_surface(meadow):
    from geometry import nearest_triangle, scene_triangles_with_ids

    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings

    scene, rig = meadow
    flat = copy.deepcopy(scene)
    apply_displacements(scene, rig)  # as the pipeline calls it: band limit by the shot's pixels too
    with CyclesRenderer(scene, RenderSettings(width=SIZE[0], height=SIZE[1], samples=1)) as r:
        p = r.render_gt(rig.main)
    hit = np.isfinite(p.depth)
    assert hit.mean() > 0.3
    pts = rig.main.backproject(np.where(hit, p.depth, 0.0))[hit]
    z = p.depth[hit].astype(np.float64)
    d_disp, _ = nearest_triangle(pts, scene_triangles_with_ids(scene)[0])
    d_flat, _ = nearest_triangle(pts, scene_triangles_with_ids(flat)[0])
    assert np.mean(d_disp < 0.01 + 0.001 * z) >= 0.99  # depth is the displaced surface
    off = d_flat > 2 * d_disp + 1e-4  # and measurably not the undisplaced one
    assert off.mean() > 0.2, off.mean()


def test_coarse_mesh_gets_no_relief_finer_than_it_can_show():
    assert band_weight(0.4, 0.1) == 1.0 and band_weight(0.2, 0.1) == 0.0 and 0 < band_weight(0.3, 0.1) < 1
    ref = MaterialRef("rock", seed=3)
    fine, coarse = _grid(241, 0.02), _grid(21, 0.24)  # coarse vertices are every 12th fine vertex
    assert np.allclose(np.median(vertex_spacing(fine.vertices, fine.faces)), 0.02 * (2 + 2 ** 0.5) / 3, rtol=0.05)
    off_f = displace(fine, ref).vertices[:, 2].astype(np.float64)
    off_c = displace(coarse, ref).vertices[:, 2].astype(np.float64)
    sub = off_f.reshape(241, 241)[::12, ::12]
    lat = off_c.reshape(21, 21)

    def curvature(h):  # RMS second difference on the coarse lattice
        return np.sqrt(np.mean((h[1:-1, 2:] + h[1:-1, :-2] + h[2:, 1:-1] + h[:-2, 1:-1] - 4 * h[1:-1, 1:-1]) ** 2))

    assert np.abs(lat).max() > 1e-3 and np.corrcoef(lat.ravel(), sub.ravel())[0, 1] > 0.6  # the large relief stays
    assert curvature(lat) < 0.5 * curvature(sub)  # the fine relief would alias on the coarse mesh: dropped

    # relief entirely below the coarse mesh's Nyquist (gravel, 8 cm) leaves it flat, the fine one not
    gravel = MaterialRef("gravel", seed=1)
    assert np.abs(displace(coarse, gravel).vertices[:, 2]).max() == 0.0
    assert np.abs(displace(fine, gravel).vertices[:, 2]).max() > 1e-3


def test_terrain_relief_mirrors_the_shader_masks():
    n = 2000
    pts = np.random.default_rng(0).uniform(0, 5, (n, 3))
    base = {"points": pts, "normals": np.tile([0.0, 0.0, 1.0], (n, 1)), "spacing": np.full(n, 0.005)}
    steep = Surface(**base, attributes={"slope": np.full(n, 0.9), "beach": np.zeros(n), "snow": np.zeros(n)})
    w = terrain_weights(steep, {})
    assert np.allclose(w["rock"], 1.0) and np.allclose(w["ground"] + w["sand"] + w["snow"], 0.0)
    flat = Surface(**base, attributes={"slope": np.zeros(n), "beach": np.full(n, 0.9), "snow": np.zeros(n)})
    assert np.allclose(terrain_weights(flat, {})["sand"], 1.0)
    snowy = Surface(**base, attributes={"slope": np.full(n, 0.9), "beach": np.zeros(n), "snow": np.ones(n)})
    assert np.allclose(terrain_weights(snowy, {})["snow"], 1.0)
    for s in (steep, flat, snowy):
        total = sum(terrain_weights(s, {"palette": "canyon"}).values())
        assert np.allclose(total, 1.0)
    # rock (cm) is rougher than beach sand (mm) on the same points
    from wildsynth.materials.library import DISPLACEMENTS

    rock = DISPLACEMENTS["terrain"](steep, np.random.default_rng(1), {"palette": "mountain"})
    sand = DISPLACEMENTS["terrain"](flat, np.random.default_rng(1), {"palette": "mountain"})
    assert 0.005 < np.abs(rock).max() < 0.15 and np.abs(sand).max() < 0.01 < np.abs(rock).max()
    with pytest.raises(KeyError, match="palette"):
        DISPLACEMENTS["terrain"](steep, np.random.default_rng(1), {"palette": "moon"})


def test_split_surfaces_stay_closed_and_prototypes_are_displaced_once():
    grid = _grid(41, 0.05, {"slope": 0.6, "snow": 0.0, "beach": 0.0, "height": 10.0, "patch": 0.5, "dirt": 0.5})
    left = grid.vertices[grid.faces].mean(axis=1)[:, 0] < 1.0

    def part(keep):  # the faces on one side, re-indexed to only their vertices (as split_faces does)
        used, inv = np.unique(grid.faces[keep], return_inverse=True)
        return Mesh(grid.vertices[used], inv.reshape(-1, 3), {k: a[used] for k, a in grid.attributes.items()})

    scene = Scene()
    scene.add(Object("a", part(left), MaterialRef("terrain", 1), "terrain", "t"))
    scene.add(Object("b", part(~left), MaterialRef("meadow_ground", 2), "terrain", "t"))
    proto = _grid(11, 0.1)
    t = np.tile(np.eye(4), (3, 1, 1))
    t[:, 0, 3] = [0.0, 5.0, 10.0]
    scene.add(Object("r0", Instances(proto, t), MaterialRef("rock", 5), "rock", "t"))
    scene.add(Object("r1", Instances(proto, t[:1]), MaterialRef("rock", 5), "rock", "t"))
    report = apply_displacements(scene)
    a, b = scene.objects[0].geometry, scene.objects[1].geometry
    sa, sb = (np.flatnonzero(np.isclose(m.vertices[:, 0], 1.0)) for m in (a, b))  # the seam, in both parts
    ya, yb = a.vertices[sa, 1], b.vertices[sb, 1]
    assert len(sa) == 41 and np.abs(a.vertices[sa, 2]).max() > 1e-4
    assert np.array_equal(a.vertices[sa[np.argsort(ya)]], b.vertices[sb[np.argsort(yb)]])  # no crack
    assert np.abs(a.vertices[:, 2]).max() > 1e-3 and np.abs(b.vertices[:, 2]).max() > 1e-3
    r0, r1 = scene.objects[2].geometry, scene.objects[3].geometry
    assert r0.mesh is r1.mesh and not np.array_equal(r0.mesh.vertices, proto.vertices)
    assert report.objects["r1"].prototype_of == "r0" and report.objects["r1"].seconds == 0.0
    assert set(report.to_dict()["objects"]) == {"a", "b", "r0", "r1"}
