"""`wildsynth evaluate`: every task from files as wildsynth writes them, JSON out, one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from caption_runs import fake_run
from typer.testing import CliRunner

from wildsynth.cli import app
from wildsynth.io import write_exr, write_png
from wildsynth.io.pfm import write_pfm

runner = CliRunner()


def evaluate(*args, code=0):
    r = runner.invoke(app, ["evaluate", *map(str, args)])
    assert r.exit_code == code, r.output
    if code == 2:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.output, r.stderr
        return lines[0]
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    """A frame folder with the files a run writes (depth.exr, normal.exr, image.png)."""
    d = tmp_path_factory.mktemp("frame")
    rng = np.random.default_rng(0)
    depth = rng.uniform(2, 30, (32, 40)).astype(np.float32)
    depth[:4] = np.inf
    write_exr(d / "depth.exr", {"Z": depth})
    write_pfm(d / "depth.pfm", depth)
    n = rng.normal(size=(32, 40, 3)).astype(np.float32)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    write_exr(d / "normal.exr", {"X": n[..., 0], "Y": n[..., 1], "Z": n[..., 2]})
    write_png(d / "image.png", (rng.uniform(0, 1, (32, 40, 3)) * 255).astype(np.uint8))
    return d


def test_depth_from_a_frame_folder_with_alignment(frame, tmp_path):
    from wildsynth.io.exr import read_exr_image

    gt = read_exr_image(frame / "depth.exr")
    np.save(tmp_path / "pred.npy", 0.5 * gt + 1.0)
    out = tmp_path / "m.json"
    m = evaluate("--task", "depth", tmp_path / "pred.npy", frame, "--out", out)
    assert m["valid_pixels"] == 28 * 40 and m["scale_shift"]["abs_rel"] < 1e-6 and m["none"]["abs_rel"] > 0.1
    assert json.loads(out.read_text()) == m
    np.save(tmp_path / "disp.npy", 3.0 / gt + 0.2)
    d = evaluate("--task", "depth", tmp_path / "disp.npy", frame / "depth.pfm", "--pred-kind", "disparity")
    assert d["scale_shift"]["abs_rel"] < 1e-5


def test_normals_and_nvs(frame, tmp_path):
    m = evaluate("--task", "normals", frame / "normal.exr", frame)
    assert m["mean_deg"] < 1e-3 and m["pct_below_11.25"] == 100.0
    mask = np.zeros((32, 40), np.uint8)
    mask[:, :20] = 255
    write_png(tmp_path / "mask.png", mask)
    img = np.asarray(__import__("imageio.v3", fromlist=["imread"]).imread(frame / "image.png")).copy()
    img[:, 20:] = 0
    write_png(tmp_path / "pred.png", img)
    assert evaluate("--task", "nvs", tmp_path / "pred.png", frame, "--mask", tmp_path / "mask.png")["psnr"] == "inf"
    assert evaluate("--task", "nvs", tmp_path / "pred.png", frame)["psnr"] < 20


def _cube(tmp_path, name, scale=1.0):
    v = scale * np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], float)
    quads = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    lines = [f"v {x} {y} {z}" for x, y, z in v] + ["f " + " ".join(str(i + 1) for i in q) for q in quads]
    (tmp_path / name).write_text("\n".join(lines) + "\n")
    return tmp_path / name


def test_mesh_and_pointcloud(tmp_path):
    a = _cube(tmp_path, "a.obj")
    m = evaluate("--task", "mesh", a, a, "--samples", "4000", "--fscore-ratio", "0.05")  # above the sample spacing
    # near the edges a nearest sample can lie on the next face (normals at 90 degrees)
    assert m["fscore"] > 0.95 and m["normal_consistency"] > 0.95 and m["pred_input"] == "mesh"
    b = _cube(tmp_path, "b.obj", 1.2)
    assert evaluate("--task", "mesh", b, a, "--samples", "4000")["chamfer_l1"] > 0.05
    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 1, (3000, 3))
    np.save(tmp_path / "p.npy", pts)
    np.savez(tmp_path / "g.npz", points=pts)
    p = evaluate("--task", "pointcloud", tmp_path / "p.npy", tmp_path / "g.npz")
    assert p["chamfer_l1"] == 0.0 and p["fscore"] == 1.0 and p["normal_consistency"] is None


def test_shapes_and_features(tmp_path):
    rng = np.random.default_rng(1)
    np.save(tmp_path / "gen.npy", rng.normal(size=(6, 64, 3)))
    np.save(tmp_path / "ref.npy", rng.normal(size=(6, 64, 3)))
    s = evaluate("--task", "shapes", tmp_path / "gen.npy", tmp_path / "ref.npy", "--train", tmp_path / "ref.npy")
    assert set(s) >= {"mmd", "cov", "one_nna", "nearest_train"} and s["nearest_train"]["reference_to_train"]["min"] == 0
    np.save(tmp_path / "fa.npy", rng.normal(size=(200, 4)))
    np.save(tmp_path / "fb.npy", rng.normal(size=(200, 4)) + 3.0)
    f = evaluate("--task", "features", tmp_path / "fa.npy", tmp_path / "fb.npy", "--subsets", "5", "--subset-size", "50")
    assert f["fd"] == pytest.approx(36, rel=0.2) and f["kid"] > 0 and "fid" not in json.dumps(f).lower()


def test_captions_task(tmp_path):
    run = fake_run(tmp_path / "run")
    assert runner.invoke(app, ["captions", str(run)]).exit_code == 0
    text = (run / "caption.txt").read_text()
    (tmp_path / "pred.txt").write_text(text)
    m = evaluate("--task", "captions", tmp_path / "pred.txt", run)
    assert m["all"]["precision"] == 1.0 and m["all"]["recall"] == 1.0
    (tmp_path / "pred.jsonl").write_text(json.dumps({"file_name": "image.png", "text": "A view of a forest."}) + "\n")
    j = evaluate("--task", "captions", tmp_path / "pred.jsonl", run)
    assert j["captions"] == 1 and j["scene"]["precision"] == 0.0 and j["all"]["recall"] == 0.0


def test_bad_input_is_one_line_with_exit_code_2(frame, tmp_path):
    np.save(tmp_path / "small.npy", np.ones((3, 3)))
    np.save(tmp_path / "rgb.npy", np.ones((32, 40, 3)))
    (tmp_path / "junk.obj").write_text("hello\n")
    cases = [("--task", "bogus", frame, frame), ("--task", "depth", tmp_path / "missing.npy", frame),
             ("--task", "depth", tmp_path / "small.npy", frame), ("--task", "depth", tmp_path / "rgb.npy", frame),
             ("--task", "depth", tmp_path / "small.npy", tmp_path),
             ("--task", "normals", frame / "image.png", frame / "depth.exr"),
             ("--task", "mesh", tmp_path / "junk.obj", tmp_path / "junk.obj"),
             ("--task", "depth", frame, frame, "--fscore-ratio", "nan"),
             ("--task", "depth", frame, frame, "--out", frame),
             ("--task", "features", tmp_path / "small.npy", tmp_path / "rgb.npy")]
    for args in cases:
        evaluate(*args, code=2)


JUNK = ["", " ", "nan", "inf", "-1", "0", "1e400", "x", "\x00", "8x8", "3", "l3", "disparity", "depth"]


def test_random_flags_end_in_json_or_one_line(frame, tmp_path, monkeypatch):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    flags = ["--task", "--pred-kind", "--min-depth", "--max-depth", "--png-scale", "--fscore-ratio", "--samples",
             "--distance", "--subsets", "--subset-size", "--seed", "--mask", "--train", "--out"]
    import shutil

    shutil.copyfile(frame / "image.png", tmp_path / "img.png")  # a copy: --out may overwrite it
    values = st.one_of(st.sampled_from(JUNK + ["depth", "normals", "nvs", "captions", str(tmp_path / "img.png"),
                                               str(tmp_path / "afile" / "x")]), st.integers(-5, 10**6).map(str))
    (tmp_path / "afile").write_text("x")
    monkeypatch.chdir(tmp_path)  # a relative --out lands here

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.sampled_from(flags), values), max_size=5),
           st.sampled_from([str(frame), str(frame / "depth.exr"), str(tmp_path / "afile"), ""]))
    def run(pairs, pred):
        args = ["evaluate", pred, str(frame)] + [a for pair in pairs for a in pair]
        if "--task" not in args:
            args += ["--task", "depth"]
        r = runner.invoke(app, args)
        assert r.exception is None or isinstance(r.exception, SystemExit), (args, repr(r.exception))
        assert r.exit_code in (0, 2) and "Traceback" not in r.output, (args, r.output)
        if r.exit_code == 2:
            lines = r.stderr.strip().splitlines()
            assert 1 <= len(lines) <= 3 and lines[0].startswith("error: "), (args, r.stderr)

    run()
