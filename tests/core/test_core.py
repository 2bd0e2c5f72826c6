import numpy as np
import pytest

from wildsynth.core import (
    Camera,
    Instances,
    Mesh,
    SeedTree,
    look_at,
    opencv_to_opengl,
    opengl_to_opencv,
    rotation_align_z,
    yaw_pitch_to_cam,
)
from wildsynth.core.labels import LABELS, label_id
from wildsynth.generators.rocks import icosphere


def test_seed_tree_is_deterministic_and_independent():
    a = SeedTree(7).child("terrain").rng().random(4)
    b = SeedTree(7).child("terrain").rng().random(4)
    c = SeedTree(7).child("rocks").rng().random(4)
    d = SeedTree(8).child("terrain").rng().random(4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, d)
    assert SeedTree(1).child("x").int() == SeedTree(1).child("x").int()
    with pytest.raises(ValueError):
        SeedTree(-1)


def test_mesh_validation_and_normals():
    m = Mesh([[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 2]])
    assert np.allclose(m.face_normals(), [[0, 0, 1]])
    assert np.allclose(m.vertex_normals(), [[0, 0, 1]] * 3)
    with pytest.raises(ValueError):
        Mesh([[0, 0, 0]], [[0, 1, 2]])
    with pytest.raises(ValueError):
        Mesh([[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 2]], attributes={"slope": np.zeros(2)})


def test_instances_realise_applies_transforms():
    m = Mesh([[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 2]])
    t = np.tile(np.eye(4), (2, 1, 1))
    t[1, :3, 3] = [5, 0, 0]
    r = Instances(m, t).realise()
    assert r.vertices.shape == (6, 3) and r.faces.max() == 5
    assert np.allclose(r.vertices[3], [5, 0, 0])


def test_axes_roundtrip_and_look_at():
    c2w = look_at([1, 2, 3], [4, 2, 3])
    assert np.allclose(c2w[:3, 2], [1, 0, 0])  # z forward
    assert np.allclose(c2w[:3, 1], [0, 0, -1])  # y down (world up is +Z)
    gl = opencv_to_opengl(c2w)
    assert np.allclose(gl[:3, 2], [-1, 0, 0])  # OpenGL looks along -z
    assert np.allclose(opengl_to_opencv(gl), c2w)


def test_camera_project_backproject_roundtrip():
    cam = Camera.from_hfov(64, 48, 70.0, yaw_pitch_to_cam([0, 0, 2], 0.3, -0.2))
    depth = np.full((48, 64), 7.5)
    pts = cam.backproject(depth).reshape(-1, 3)
    uv, z = cam.project(pts)
    uu, vv = np.meshgrid(np.arange(64) + 0.5, np.arange(48) + 0.5)
    assert np.allclose(uv, np.stack([uu.ravel(), vv.ravel()], -1), atol=1e-9)
    assert np.allclose(z, 7.5)
    assert np.allclose(Camera.from_dict(cam.to_dict()).K, cam.K)


def test_rotation_align_z():
    n = np.array([[0, 0, 1.0], [1, 0, 0], [0, 0.6, 0.8], [0, 0, -1 + 1e-12]])
    r = rotation_align_z(n[:3])
    assert np.allclose(r @ [0, 0, 1], n[:3], atol=1e-9)
    assert np.allclose(np.linalg.det(r), 1.0)


def test_labels_registry_is_dense_and_named():
    assert [lab.id for lab in LABELS] == list(range(len(LABELS)))
    assert label_id("sky") == 0 and label_id("rock") == 2
    with pytest.raises(KeyError, match="unknown semantic class"):
        label_id("unicorn")


def test_icosphere_is_closed_and_outward():
    m = icosphere(2)
    e = np.sort(np.concatenate([m.faces[:, [0, 1]], m.faces[:, [1, 2]], m.faces[:, [2, 0]]]), axis=1)
    _, counts = np.unique(e, axis=0, return_counts=True)
    assert np.all(counts == 2)
    centres = m.vertices[m.faces].mean(1)
    assert np.all((m.face_normals() * centres).sum(1) > 0)
