import numpy as np
import pytest
from conftest import build_tiny
from hypothesis import given, settings
from hypothesis import strategies as st

from wildsynth.core import SeedTree
from wildsynth.core.axes import yaw_pitch_to_cam
from wildsynth.core.camera import Camera
from wildsynth.generators.noise import fbm2, fbm3, perm_table
from wildsynth.generators.rocks import RockParams, rock_mesh, scatter_rocks
from wildsynth.generators.terrain import Heightfield, TerrainParams


def test_noise_is_deterministic_and_bounded():
    p = perm_table(np.random.default_rng(1))
    x = np.linspace(-100, 100, 5000)
    a, b = fbm2(x, x * 0.3, p), fbm2(x, x * 0.3, p)
    assert np.array_equal(a, b)
    assert np.all(np.abs(a) <= 1.5) and a.std() > 0.05
    r = fbm2(x, x * 0.3, p, ridged=True)
    assert r.min() >= 0 and r.max() <= 1
    q = fbm3(np.stack([x, -x, x * 0.5], -1) * 0.1, p)
    assert np.all(np.isfinite(q)) and q.std() > 0.02


def test_terrain_mesh_is_crack_free_and_up_facing():
    field = Heightfield(TerrainParams(), SeedTree(0).child("terrain"))
    cam = Camera.from_hfov(200, 150, 70.0, yaw_pitch_to_cam(np.array([3.0, -2.0, 5.0]), 1.0, 0.0))
    m = field.mesh_for([cam])
    assert np.all(np.isfinite(m.vertices))
    assert np.all(m.face_normals()[:, 2] > 0)
    # every interior edge is shared by exactly two faces; boundary edges lie on the outer ring only
    e = np.sort(np.concatenate([m.faces[:, [0, 1]], m.faces[:, [1, 2]], m.faces[:, [2, 0]]]), axis=1)
    uniq, counts = np.unique(e, axis=0, return_counts=True)
    boundary = uniq[counts == 1]
    r = np.hypot(m.vertices[:, 0] - 3.0, m.vertices[:, 1] + 2.0)
    assert np.all(counts <= 2)
    assert np.allclose(r[boundary.ravel()], r.max(), rtol=1e-5)
    assert m.vertices[:, 2].max() > 100  # the mountains are there


def test_changing_rocks_does_not_change_terrain():
    a, _ = build_tiny(5)
    b, _ = build_tiny(5, {"rocks": {"count": 10, "size_median": 1.5}})
    ta, tb = a.objects[0], b.objects[0]
    assert ta.name == tb.name == "terrain"
    field_a = Heightfield(TerrainParams(), SeedTree(5).child("scene").child("terrain"))
    xs = np.linspace(-500, 500, 101)
    # the height function (and so the surface) is the same; only the camera may move
    assert np.array_equal(field_a.height(xs, xs), Heightfield(TerrainParams(), SeedTree(5).child("scene").child("terrain")).height(xs, xs))
    # the meshes lie on it, up to the material's displacement (a few cm of soil relief)
    za = field_a.height(ta.geometry.vertices[:, 0], ta.geometry.vertices[:, 1])
    assert np.allclose(za, ta.geometry.vertices[:, 2], atol=0.05)
    zb = field_a.height(tb.geometry.vertices[:, 0], tb.geometry.vertices[:, 1])
    assert np.allclose(zb, tb.geometry.vertices[:, 2], atol=0.05)


def test_rock_count_and_spacing():
    field = Heightfield(TerrainParams(), SeedTree(0).child("terrain"))
    params = RockParams(count=60, radius=40.0)
    sets = scatter_rocks(params, SeedTree(0).child("rocks"), field.height, field.normal)
    pos = np.concatenate([s.transforms[:, :3, 3] for s in sets])
    assert len(pos) == 60
    assert np.all(np.hypot(pos[:, 0], pos[:, 1]) <= 40.0 + 1e-6)
    d = np.linalg.norm(pos[:, None, :2] - pos[None, :, :2], axis=-1) + np.eye(len(pos)) * 1e9
    assert d.min() > 0.1


@settings(max_examples=15, deadline=None)
@given(roughness=st.floats(0.0, 0.6), subdiv=st.integers(1, 3), seed=st.integers(0, 2**31 - 1))
def test_rock_meshes_valid_across_parameter_range(roughness, subdiv, seed):
    m = rock_mesh(RockParams(roughness=roughness, subdivisions=subdiv), np.random.default_rng(seed))
    assert np.all(np.isfinite(m.vertices))
    v = m.vertices.astype(np.float64)[m.faces]
    area = np.linalg.norm(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]), axis=1)
    assert area.min() > 1e-8  # no degenerate triangles
    e = np.sort(np.concatenate([m.faces[:, [0, 1]], m.faces[:, [1, 2]], m.faces[:, [2, 0]]]), axis=1)
    assert np.all(np.unique(e, axis=0, return_counts=True)[1] == 2)  # watertight


def test_rock_params_reject_out_of_range():
    with pytest.raises(ValueError):
        RockParams(count=-1)
