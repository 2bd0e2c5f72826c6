"""Object sets without rendering: the asset registry, surface samples, cameras, splits, the CLI's checks."""

from __future__ import annotations

import math
import string
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare
from typer.testing import CliRunner

from wildsynth.cli import app
from wildsynth.core.seeds import SeedTree
from wildsynth.generators.assets import asset_kinds, build_asset, groups, resolve_kinds
from wildsynth.objects.build import normalisation, plan
from wildsynth.objects.cameras import blender_world_to_camera, relative_pose, sphere_cameras
from wildsynth.objects.params import ObjectSetParams
from wildsynth.objects.sampling import sample_surface, triangle_areas


def test_registry_has_every_family_and_each_builds_deterministically():
    names = {k.name for k in asset_kinds()}
    assert {"rocks", "trees", "plants"} <= set(groups())
    assert {"rock_boulder", "tree_oak", "bush", "cactus_saguaro", "mushroom", "flower", "fern"} <= names
    # every kind of this package's generators builds; of the bridged registries (creatures, sea life,
    # tested by their own packages) the first kind of each group
    bridged = [g for g in groups() if g not in ("rocks", "trees", "plants")]
    for k in [k for k in asset_kinds() if k.group not in bridged] + [asset_kinds(g)[0] for g in bridged]:
        ma = build_asset(k.name, 5).mesh()[0]
        assert ma.n_triangles > 0 and np.isfinite(ma.vertices).all(), k.name
    for name in ("rock_chunk", "sapling", "flower", "cactus_barrel"):
        ma, mb = build_asset(name, 5).mesh()[0], build_asset(name, 5).mesh()[0]
        assert np.array_equal(ma.vertices, mb.vertices) and np.array_equal(ma.faces, mb.faces), name
    assert not np.array_equal(build_asset("rock_boulder", 1).mesh()[0].vertices,
                              build_asset("rock_boulder", 2).mesh()[0].vertices)
    assert resolve_kinds("rocks,mushroom")[-1] == "mushroom"


def test_tree_leaves_are_realised_into_one_mesh():
    a = build_asset("tree_broadleaf", 0)
    leaves = [p for p in a.realised() if p.name == "leaves"]
    assert leaves and leaves[0].geometry.n_triangles > 10000
    mesh, part = a.mesh()
    assert part.max() == 1 and len(part) == mesh.n_triangles


def _point_triangle_distance(p: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """Distance of points to their triangles' planes, and whether their barycentrics are inside."""
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
    n = np.cross(b - a, c - a)
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    d = np.abs(((p - a) * n).sum(1))
    v0, v1, v2 = b - a, c - a, p - a
    d00, d01, d11 = (v0 * v0).sum(1), (v0 * v1).sum(1), (v1 * v1).sum(1)
    d20, d21 = (v2 * v0).sum(1), (v2 * v1).sum(1)
    den = d00 * d11 - d01 * d01
    v, w = (d11 * d20 - d01 * d21) / den, (d00 * d21 - d01 * d20) / den
    return d, (v >= -1e-9) & (w >= -1e-9) & (v + w <= 1 + 1e-9)


def _equal_area_bins(area: np.ndarray, bins: int) -> np.ndarray:
    return np.minimum((np.cumsum(area) - area / 2) / area.sum() * bins, bins - 1).astype(int)


def test_surface_samples_lie_on_the_mesh_and_are_area_uniform():
    a = build_asset("mushroom", 3)
    mesh = a.mesh()[0].transformed(normalisation(*a.bounds())[2])
    s = sample_surface(mesh, 40000, np.random.default_rng(0))
    tri = mesh.vertices.astype(np.float64)[mesh.faces[s.face]]
    dist, inside = _point_triangle_distance(s.points, tri)
    assert dist.max() < 1e-6 and inside.all()
    assert np.allclose(np.linalg.norm(s.normals, axis=1), 1.0)
    # chi-square over 40 regions of equal area: faces sorted by area, so small and large faces
    # fall in different regions
    area = triangle_areas(mesh)
    order = np.argsort(area, kind="stable")
    region = np.empty(len(area), dtype=int)
    region[order] = _equal_area_bins(area[order], 40)
    expected = np.bincount(region, weights=area, minlength=40) / area.sum() * len(s.face)
    counts = np.bincount(region[s.face], minlength=40)
    assert chisquare(counts, expected).pvalue > 1e-3
    # the test can fail: one sample per face regardless of area is not area-uniform
    faces = np.random.default_rng(1).integers(0, mesh.n_triangles, 40000)
    assert chisquare(np.bincount(region[faces], minlength=40), expected).pvalue < 1e-6


def test_sphere_cameras_look_at_the_origin_in_range():
    cams, sph = sphere_cameras(SeedTree(4).child("views"), 50, 32, (1.5, 2.2))
    for cam, (polar, az, r) in zip(cams, sph):
        assert 1.5 <= np.linalg.norm(cam.position) <= 2.2 and math.isclose(np.linalg.norm(cam.position), r)
        uv, z = cam.project(np.zeros((1, 3)))
        assert np.allclose(uv, 16.0) and z[0] > 0
        expect = r * np.array([np.sin(polar) * np.cos(az), np.sin(polar) * np.sin(az), np.cos(polar)])
        assert np.allclose(cam.position, expect)
        rt = blender_world_to_camera(cam)
        # Blender camera axes: the origin is straight ahead, along -z, at distance r
        assert np.allclose(rt[:3, :3] @ np.zeros(3) + rt[:3, 3], [0.0, 0.0, -r])
    # hemisphere: cameras above the ground plane only
    _, up = sphere_cameras(SeedTree(4), 50, 32, (2.0, 2.0), hemisphere=True)
    assert (up[:, 0] <= np.pi / 2).all() and np.allclose(up[:, 2], 2.0)


def test_relative_pose_matches_the_spherical_draws():
    cams, sph = sphere_cameras(SeedTree(9), 6, 32, (1.5, 2.2))
    for t in range(6):
        for c in range(6):
            got = relative_pose(blender_world_to_camera(cams[t]), blender_world_to_camera(cams[c]))
            da = sph[t, 1] - sph[c, 1]
            want = [sph[t, 0] - sph[c, 0], np.sin(da), np.cos(da), sph[t, 2] - sph[c, 2]]
            assert np.allclose(got, want, atol=1e-9)
    # camera-to-world matrices (the wrong file) do not give it
    wrong = relative_pose(np.linalg.inv(blender_world_to_camera(cams[0]).tolist() + [[0, 0, 0, 1]])[:3],
                          np.linalg.inv(blender_world_to_camera(cams[1]).tolist() + [[0, 0, 0, 1]])[:3])
    right = relative_pose(blender_world_to_camera(cams[0]), blender_world_to_camera(cams[1]))
    assert not np.allclose(wrong, right, atol=1e-3)


def test_splits_are_by_asset_seed_and_stable():
    p = ObjectSetParams(kind="rocks,plants", count=400, views=3, size=32)
    rows = plan(p)
    seeds = [r["seed"] for r in rows]
    assert len(set(seeds)) == len(seeds)
    by = {s: {r["seed"] for r in rows if r["split"] == s} for s in ("train", "val", "test")}
    assert not (by["train"] & by["val"]) and not (by["train"] & by["test"]) and not (by["val"] & by["test"])
    assert 0.7 < len(by["train"]) / 400 < 0.9 and len(by["val"]) > 10 and len(by["test"]) > 10
    # an asset's seed and split do not depend on the count, the image size or the views
    again = plan(p.model_copy(update={"count": 50, "size": 128, "views": 12}))
    assert again == rows[:50]


@pytest.mark.parametrize("args, flag", [
    (["--kind", "nope", "--count", "2"], "--kind"), (["--kind", "rocks", "--count", "0"], "--count"),
    (["--kind", "rocks", "--count", "2", "--size", "4"], "--size"),
    (["--kind", "rocks", "--count", "2", "--layout", "colmap"], "--layout"),
    (["--kind", "rocks", "--count", "2", "--split", "0.5,0.6,0.1"], "--split"),
    (["--kind", "rocks", "--count", "2", "--views", "-1"], "--views"),
    (["--kind", "rocks", "--count", "1", "--size", "4096", "--views", "1000"], "--size 4096 --views 1000: needs"),
])
def test_cli_refuses_bad_flags_in_one_line(tmp_path, args, flag):
    out = tmp_path / "set"
    r = CliRunner().invoke(app, ["objects", *args, "--out", str(out)])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {flag}"), r.stderr
    assert not out.exists()


_words = st.text(alphabet=string.ascii_letters + string.digits + "._-=,:/ \n\x00é", max_size=16)
_ints = st.one_of(st.integers(-3, 70), st.integers(-(2**70), 2**70))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_cli_fuzz_never_a_traceback(tmp_path, data):
    opts = {"--kind": st.one_of(st.sampled_from(["rocks", "mushroom,fern", "all", "nope", ""]), _words),
            "--count": _ints, "--views": _ints, "--size": _ints, "--samples": _ints, "--points": _ints,
            "--seed": _ints, "--layout": st.one_of(st.sampled_from(["zero123", "pointe", "nerf"]), _words),
            "--light": st.one_of(st.sampled_from(["uniform", "sky"]), _words),
            "--split": st.one_of(st.sampled_from(["0.8,0.1,0.1", "1,0,0", "nan,0,1", "0.5,0.5"]), _words),
            "--device": st.one_of(st.sampled_from(["cpu", "auto", "tpu"]), _words),
            "--out": st.sampled_from([str(tmp_path / "a"), "", str(tmp_path / "f" / "x"), str(tmp_path / ("y" * 300))])}
    (tmp_path / "f").write_text("x")
    names = data.draw(st.lists(st.sampled_from(sorted(opts)), unique=True, max_size=8))
    args = ["objects"] + [a for n in names for a in (n, str(data.draw(opts[n])))]
    with mock.patch("wildsynth.objects.build.make_object_set", side_effect=AssertionError("rendered")):
        r = CliRunner().invoke(app, args)
    assert isinstance(r.exception, (SystemExit, AssertionError, type(None))), (args, repr(r.exception))
    assert "Traceback" not in r.output
    if isinstance(r.exception, AssertionError):  # every check passed: only then may it reach the renderer
        assert str(r.exception) == "rendered", args
        return
    assert r.exit_code == 2, (args, r.output)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (args, r.stderr)


def test_cli_refuses_a_set_another_run_is_writing(tmp_path):
    from wildsynth.io.lock import RunLock
    from wildsynth.objects.build import LOCK

    out = tmp_path / "set"
    out.mkdir()
    with RunLock(out / LOCK), mock.patch("wildsynth.objects.build.render_object",
                                        side_effect=AssertionError("rendered")):
        r = CliRunner().invoke(app, ["objects", "--kind", "rocks", "--count", "1", "--out", str(out)])
    assert r.exit_code == 2 and "locked by pid" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in out.iterdir()) == []
