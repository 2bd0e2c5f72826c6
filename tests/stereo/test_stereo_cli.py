"""The stereo-from-mono folder tool: outputs, resume, atomicity, clean errors."""

import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from wildsynth.cli.stereo import stereo_from_mono_command
from wildsynth.io.exr import write_exr
from wildsynth.io.kitti import read_disparity_kitti
from wildsynth.io.pfm import read_pfm, write_pfm
from wildsynth.io.png import read_png, write_png

H, W = 20, 32


@pytest.fixture
def app():
    a = typer.Typer()
    a.command("stereo-from-mono")(stereo_from_mono_command)
    a.command("noop")(lambda: None)  # two commands: the name is used as on the real app
    return a


@pytest.fixture
def folders(tmp_path):
    img, dep = tmp_path / "img", tmp_path / "dep"
    img.mkdir()
    dep.mkdir()
    rng = np.random.default_rng(0)
    z = np.full((H, W), 8.0, np.float32)
    z[5:15, 10:20] = 3.0
    for k, writer in enumerate(("pfm", "exr", "png", "npy")):
        write_png(img / f"f{k}.png", (rng.random((H, W, 3)) * 255).astype(np.uint8))
        if writer == "pfm":
            write_pfm(dep / f"f{k}.pfm", z)
        elif writer == "exr":
            write_exr(dep / f"f{k}_depth.exr", z)  # channel Z, stem + _depth
        elif writer == "png":
            write_png(dep / f"f{k}.png", (z * 1000).astype(np.uint16))
        else:
            np.save(dep / f"f{k}.npy", z)
    return tmp_path, img, dep


def run(app, *args):
    return CliRunner().invoke(app, ["stereo-from-mono", *map(str, args)])


def test_cli_writes_all_products_and_resumes(app, folders):
    root, img, dep = folders
    out = root / "out"
    r = run(app, "--images", img, "--depth", dep, "--out", out, "--focal", 30, "--baseline", 1.0, "--workers", 2)
    assert r.exit_code == 0, r.output
    assert "wrote 4 pair(s), skipped 0" in r.output
    for k in range(4):
        d_pfm = read_pfm(out / "disparity" / f"f{k}.pfm")
        np.testing.assert_allclose(d_pfm[0, 0], 30 / 8, rtol=1e-5)
        np.testing.assert_allclose(d_pfm[10, 15], 10.0, rtol=1e-5)
        d_kitti, ok = read_disparity_kitti(out / "disparity" / f"f{k}.png")
        assert ok.all() and np.abs(d_kitti - d_pfm).max() < 1 / 256
        np.testing.assert_array_equal(np.load(out / "disparity" / f"f{k}.npy"), d_pfm)
        assert read_png(out / "right" / f"f{k}.png").shape == (H, W, 3)
        assert read_png(out / "mask" / f"f{k}.png").dtype == np.uint8
        assert read_png(out / "holes" / f"f{k}.png").any()
        meta = json.loads((out / "meta" / f"f{k}.json").read_text())
        assert meta["background"] is not None  # another input image fills the holes
    assert not list(out.rglob(".*tmp*"))
    first = (out / "right" / "f0.png").read_bytes()

    # a pair missing its completion marker (an interrupted write) is redone; complete ones are skipped
    (out / "meta" / "f1.json").unlink()
    (out / "right" / "f0.png").write_bytes(b"tampered, but complete pairs are not touched")
    r = run(app, "--images", img, "--depth", dep, "--out", out, "--focal", 30, "--baseline", 1.0)
    assert r.exit_code == 0, r.output
    assert "wrote 1 pair(s), skipped 3" in r.output
    assert (out / "meta" / "f1.json").exists()
    # --overwrite redoes everything, and the result is deterministic
    r = run(app, "--images", img, "--depth", dep, "--out", out, "--focal", 30, "--baseline", 1.0, "--overwrite")
    assert r.exit_code == 0 and (out / "right" / "f0.png").read_bytes() == first


def test_cli_relative_mode_inpaint_and_formats(app, folders):
    root, img, dep = folders
    out = root / "o2"
    r = run(app, "--images", img, "--depth", dep, "--out", out, "--fill", "inpaint", "--formats", "npy",
            "--augment", "--max-disp-min", 4, "--max-disp-max", 8)
    assert r.exit_code == 0, r.output
    d = np.load(out / "disparity" / "f0.npy")
    assert 4 <= d.max() <= 8 * 1.15
    assert not (out / "disparity" / "f0.pfm").exists()


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--fill", "paint"], "--fill"),
        (["--formats", "pfm,jpg"], "jpg"),
        (["--focal", "30"], "together"),
        (["--max-disp-min", "100", "--max-disp-max", "10"], "--max-disp-min"),
        (["--workers", "0"], "--workers"),
        (["--max-disp-max", "inf"], "--max-disp-max"),
        (["--seed", str(2**64)], "--seed"),
        (["--formats", ""], "--formats"),
    ],
)
def test_cli_bad_options(app, folders, extra, match):
    root, img, dep = folders
    r = run(app, "--images", img, "--depth", dep, "--out", root / "o", *extra)
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and match in lines[0], r.output


def test_cli_bad_inputs(app, folders):
    root, img, dep = folders
    r = run(app, "--images", root / "nope", "--depth", dep, "--out", root / "o")
    assert r.exit_code == 2 and "no such folder" in r.output
    # an image without depth
    write_png(img / "lonely.png", np.zeros((H, W, 3), np.uint8))
    r = run(app, "--images", img, "--depth", dep, "--out", root / "o")
    assert r.exit_code == 2 and "lonely.png" in r.output and len(r.output.strip().splitlines()) == 1
    (img / "lonely.png").unlink()
    assert not (root / "o").exists()  # input errors create nothing


@pytest.mark.parametrize("workers", [1, 2])
def test_bad_pairs_do_not_stop_the_batch(app, folders, workers):
    root, img, dep = folders
    out = root / f"o{workers}"
    write_pfm(dep / "f0.pfm", np.ones((H + 2, W), np.float32))  # the wrong size
    np.save(dep / "f3.npy", np.ones((H, W, 3), np.float32))  # three channels
    r = run(app, "--images", img, "--depth", dep, "--out", out, "--workers", workers)
    assert r.exit_code == 1, r.output
    err = r.stderr.strip().splitlines()
    assert any("f0" in ln and "does not match" in ln for ln in err), r.stderr
    assert any("f3.npy" in ln and "(20, 32, 3)" in ln and "one channel" in ln for ln in err), r.stderr
    assert "wrote 2 pair(s), skipped 0 already complete, 2 failed" in err[-1]
    assert all((out / "meta" / f"f{k}.json").exists() for k in (1, 2))
    assert not (out / "meta" / "f0.json").exists() and not (out / "meta" / "f3.json").exists()
    failed = json.loads((out / "failures.json").read_text())
    assert sorted(f["stem"] for f in failed) == ["f0", "f3"]
    # fixed inputs: the run completes the two, and failures.json goes
    write_pfm(dep / "f0.pfm", np.full((H, W), 8.0, np.float32))
    np.save(dep / "f3.npy", np.full((H, W), 8.0, np.float32))
    r = run(app, "--images", img, "--depth", dep, "--out", out)
    assert r.exit_code == 0 and "wrote 2 pair(s), skipped 2" in r.output
    assert not (out / "failures.json").exists()


def test_corrupt_depth_fails_that_pair_only(app, folders):
    root, img, dep = folders
    (dep / "f0.pfm").write_bytes(b"garbage")
    r = run(app, "--images", img, "--depth", dep, "--out", root / "o", "--workers", 2)
    assert r.exit_code == 1 and "f0.pfm" in r.stderr and "Traceback" not in r.output
    assert not (root / "o" / "meta" / "f0.json").exists() and (root / "o" / "meta" / "f1.json").exists()


def test_all_pairs_failing_creates_no_folder(app, folders):
    root, img, dep = folders
    for k in range(4):
        for p in dep.glob(f"f{k}*"):
            p.unlink()
        np.save(dep / f"f{k}.npy", np.ones((H, W, 3), np.float32))
    r = run(app, "--images", img, "--depth", dep, "--out", root / "o")
    assert r.exit_code == 1 and "4 failed" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 4  # three failures shown, then the summary
    assert not (root / "o").exists()


def test_switches_are_on_off(folders):
    from wildsynth.cli import app

    root, img, dep = folders
    r = run(app, "--images", img, "--depth", dep, "--out", root / "o", "--inverse", "true")
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1
    assert "--inverse is an on/off switch" in r.output and "--no-inverse" in r.output and not (root / "o").exists()
    r = run(app, "--images", img, "--depth", dep, "--out", root / "o", "--no-inverse", "--no-sharpen", "--formats", "npy")
    assert r.exit_code == 0, r.output
