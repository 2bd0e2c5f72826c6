"""SDF terrain: sparse spherical marching cubes, caves, formations joined to the ground, cave world."""

import numpy as np
import pytest
from numba import njit

from wildsynth.core import SeedTree
from wildsynth.generators.terrain.formations import FormationParams, Formations
from wildsynth.generators.terrain.sdf import (
    _TRI_COUNT,
    CaveParams,
    CaveSystem,
    SphericalGridParams,
    mesh_sdf_spherical,
    spherical_axes,
)
from wildsynth.run import compose


def _edges(faces):
    e = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    return np.unique(e, axis=0, return_counts=True)


def _directed_edges_unique(faces):
    d = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    return len(np.unique(d, axis=0)) == len(d)


def _grid(eye, ppv=8.0, r_max=30.0, width=160, yaw=0.0, **kw):
    gp = SphericalGridParams(pixels_per_voxel=ppv, r_max=r_max, **kw)
    return spherical_axes(eye, yaw, 0.0, np.radians(75), np.radians(50), width, gp)


@njit(cache=True)
def _first_hit(orig, dirs, tri):
    """Distance to the first triangle along each ray (inf: none) and the sign of dir . normal there."""
    n = dirs.shape[0]
    t_out = np.full(n, np.inf)
    side = np.zeros(n)
    for i in range(n):
        ox, oy, oz = orig[i, 0], orig[i, 1], orig[i, 2]
        dx, dy, dz = dirs[i, 0], dirs[i, 1], dirs[i, 2]
        for f in range(tri.shape[0]):
            e1x, e1y, e1z = tri[f, 1, 0] - tri[f, 0, 0], tri[f, 1, 1] - tri[f, 0, 1], tri[f, 1, 2] - tri[f, 0, 2]
            e2x, e2y, e2z = tri[f, 2, 0] - tri[f, 0, 0], tri[f, 2, 1] - tri[f, 0, 1], tri[f, 2, 2] - tri[f, 0, 2]
            px, py, pz = dy * e2z - dz * e2y, dz * e2x - dx * e2z, dx * e2y - dy * e2x
            det = e1x * px + e1y * py + e1z * pz
            if abs(det) < 1e-14:
                continue
            inv = 1.0 / det
            sx, sy, sz = ox - tri[f, 0, 0], oy - tri[f, 0, 1], oz - tri[f, 0, 2]
            u = (sx * px + sy * py + sz * pz) * inv
            if u < -1e-9 or u > 1 + 1e-9:
                continue
            qx, qy, qz = sy * e1z - sz * e1y, sz * e1x - sx * e1z, sx * e1y - sy * e1x
            v = (dx * qx + dy * qy + dz * qz) * inv
            if v < -1e-9 or u + v > 1 + 1e-9:
                continue
            t = (e2x * qx + e2y * qy + e2z * qz) * inv
            if 1e-6 < t < t_out[i]:
                t_out[i] = t
                nx, ny, nz = e1y * e2z - e1z * e2y, e1z * e2x - e1x * e2z, e1x * e2y - e1y * e2x
                side[i] = dx * nx + dy * ny + dz * nz
    return t_out, side


# -- marching cubes ----------------------------------------------------------------------------

def test_case_table_is_small_and_complete():
    assert _TRI_COUNT[0] == 0 and _TRI_COUNT[255] == 0
    assert _TRI_COUNT[1:255].min() >= 1 and _TRI_COUNT.max() <= 5


def test_complex_topology_is_closed_and_consistently_oriented():
    """Noise with many handles, every ambiguous face case: still closed, each directed edge once."""
    eye = np.zeros(3)
    c = np.array([9.0, 0.5, 0.3])

    def sdf(p):
        q = p - c
        n = np.sin(2.1 * q[:, 0]) * np.sin(1.7 * q[:, 1] + 0.3) * np.sin(1.9 * q[:, 2]) + 0.15
        return np.maximum(n, np.linalg.norm(q, axis=1) - 3.0)

    m = mesh_sdf_spherical(sdf, eye, *_grid(eye, ppv=4.0))
    _, counts = _edges(m.faces)
    assert m.n_triangles > 2000 and np.all(counts == 2)
    assert _directed_edges_unique(m.faces), "neighbouring faces wind the same way"


@pytest.mark.parametrize("where", ["ahead", "behind", "on_the_seam"])
def test_sdf_mesh_of_a_closed_solid_is_watertight_and_outward(where):
    eye = np.zeros(3)
    theta = _grid(eye)[0]
    ang = {"ahead": 0.1, "behind": np.pi, "on_the_seam": theta[0]}[where]
    center = 7.0 * np.array([np.cos(ang), np.sin(ang), 0.1])
    sdf = lambda p: np.linalg.norm(p - center, axis=1) - 2.5
    m = mesh_sdf_spherical(sdf, eye, *_grid(eye, back_factor=4.0))
    _, counts = _edges(m.faces)
    assert m.n_triangles > 100 and np.all(counts == 2), "every edge shared by exactly two faces"
    fn = m.face_normals()
    c = m.vertices[m.faces].mean(1)
    assert np.mean(((c - center) * fn).sum(1) > 0) > 0.999
    rad = np.linalg.norm(m.vertices - center, axis=1)
    assert np.abs(rad - 2.5).max() < 0.25  # linear interpolation in voxels up to ~1.8 m (behind the camera)


def _small_cave(seed=0, **kw):
    ground = lambda x, y: 0.02 * np.asarray(x) + 0 * np.asarray(y)
    return CaveSystem(CaveParams(**kw), SeedTree(seed), ground)


def test_cave_sdf_mesh_has_no_holes_inside_the_covered_volume():
    cave = _small_cave(segments=4, chambers=1, branches=0, skylight=0.0)
    centre, _ = cave.chambers[0]
    gp = SphericalGridParams(pixels_per_voxel=10.0, r_max=40.0)
    m = mesh_sdf_spherical(cave.sdf, centre, *spherical_axes(centre, 0.0, 0.0, np.radians(75), np.radians(50), 96, gp))
    uniq, counts = _edges(m.faces)
    assert counts.max() <= 2
    # boundary edges only where the grid ends: the outer sphere or the polar caps
    b = m.vertices[uniq[counts == 1].ravel()] - centre
    r = np.linalg.norm(b, axis=1)
    elev = np.degrees(np.arcsin(np.clip(b[:, 2] / np.maximum(r, 1e-9), -1, 1)))
    assert np.all((r > 0.97 * gp.r_max) | (np.abs(elev) > gp.max_elevation_deg - 3.0))
    assert cave.sdf(centre[None])[0] > 0.5, "the chamber centre is open air"


def test_sparse_sampling_finds_every_crossing_of_the_dense_grid():
    """The coarse-to-fine sampler evaluates a few % of the nodes, yet its mesh has a vertex on every
    grid edge where the densely sampled SDF changes sign, at the same place."""
    cave = _small_cave(seed=4, segments=5, chambers=2, branches=1)
    centre, _ = cave.chambers[0]
    theta, phi, r = spherical_axes(centre, 0.3, 0.0, np.radians(75), np.radians(50), 96,
                                   SphericalGridParams(pixels_per_voxel=2.0, r_max=40.0, back_factor=4.0))
    stats = {}
    m = mesh_sdf_spherical(cave.sdf, centre, theta, phi, r, stats=stats)
    T, P, R = np.meshgrid(theta, phi, r, indexing="ij")
    c = np.cos(P)
    pts = np.stack([centre[0] + R * c * np.cos(T), centre[1] + R * c * np.sin(T), centre[2] + R * np.sin(P)], -1)
    dense = cave.sdf(pts.reshape(-1, 3)).astype(np.float32).reshape(T.shape)
    neg = dense < 0
    crossings = (np.sum(neg != np.roll(neg, -1, axis=0)) + np.sum(neg[:, 1:] != neg[:, :-1])
                 + np.sum(neg[:, :, 1:] != neg[:, :, :-1]))
    assert stats["sdf_evaluations"] < 0.3 * dense.size, (stats, dense.size)
    assert len(m.vertices) == crossings
    assert m.n_triangles > 1000


def test_sparse_mesh_equals_a_dense_one_for_a_strict_lipschitz_bound():
    cave = _small_cave(seed=4, segments=5, chambers=2, branches=1)
    centre, _ = cave.chambers[0]
    axes = spherical_axes(centre, 0.3, 0.0, np.radians(75), np.radians(50), 64,
                          SphericalGridParams(pixels_per_voxel=4.0, r_max=40.0))
    a = mesh_sdf_spherical(cave.sdf, centre, *axes, lipschitz=1.5)
    b = mesh_sdf_spherical(cave.sdf, centre, *axes, lipschitz=1.5, last=0.0)  # aggressive + closure
    assert a.n_triangles == b.n_triangles
    assert np.allclose(np.sort(a.vertices, axis=0), np.sort(b.vertices, axis=0), atol=1e-4)


def test_triangles_are_about_two_pixels_in_the_view():
    """Project the cave walls seen from the chamber into a 160-px-wide frame: in-view edges ~1-2 px."""
    cave = _small_cave(seed=0, segments=6, chambers=2, branches=1)
    centre, _ = cave.chambers[0]
    width, height, hfov = 160, 90, np.radians(75)
    vfov = 2 * np.arctan(np.tan(hfov / 2) * height / width)
    med = {}
    for ppv in (2.0, 8.0):
        gp = SphericalGridParams(pixels_per_voxel=ppv, r_max=60.0)
        m = mesh_sdf_spherical(cave.sdf, centre, *spherical_axes(centre, 0.0, 0.0, hfov, vfov, width, gp))
        v = m.vertices.astype(np.float64) - centre
        f = width / 2 / np.tan(hfov / 2)
        z = v[:, 0]  # camera looks along +x (yaw 0, pitch 0)
        uv = np.stack([f * -v[:, 1] / np.maximum(z, 1e-9), f * -v[:, 2] / np.maximum(z, 1e-9)], -1)
        tri = uv[m.faces]
        inview = ((z[m.faces] > 0.5).all(1) & (np.abs(tri[..., 0]) < width / 2).all(1)
                  & (np.abs(tri[..., 1]) < height / 2).all(1))
        e = np.linalg.norm(tri[inview] - np.roll(tri[inview], 1, axis=1), axis=2)
        assert inview.sum() > 200
        med[ppv] = float(np.median(e))
    assert 0.5 < med[2.0] < 3.0, med
    assert 2.5 < med[8.0] / med[2.0] < 6.0, med  # and it follows pixels_per_voxel


# -- formations joined to the ground --------------------------------------------------------------

def _ground(x, y):
    return 0.05 * np.asarray(x) + 0.3 * np.sin(np.asarray(y) / 5.0)


def _camera(eye, yaw=0.0, pitch=0.0, width=160, hfov_deg=70.0):
    from wildsynth.core.axes import yaw_pitch_to_cam
    from wildsynth.core.camera import Camera

    return Camera.from_hfov(width, int(round(width * 9 / 16)), hfov_deg, yaw_pitch_to_cam(np.asarray(eye, float), yaw, pitch))


def _formation(kind, seed=1, **kw):
    cam = _camera([0.0, 0.0, 2.0])
    p = FormationParams(count=1, kinds=(kind,), size=6.0, distance_min=25.0, distance_max=30.0, **kw)
    f = Formations(p, SeedTree(seed), cam, _ground)
    return f, f.mesh([cam])


@pytest.mark.parametrize("kind", ["arch", "hoodoo", "warped"])
def test_formation_meets_the_ground_through_a_fillet_without_gaps(kind):
    f, m = _formation(kind)
    v = m.vertices.astype(np.float64)
    assert m.n_triangles > 500 and np.all(np.isfinite(v))
    tri = v[m.faces]
    area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    assert area.min() > 0, "no degenerate triangles"
    uniq, counts = _edges(m.faces)
    assert counts.max() <= 2
    off = v[:, 2] - _ground(v[:, 0], v[:, 1])
    b = uniq[counts == 1].ravel()
    assert len(b) > 10 and np.abs(off[b]).max() < f.p.ground_eps + 0.01, "the cut edge lies on the ground"
    assert off.min() > -0.02, "nothing below the ground (buried rock is inside the union)"
    # the fillet: surface above the ground outside the bare rock, low and close to it
    fillet = (f.sdf(v) > 0.2) & (off > 0.05) & (off < f.p.blend)
    assert fillet.sum() > 20
    c = m.vertices.mean(0)
    assert 15.0 < np.hypot(c[0], c[1]) < 40.0 and abs(np.arctan2(c[1], c[0])) < np.radians(40)
    assert off.max() > 3.0  # stands above the ground


def test_formation_mesh_is_deterministic_and_blend_is_a_parameter():
    _, a = _formation("hoodoo", seed=3)
    _, b = _formation("hoodoo", seed=3)
    assert np.array_equal(a.vertices, b.vertices) and np.array_equal(a.faces, b.faces)
    f0, sharp = _formation("hoodoo", seed=3, blend=0.0)
    f2, soft = _formation("hoodoo", seed=3, blend=3.0)
    for f, m in ((f0, sharp), (f2, soft)):
        v = m.vertices.astype(np.float64)
        off = v[:, 2] - _ground(v[:, 0], v[:, 1])
        f.n_fillet = int(((f.sdf(v) > 0.3) & (off > 0.05)).sum())
    assert f0.n_fillet < 0.2 * f2.n_fillet


def test_arch_has_a_hole_under_its_crown():
    from wildsynth.generators.terrain.geology import GeologyParams

    flat = lambda x, y: 0.0 * np.asarray(x) + 0 * np.asarray(y)
    bare = GeologyParams(recess=0.0, joint_open=0.0, block_step=0.0, tafoni_depth=0.0)
    f = Formations(FormationParams(count=1, kinds=("arch",), size=8.0, warp=0.0, distance_min=30.0,
                                   distance_max=30.0, geology=bare), SeedTree(2), _camera([0.0, 0.0, 2.0]), flat)
    it = f.items[0]
    along = np.array([np.cos(it.angle), np.sin(it.angle), 0.0])
    H = 1.15 * it.size * it.jit[2]
    pts = it.centre + np.outer(np.linspace(-0.3, 0.3, 7) * it.size, along) + np.array([0, 0, 0.35 * H])
    assert np.all(f.solid(pts) > 0), "open air under the crown"
    crown = it.centre + np.array([0, 0, 0.86 * H])  # between the opening's top and the fin's top
    assert f.solid(crown[None])[0] < 0, "rock at the crown"


# -- the cave scene: walls + heightfield ground to the horizon ------------------------------------

@pytest.fixture(scope="module")
def cave_scene():
    from wildsynth.scenes import get

    recipe = get("cave")
    _c = compose(recipe, recipe.params(), SeedTree(0), 160, 90)
    scene, rig, report = _c.scene, _c.rig, _c.report
    tris = np.concatenate([o.geometry.vertices[o.geometry.faces].astype(np.float64) for o in scene.objects
                           if hasattr(o.geometry, "faces")])
    return scene, rig, report, tris


def _scene_cave(params, seeds):
    """The cave system the scene built (same parameters and seeds)."""
    from wildsynth.generators.terrain.field import TerrainField

    field = TerrainField(params.terrain, seeds.child("terrain"), params.grid)
    return CaveSystem(params.cave, seeds.child("cave"), field.height)


def test_cave_openings_have_no_gap_seen_from_above(cave_scene):
    """Rays falling on the ground around the shaft and the entrance first hit a front face (the
    ground, or the cave through an opening): none slips through a crack into the rock."""
    scene, rig, _, tris = cave_scene
    eye = rig.main.position
    rng = np.random.default_rng(0)
    xy = eye[:2] + rng.uniform(-25, 25, (1500, 2))
    xy = xy[np.hypot(*(xy - eye[:2]).T) > 0.3]  # the grid leaves a 1-degree cone straight up and down open
    orig = np.concatenate([xy, np.full((len(xy), 1), eye[2] + 80.0)], axis=1)
    dirs = np.tile([0.0, 0.0, -1.0], (len(xy), 1))
    t, side = _first_hit(orig, dirs, tris)
    assert np.all(np.isfinite(t))
    assert np.all(side < 0), "every first hit is a front face"
    assert np.mean(orig[:, 2] - t < eye[2] + 2.0) > 0.005, "some rays fall through the shaft to the chamber"
    # and over the entrance tunnel's mouth
    from wildsynth.scenes import get

    cave = _scene_cave(get("cave").params(), SeedTree(0).child("scene"))
    e0, e1 = cave.entrance
    s_ = rng.uniform(0, 1, 1000)[:, None]
    side_ = np.array([-(e1 - e0)[1], (e1 - e0)[0]]) / np.hypot(*(e1 - e0)[:2])
    xy = e0[:2] + s_ * (e1 - e0)[:2] + rng.uniform(-8, 8, (1000, 1)) * side_
    orig = np.concatenate([xy, np.full((len(xy), 1), e1[2] + 60.0)], axis=1)
    t, side = _first_hit(orig, np.tile([0.0, 0.0, -1.0], (len(xy), 1)), tris)
    assert np.all(np.isfinite(t)) and np.all(side < 0)
    g = next(o for o in scene.objects if o.name == "terrain").geometry
    t_ground, _ = _first_hit(orig, np.tile([0.0, 0.0, -1.0], (len(xy), 1)),
                             g.vertices[g.faces].astype(np.float64))
    assert np.mean(t_ground > t + 0.01) > 0.01, "some rays meet the cave's mouth, not the ground"


def test_cave_world_reaches_the_horizon(cave_scene):
    """From a point on the hills above the cave, rays just below the horizon hit the ground in every
    direction, far beyond the SDF's outer radius: no end of the world."""
    scene, rig, report, tris = cave_scene
    eye = rig.main.position
    top = np.array([eye[0] + 3.0, eye[1] - 2.0, 0.0])
    ground = next(o for o in scene.objects if o.name == "terrain").geometry
    near = np.argmin(np.hypot(ground.vertices[:, 0] - top[0], ground.vertices[:, 1] - top[1]))
    top[2] = ground.vertices[near, 2] + 3.0
    az = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    for el in np.radians([-2.0, -0.7]):
        dirs = np.stack([np.cos(az) * np.cos(el), np.sin(az) * np.cos(el), np.full_like(az, np.sin(el))], -1)
        t, side = _first_hit(np.tile(top, (len(az), 1)), dirs, tris)
        assert np.all(np.isfinite(t)) and np.all(side < 0)
    assert report["terrain"]["sdf_r_max_m"] < 1000.0
    assert t.max() > 2.0 * report["terrain"]["sdf_r_max_m"]


def test_cave_entrance_view_looks_out_without_cracks():
    """The entrance view stands under the ground in the entrance tunnel and sees daylight; every ray
    from it that hits geometry hits a front face (the rim of the cut ground meets the cave's lip)."""
    from wildsynth.scenes import get

    recipe = get("cave")
    p = recipe.params()
    p = p.model_copy(update={"camera": p.camera.model_copy(update={"view": "entrance"})})
    _c = compose(recipe, p, SeedTree(0), 96, 54)
    scene, rig, report = _c.scene, _c.rig, _c.report
    cam = rig.main
    assert report["camera_placement"]["method"] == "proposal"
    assert 0.05 < report["camera_placement"]["sky_fraction"] < 0.6
    tris = np.concatenate([o.geometry.vertices[o.geometry.faces].astype(np.float64) for o in scene.objects
                           if hasattr(o.geometry, "faces")])
    assert report["camera_placement"]["ground_above_m"] > 1.0, "under the rock, not outside"
    d = cam.pixel_rays()[::3, ::3].reshape(-1, 3)
    t, side = _first_hit(np.tile(cam.position, (len(d), 1)), d, tris)
    hit = np.isfinite(t)
    assert 0.05 < np.mean(~hit) < 0.7, "daylight through the mouth"
    assert np.all(side[hit] < 0)
