"""Rock formations as geology: strata (hard beds stand out), joints (planar faces), tafoni pits, placement
in the view, meshing for every camera of a shot, determinism."""

import numpy as np
import pytest

from wildsynth.core import SeedTree
from wildsynth.core.axes import yaw_pitch_to_cam
from wildsynth.core.camera import Camera
from wildsynth.generators.terrain.formations import FormationParams, Formations, grounded_faces
from wildsynth.generators.terrain.geology import Geology, GeologyParams
from wildsynth.generators.terrain.sdf import SphericalGridParams, shot_axes, spherical_axes


def _flat(x, y):
    return 0.0 * np.asarray(x, dtype=np.float64) + 0.0 * np.asarray(y, dtype=np.float64)


def _cam(eye=(0.0, 0.0, 2.0), yaw=0.0, pitch=0.05, width=160):
    return Camera.from_hfov(width, width * 9 // 16, 70.0, yaw_pitch_to_cam(np.asarray(eye, float), yaw, pitch))


def _forms(kind, seed=0, cam=None, **kw):
    p = FormationParams(count=1, kinds=(kind,), size=6.0, distance_min=25.0, distance_max=30.0, **kw)
    return Formations(p, SeedTree(seed), cam or _cam(), _flat)


def test_strata_recess_soft_beds_and_leave_hard_ones_standing():
    """On a vertical wall (SDF = x), the weathered surface's retreat follows the bed's softness."""
    g = Geology(GeologyParams(joint_open=0.0, block_step=0.0, tafoni_depth=0.0), np.random.default_rng(3))
    z = np.linspace(0.3, 30.0, 3000)
    q = np.stack([np.zeros_like(z), np.zeros_like(z), z], -1)
    d, bed = g.apply(np.zeros(len(z)), q)
    soft = g.bed_soft[bed]
    # retreat = recess * softness within a bed (the short ramps between beds blur it a little)
    assert np.corrcoef(d, soft)[0, 1] > 0.85
    assert np.allclose(np.median(d / np.maximum(soft, 1e-3)), g.p.recess, rtol=0.1)
    assert d.max() - d.min() > 0.5 * g.p.recess, "beds differ by a good part of the recess"
    assert len(np.unique(bed)) > 15, "many beds over 30 m"


def test_open_joints_cut_planar_slots():
    g = Geology(GeologyParams(joint_open=1.0, joint_width=0.3, recess=0.0, block_step=0.0, tafoni_depth=0.0),
                np.random.default_rng(1))
    n = g.joint_n[0]
    s = g.joint_s[0]
    # along the first set's normal: air (d > 0) only in slots centred on the joint planes
    u = np.linspace(0.0, 10 * s, 20000)
    q = np.outer(u, n) + np.array([0.0, 0.0, 5.0])
    d, _ = g.apply(np.full(len(u), -5.0), q)  # deep inside a solid
    air = d > 0
    assert air.any() and air.mean() < 0.3
    near_plane = np.zeros(len(u), bool)  # within the widest slot of a plane of either set
    for nk, sk, wk in zip(g.joint_n, g.joint_s, g.joint_w):
        x = q @ nk / sk
        near_plane |= np.abs(x - np.rint(x)) * sk <= wk + 1e-6
    assert np.all(near_plane[air]), "slots on the joint planes only"
    assert (air & (np.abs(q @ n / s - np.rint(q @ n / s)) * s < 0.05)).sum() > 0, "set 0 cuts along the line"


def test_tafoni_pits_honeycomb():
    g = Geology(GeologyParams(recess=0.0, joint_open=0.0, block_step=0.0, tafoni_cover=1.0, tafoni_depth=0.3),
                np.random.default_rng(2))
    rng = np.random.default_rng(0)
    q = rng.uniform(0, 10, (20000, 3))
    d, _ = g.apply(np.zeros(len(q)), q)
    assert d.min() >= 0.0 and d.max() > 0.2, "pits remove rock, up to their depth"
    assert 0.05 < np.mean(d < 0.02) < 0.8, "thin walls between the pits stay"


@pytest.mark.parametrize("kind", ["arch", "hoodoo", "butte", "mesa", "outcrop"])
def test_every_kind_stands_on_the_ground_in_view(kind):
    cam = _cam()
    f = _forms(kind, cam=cam)
    m = f.mesh([cam])
    v = m.vertices.astype(np.float64)
    assert m.n_triangles > 300 and np.all(np.isfinite(v))
    e = np.sort(np.concatenate([m.faces[:, [0, 1]], m.faces[:, [1, 2]], m.faces[:, [2, 0]]]), axis=1)
    assert np.unique(e, axis=0, return_counts=True)[1].max() <= 2, "manifold"
    assert grounded_faces(m, _flat, f.p.ground_eps + 0.3).all(), "no piece hangs in the air"
    uv, z = cam.project(v)
    seen = (z > 0) & (uv[:, 0] >= 0) & (uv[:, 0] < cam.width) & (uv[:, 1] >= 0) & (uv[:, 1] < cam.height)
    assert seen.mean() > 0.3, "the formation is placed in the view"
    assert v[:, 2].max() > 3.0


def test_butte_walls_show_strata_ledges():
    """A butte's wall (steep faces) retreats bed by bed: wall radius at each height follows the softness."""
    cam = _cam(width=320)
    f = _forms("butte", seed=4, cam=cam, warp=0.0,
               geology=GeologyParams(recess=1.2, joint_open=0.0, block_step=0.0, tafoni_depth=0.0))
    it = f.items[0]
    m = f.mesh([cam])
    v = m.vertices.astype(np.float64)
    nrm = m.vertex_normals() if hasattr(m, "vertex_normals") else None
    q = v - it.centre
    ca, sa = np.cos(it.angle), np.sin(it.angle)
    a, b = q[:, 0] * ca + q[:, 1] * sa, -q[:, 0] * sa + q[:, 1] * ca
    H = 1.5 * it.size * it.jit[1]
    wall = (q[:, 2] > 0.45 * H) & (q[:, 2] < 0.9 * H)  # above the talus apron, below the top
    assert wall.sum() > 100
    ell = np.hypot(a / (1.6 * it.size * it.jit[0]), b / (1.6 * it.size * it.jit[0] * 0.75 * it.jit[2]))
    _, bed = it.geology.apply(np.zeros(len(q)), q)
    soft = it.geology.bed_soft[bed]
    c = np.corrcoef(ell[wall], soft[wall])[0, 1]
    assert c < -0.3, f"softer beds lie further in (corr {c:.2f})"
    del nrm


def test_formations_are_deterministic_and_differ_by_seed():
    a, b, c = _forms("arch", seed=5), _forms("arch", seed=5), _forms("arch", seed=6)
    cam = _cam()
    ma, mb, mc = a.mesh([cam]), b.mesh([cam]), c.mesh([cam])
    assert np.array_equal(ma.vertices, mb.vertices) and np.array_equal(ma.faces, mb.faces)
    assert ma.n_triangles != mc.n_triangles or not np.array_equal(ma.vertices, mc.vertices)


def test_placement_ignores_the_output_size():
    big, small = _cam(width=1280), _cam(width=96)
    a, b = _forms("hoodoo", seed=2, cam=big), _forms("hoodoo", seed=2, cam=small)
    assert np.allclose(a.items[0].centre, b.items[0].centre) and a.items[0].angle == b.items[0].angle


def test_one_camera_shot_axes_match_its_own_view():
    cam = _cam(width=320)
    gp = SphericalGridParams(pixels_per_voxel=2.0, margin_deg=10.0)
    eye, (t, p, r) = shot_axes([cam], gp, [(np.array([30.0, 0.0, 2.0]), 8.0)])
    assert np.allclose(eye, cam.position)
    t0, p0, _ = spherical_axes(cam.position, 0.0, 0.05, cam.hfov, 2 * np.arctan(0.5 * cam.height / cam.K[1, 1]),
                               cam.width, gp)
    assert np.isclose(np.diff(t).min(), np.diff(t0).min(), rtol=0.03)
    assert np.isclose(np.diff(p).min(), np.diff(p0).min(), rtol=0.03)
    assert r[0] > 15.0 and r[-1] >= 38.0, "radii span the ball only"


def test_formations_mesh_for_every_camera_of_a_shot():
    """A second camera 6 m to the side, turned towards the formation's far flank: the shot's mesh is fine
    where that camera looks, the first camera's alone is not."""
    c1 = _cam(width=320)
    f = _forms("outcrop", seed=1, cam=c1)
    it = f.items[0]
    side = it.centre + np.array([0.0, 25.0, 0.0])
    yaw2 = float(np.arctan2(it.centre[1] - side[1], it.centre[0] - side[0]))
    c2 = _cam(eye=(side[0], side[1], 2.0), yaw=yaw2, width=320)
    one, both = f.mesh([c1]), f.mesh([c1, c2])
    v1, v2 = one.vertices.astype(np.float64), both.vertices.astype(np.float64)

    def edges_px(m, cam):
        v = m.vertices.astype(np.float64)
        uv, z = cam.project(v)
        t = uv[m.faces]
        ok = (z[m.faces] > 0).all(1) & ((t[..., 0] > 0) & (t[..., 0] < cam.width) & (t[..., 1] > 0)
                                         & (t[..., 1] < cam.height)).all(1)
        return np.linalg.norm(t[ok, 1] - t[ok, 0], axis=1)

    assert np.median(edges_px(both, c2)) < 0.75 * np.median(edges_px(one, c2))
    assert np.median(edges_px(both, c2)) < 4.0
    assert len(v2) > len(v1)
