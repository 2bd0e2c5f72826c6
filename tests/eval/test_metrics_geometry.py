"""Closed-form checks of the surface, set and feature metrics, and of the mesh readers."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from wildsynth.eval.features import feature_metrics, frechet_distance, frechet_from_moments, kid, nearest_train
from wildsynth.eval.geometry import mesh_metrics, sample_surface, surface_metrics
from wildsynth.eval.meshio import read_mesh, read_points
from wildsynth.eval.sets import set_metrics


def sphere_points(n, rng, centre=(0.0, 0.0, 0.0), radius=1.0):
    p = rng.normal(size=(n, 3))
    p /= np.linalg.norm(p, axis=1, keepdims=True)
    return radius * p + np.asarray(centre), p


def shifted_sphere_chamfer_l1(d):
    """E over the unit sphere of the distance to the unit sphere shifted by d (< 2), which is
    |sqrt(1 + d^2 - 2 d u) - 1| with u = cos(theta) uniform on [-1, 1]: integrated in closed form."""
    u0 = d / 2

    def F(u):  # an antiderivative of sqrt(1 + d^2 - 2 d u)
        return -((1 + d * d - 2 * d * u) ** 1.5) / (3 * d)

    below = F(u0) - F(-1) - (u0 + 1)  # s > 1 on [-1, u0]
    above = (1 - u0) - (F(1) - F(u0))  # s < 1 on [u0, 1]
    return 0.5 * (below + above)  # the mean over u, the same both ways by symmetry


def test_chamfer_of_a_shifted_sphere():
    rng = np.random.default_rng(0)
    d = 0.3
    a, na = sphere_points(20_000, rng)
    b, nb = sphere_points(20_000, rng, (d, 0, 0))
    m = surface_metrics(a, b, na, nb)
    assert m["chamfer_l1"] == pytest.approx(shifted_sphere_chamfer_l1(d), rel=0.02)
    # a point's nearest on the other sphere lies on the ray from that sphere's centre: normals agree
    # with the radial direction there, so the consistency is E|n_a . (p - c_b)/|p - c_b||
    assert 0.9 < m["normal_consistency"] < 1.0
    same = surface_metrics(a[:5000], a[:5000], na[:5000], na[:5000])
    assert same["chamfer_l1"] == 0.0 and same["fscore"] == 1.0 and same["normal_consistency"] == pytest.approx(1.0)


def test_fscore_counts_points_within_the_threshold():
    rng = np.random.default_rng(1)
    g = rng.uniform(0, 1, (2000, 3))
    diag = np.linalg.norm(g.max(0) - g.min(0))
    p = g.copy()
    p[:500] += [0, 0, 10 * diag]  # a quarter of the prediction far away
    m = surface_metrics(p, g, fscore_ratio=0.01)
    assert m["precision"] == pytest.approx(0.75) and m["fscore_threshold"] == pytest.approx(0.01 * diag)
    assert m["recall"] >= 0.75 and m["normal_consistency"] is None


def _uv_sphere(n=24):
    th, ph = np.meshgrid(np.linspace(0, np.pi, n + 1)[1:-1], np.linspace(0, 2 * np.pi, 2 * n, endpoint=False),
                         indexing="ij")
    v = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], -1).reshape(-1, 3)
    v = np.vstack([v, [[0, 0, 1], [0, 0, -1]]])
    rows, cols = n - 1, 2 * n
    idx = np.arange(rows * cols).reshape(rows, cols)
    quads = [(idx[i, j], idx[i + 1, j], idx[i + 1, (j + 1) % cols], idx[i, (j + 1) % cols])
             for i in range(rows - 1) for j in range(cols)]
    tris = [t for a, b, c, d in quads for t in ((a, b, c), (a, c, d))]
    top, bot = len(v) - 2, len(v) - 1
    tris += [(top, idx[0, (j + 1) % cols], idx[0, j]) for j in range(cols)]
    tris += [(bot, idx[-1, j], idx[-1, (j + 1) % cols]) for j in range(cols)]
    return v, np.array(tris, np.int64)


def test_surface_samples_are_area_uniform_and_on_the_mesh():
    v, f = _uv_sphere()
    pts, nrm = sample_surface(v, f, 20000, np.random.default_rng(0))
    r = np.linalg.norm(pts, axis=1)
    assert r.max() <= 1 + 1e-9 and r.min() > 0.98  # on the faces, inside the unit sphere
    assert abs(np.mean(pts[:, 2] > 0) - 0.5) < 0.02  # both halves of the area equally
    assert np.abs(np.einsum("nc,nc->n", nrm, pts / r[:, None])).min() > 0.95


def _write_ply_ascii(path, v, f):
    lines = ["ply", "format ascii 1.0", f"element vertex {len(v)}", "property float x", "property float y",
             "property float z", f"element face {len(f)}", "property list uchar int vertex_indices", "end_header"]
    lines += [" ".join(f"{x:.9g}" for x in p) for p in v] + [f"3 {a} {b} {c}" for a, b, c in f]
    path.write_text("\n".join(lines) + "\n")


def _write_ply_binary(path, v, f):
    head = (f"ply\nformat binary_little_endian 1.0\nelement vertex {len(v)}\nproperty double x\nproperty double y\n"
            f"property double z\nelement face {len(f)}\nproperty list uchar uint vertex_indices\nend_header\n")
    body = v.astype("<f8").tobytes() + b"".join(struct.pack("<B3I", 3, *t) for t in f)
    path.write_bytes(head.encode() + body)


def _write_obj_quads(path, v, f):
    # faces as quads where two triangles share an edge (a, b, c) + (a, c, d) -> (a, b, c, d), else triangles
    lines = [f"v {x:.17g} {y:.17g} {z:.17g}" for x, y, z in v]
    lines += [f"f {a + 1}/1 {b + 1}/1 {c - len(v)}" for a, b, c in f]  # negative (relative) indices too
    path.write_text("\n".join(lines) + "\n")


def _write_glb(path, v, f):
    from wildsynth.io.glb import write_glb

    vb, ib = v.astype("<f4").tobytes(), f.astype("<u4").tobytes()
    doc = {"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}],
           "nodes": [{"children": [1], "translation": [1.0, 0, 0]}, {"mesh": 0, "scale": [2.0, 2.0, 2.0]}],
           "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
           "buffers": [{"byteLength": len(vb) + len(ib)}],
           "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(vb)},
                           {"buffer": 0, "byteOffset": len(vb), "byteLength": len(ib)}],
           "accessors": [{"bufferView": 0, "componentType": 5126, "count": len(v), "type": "VEC3"},
                         {"bufferView": 1, "componentType": 5125, "count": f.size, "type": "SCALAR"}]}
    write_glb(path, doc, vb + ib)


def test_mesh_readers_read_what_was_written(tmp_path):
    v, f = _uv_sphere(8)
    for name, writer in (("a.ply", _write_ply_ascii), ("b.ply", _write_ply_binary), ("c.obj", _write_obj_quads)):
        writer(tmp_path / name, v, f)
        rv, rf = read_mesh(tmp_path / name)
        assert np.allclose(rv, v, atol=1e-6) and np.array_equal(rf, f), name
    _write_glb(tmp_path / "d.glb", v, f)
    rv, rf = read_mesh(tmp_path / "d.glb")
    assert np.allclose(rv, 2 * v + [1, 0, 0], atol=1e-6) and np.array_equal(rf, f)  # node transforms applied
    quad = tmp_path / "q.obj"
    quad.write_text("v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n")
    assert read_mesh(quad)[1].tolist() == [[0, 1, 2], [0, 2, 3]]
    np.savez(tmp_path / "p.npz", points=v, normals=v)
    pts, nrm = read_points(tmp_path / "p.npz")
    assert np.array_equal(pts, v) and np.array_equal(nrm, v)


def test_mesh_metrics_of_a_mesh_against_itself_and_a_scaled_copy():
    v, f = _uv_sphere(16)
    same = mesh_metrics(v, f, v, f, n=20000, seed=0)
    assert same["fscore"] > 0.99 and same["normal_consistency"] > 0.99 and same["chamfer_l1"] < 0.02  # sample spacing
    big = mesh_metrics(1.1 * v, f, v, f, n=20000, seed=0)
    assert big["chamfer_l1"] == pytest.approx(0.1, rel=0.1) and big["fscore"] < 0.05


def _gaussian(rng, n, mu, cov):
    return rng.multivariate_normal(mu, cov, size=n)


def test_frechet_distance_of_two_gaussians():
    mu1, mu2 = np.array([0.0, 1.0, -1.0]), np.array([0.5, 0.0, 1.0])
    c1, c2 = np.diag([1.0, 2.0, 0.5]), np.diag([0.5, 2.0, 2.0])
    exact = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(np.diag(c1)) - np.sqrt(np.diag(c2))) ** 2)
    assert frechet_from_moments(mu1, c1, mu2, c2) == pytest.approx(exact, rel=1e-9)
    r = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))[0]  # the same rotation of both
    assert frechet_from_moments(r @ mu1, r @ c1 @ r.T, r @ mu2, r @ c2 @ r.T) == pytest.approx(exact, rel=1e-7)
    rng = np.random.default_rng(1)
    a, b = _gaussian(rng, 20000, mu1, c1), _gaussian(rng, 20000, mu2, c2)
    assert frechet_distance(a, b) == pytest.approx(exact, rel=0.03)


def test_kid_is_zero_within_its_spread_for_one_distribution_and_not_for_two():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(600, 8))
    b = rng.normal(size=(600, 8))
    same = kid(a, b, subsets=20, subset_size=300)
    assert abs(same["kid"]) <= 2 * same["kid_std"] and same["kid_std"] > 0
    other = kid(a, b + 0.5, subsets=20, subset_size=300)
    assert other["kid"] > 10 * other["kid_std"]


def test_nearest_training_sample_finds_a_memorised_copy():
    rng = np.random.default_rng(3)
    train = rng.normal(size=(300, 8))
    gen = np.vstack([train[[7]] + 1e-6, rng.normal(size=(20, 8))])
    nt = nearest_train(gen, train)
    assert nt["min"] < 1e-5 and nt["closest_pair"] == [0, 7] and nt["median"] > 0.5
    m = feature_metrics(gen, rng.normal(size=(50, 8)), train, subsets=5, subset_size=20)
    assert set(m) >= {"fd", "kid", "kid_std", "nearest_train"}


def _blobs(rng, n, kind):
    out = []
    for _ in range(n):
        p = rng.normal(size=(128, 3))
        if kind == "sphere":
            p /= np.linalg.norm(p, axis=1, keepdims=True)
        else:  # cube surface
            p = rng.uniform(-1, 1, (128, 3))
            ax = rng.integers(0, 3, 128)
            p[np.arange(128), ax] = rng.choice([-1.0, 1.0], 128)
        out.append(p * rng.uniform(0.8, 1.2))
    return out


def test_set_metrics_one_nna_near_half_for_one_distribution_and_one_for_two():
    rng = np.random.default_rng(4)
    ref = _blobs(rng, 20, "sphere")
    same = set_metrics(_blobs(rng, 20, "sphere"), ref, metric="l2")
    assert 0.3 <= same["one_nna"] <= 0.7 and same["cov"] > 0.3
    other = set_metrics(_blobs(rng, 20, "cube"), ref, metric="l1")
    assert other["one_nna"] > 0.95 and other["mmd"] > same["mmd"]
    ident = set_metrics(ref, ref, train=ref)
    assert ident["mmd"] == 0.0 and ident["cov"] == 1.0 and ident["nearest_train"]["min"] == 0.0
    json.dumps(ident)
