"""Datasets of shots: the issue's acceptance command at a tiny size.

``wildsynth dataset generate --scenes forest:1,river:1 --count 2 --frames 2 --rig stereo``
at 64x48, 2 samples, thinned vegetation: every job is a whole stereo sequence with flow and
disparity; one job is then cut short (its scene.json gone, a view folder
missing, staging leftovers) and the same command resumes it; the dataset is
sharded and read back, and every array compared with the io readers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from wildsynth.cli import app
from wildsynth.dataset.jobs import load_spec, plan_jobs
from wildsynth.dataset.loader import iter_samples
from wildsynth.dataset.manifest import job_status, read_manifest
from wildsynth.dataset.shards import VIEW_MEMBER, job_members, sample_key, shard_paths
from wildsynth.io import read_json, read_png
from wildsynth.io.exr import read_exr
from wildsynth.io.flo import read_flo
from wildsynth.io.ids import read_id_png
from wildsynth.io.kitti import read_flow_kitti

pytestmark = [pytest.mark.blender, pytest.mark.slow]  # whole runs: minutes on 2 shared cores

W, H = 64, 48
CAMERAS = ("left", "right")
FRAMES = (0, 1)
# thinner vegetation than the defaults (per scene, with SCENE:key=value): the render time is per-render
# overhead that grows with the instanced geometry, not with the pixels
ARGS = ["dataset", "generate", "--scenes", "forest:1,river:1", "--count", "2", "--frames", "2", "--rig", "stereo",
        "--resolution", f"{W}x{H}", "--samples", "2", "--workers", "2", "--set", "forest:tree_density=0.3",
        "--set", "forest:grass_density=0.1", "--set", "forest:undergrowth=0.2", "--set", "river:vegetation=0.1"]


def flow(path: Path) -> np.ndarray:
    c = read_exr(path, separate=True)
    return np.stack([c["U"], c["V"]], axis=-1)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("stereo")
    t0 = time.perf_counter()
    r = CliRunner().invoke(app, [*ARGS, "--out", str(root)])
    assert r.exit_code == 0, r.output
    jobs = plan_jobs(load_spec(root))
    return root, jobs, read_manifest(root), time.perf_counter() - t0


@pytest.fixture(scope="module")
def resumed(dataset):
    """Cut the second job short as a kill mid-sequence would, then run the same command again."""
    root, jobs, records, _ = dataset
    cut = jobs[1].folder
    depth_before = read_exr(cut / "left" / "000000" / "depth.exr")["Z"]
    (cut / "scene.json").unlink()
    for p in (cut / "right" / "000001").iterdir():
        p.unlink()
    (cut / "right" / "000001").rmdir()
    (cut / "left" / "000001" / ".staging-4242").mkdir()
    (cut / "left" / "000001" / ".staging-4242" / "depth.exr").write_bytes(b"half")
    (cut / "right" / "000000" / "frame.json").unlink()  # a view written up to its last file
    before = job_status(root, jobs).counts()
    untouched = (jobs[0].folder / "scene.json").stat().st_mtime_ns
    r = CliRunner().invoke(app, [*ARGS, "--out", str(root)])
    assert r.exit_code == 0, r.output
    return root, jobs, " ".join(r.output.split()), before, untouched, depth_before, read_manifest(root)[len(records):]


def check_job(folder: Path, baseline: float = 0.075) -> None:
    meta = read_json(folder / "scene.json")
    assert meta["shot"]["rig"] == "stereo" and meta["shot"]["cameras"] == list(CAMERAS)
    assert meta["shot"]["layout"] == "<camera>/<frame:06d>/" and len(meta["shot"]["times"]) == len(FRAMES)
    for name in ("objects.json", "transforms.json", "colmap/images.txt", "panoptic_left.json", "panoptic_right.json"):
        assert (folder / name).is_file(), name
    for cam in CAMERAS:
        for f in FRAMES:
            v = folder / cam / f"{f:06d}"
            frame = read_json(v / "frame.json")
            assert frame["frame"] == f and frame["camera_name"] == cam
            assert all((v / n).is_file() for n in frame["files"]), v
            depth = read_exr(v / "depth.exr")["Z"]
            assert depth.shape == (H, W) and np.isfinite(depth).any()
            for key in ("fwd", "bwd"):  # both neighbours exist: the shot is padded by one time each side
                fl = flow(v / f"flow_{key}.exr")
                valid = read_png(v / f"flow_{key}_valid.png") > 0
                assert fl.shape == (H, W, 2) and valid.any() and np.isfinite(fl[valid]).all()
                flo, flo_valid = read_flo(v / f"flow_{key}.flo")
                np.testing.assert_array_equal(flo[valid], fl[valid])
                kitti, kitti_valid = read_flow_kitti(v / f"flow_{key}_kitti.png")
                both = valid & kitti_valid & (np.abs(fl).max(-1) < 500)
                assert both.any() and np.abs(kitti[both] - fl[both]).max() <= 1 / 64 + 1e-6
            d = read_exr(v / "disparity.exr", separate=True)
            fx = np.asarray(frame["camera"]["K"])[0, 0]
            hit = np.isfinite(depth) & (depth > 0)
            np.testing.assert_allclose(d["D"][hit], fx * baseline / depth[hit], rtol=1e-5)
            assert (d["valid"] > 0).any()


def test_every_job_is_a_complete_stereo_sequence_with_flow_and_disparity(dataset):
    root, jobs, records, seconds = dataset
    assert {j.scene for j in jobs} <= {"forest", "river"} and len(jobs) == 2
    assert sorted(r["id"] for r in records) == sorted(j.id for j in jobs)
    assert all(r["status"] == "done" and r["stats"]["frames"] == 2 for r in records), records
    assert all(r["stats"]["cameras"] == list(CAMERAS) for r in records)
    assert load_spec(root).options.shot.rig == "stereo" and load_spec(root).options.shot.frames == 2
    for job in jobs:
        check_job(job.folder)
    print(f"2 stereo sequences of 2 frames at {W}x{H}: {seconds:.1f} s")


def test_a_sequence_cut_short_is_cleared_and_run_again(resumed):
    root, jobs, output, before, untouched, depth_before, new = resumed
    assert before == {"done": 1, "failed": 0, "pending": 1, "total": 2}
    assert "1 rendered, 1 already done, 0 failed of 2 jobs" in output
    assert [r["id"] for r in new] == [jobs[1].id] and new[0]["status"] == "done"
    assert (jobs[0].folder / "scene.json").stat().st_mtime_ns == untouched
    cut = jobs[1].folder
    assert not (cut / "left" / "000001" / ".staging-4242").exists()
    check_job(cut)
    # the same seed gives the same ground truth on the second attempt
    np.testing.assert_array_equal(read_exr(cut / "left" / "000000" / "depth.exr")["Z"], depth_before)
    r = CliRunner().invoke(app, ["dataset", "status", str(root)])
    assert "done 2  failed 0  pending 0  total 2" in r.output


def test_shards_hold_one_sample_per_sequence_and_load_back(resumed, tmp_path):
    root, jobs, *_ = resumed
    r = CliRunner().invoke(app, ["dataset", "shard", str(root), "--maxcount", "1", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    index = read_json(tmp_path / "shards.json")
    assert [s["keys"] for s in index["shards"]] == [[sample_key(j.id)] for j in jobs]
    assert {"flow_fwd.exr", "disparity.exr", "scene.json", "colmap.images.txt"} <= set(index["files"])
    members = job_members(jobs[0].folder)
    assert "left.000001.flow_fwd.exr" in members and "scene.json" in members and "colmap.cameras.txt" in members
    in_views = sum(1 for c in CAMERAS for f in FRAMES for _ in (jobs[0].folder / c / f"{f:06d}").iterdir())
    assert sum(1 for m in members if VIEW_MEMBER.match(m)) == in_views and all("/" not in m for m in members)
    samples = list(iter_samples(shard_paths(tmp_path)))
    assert [s["id"] for s in samples] == [j.id for j in jobs]
    for s, job in zip(samples, jobs):
        f = job.folder
        assert s["key"] == sample_key(job.id) and s["scene"] == read_json(f / "scene.json")
        assert s["objects"] == read_json(f / "objects.json") and s["transforms"] == read_json(f / "transforms.json")
        assert s["colmap"]["images.txt"] == (f / "colmap" / "images.txt").read_text()
        assert s["cameras"] == list(CAMERAS) and s["frames"] == list(FRAMES)
        assert "depth" not in s  # view fields live under views
        for cam in CAMERAS:
            assert sorted(s["views"][cam]) == list(FRAMES)
            for fr in FRAMES:
                v, d = s["views"][cam][fr], f / cam / f"{fr:06d}"
                np.testing.assert_array_equal(v["rgb"], read_png(d / "image.png"))
                np.testing.assert_array_equal(v["depth"], read_exr(d / "depth.exr")["Z"])
                np.testing.assert_array_equal(v["instance"], read_id_png(d / "instance.png"))
                np.testing.assert_array_equal(v["flow_fwd"], flow(d / "flow_fwd.exr"))
                np.testing.assert_array_equal(v["flow_bwd"], flow(d / "flow_bwd.exr"))
                np.testing.assert_array_equal(v["flow_fwd_valid"], read_png(d / "flow_fwd_valid.png") > 0)
                disp = read_exr(d / "disparity.exr", separate=True)
                np.testing.assert_array_equal(v["disparity"], disp["D"])
                np.testing.assert_array_equal(v["disparity_valid"], read_png(d / "disparity_valid.png") > 0)
                sf = read_exr(d / "scene_flow_fwd.exr", separate=True)
                np.testing.assert_array_equal(v["scene_flow_fwd"], np.stack([sf["X"], sf["Y"], sf["Z"]], -1))
                np.testing.assert_array_equal(v["depth_change_fwd"], sf["depth_change"])
                cam_json = read_json(d / "camera.json")
                np.testing.assert_array_equal(v["K"], np.asarray(cam_json["K"]))
                assert v["frame"] == read_json(d / "frame.json") and v["rgb"].shape == (H, W, 3)
    only = list(iter_samples(shard_paths(tmp_path), fields=["flow_fwd", "K"]))
    assert set(only[0]) == {"key", "cameras", "frames", "views"}
    assert set(only[0]["views"]["right"][1]) == {"flow_fwd", "K"}


def test_torch_dataset_yields_nested_sequence_samples(resumed, tmp_path):
    import torch.utils.data

    from wildsynth.dataset.loader import ShardDataset
    from wildsynth.dataset.shards import write_shards

    root, jobs, *_ = resumed
    write_shards(root, tmp_path, maxcount=1, previews=False)
    ds = ShardDataset(shard_paths(tmp_path), fields=["id", "depth", "disparity"])
    got = list(torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2))
    assert sorted(s["id"] for s in got) == sorted(j.id for j in jobs)
    for s in got:
        d = s["views"]["left"][1]["disparity"]
        assert isinstance(d, torch.Tensor) and d.shape == (H, W)


def _children(pid: int) -> list[int]:
    kids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(p.name))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return kids


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killed_driver_takes_its_workers_and_the_run_resumes(tmp_path):
    """SIGKILL the driver while a 3-frame mono sequence is half written: the worker dies with
    it, the job folder is not complete, and the same command finishes it."""
    args = ["dataset", "generate", "--scenes", "meadow", "--set", "rocks.count=20", "--count", "1", "--frames", "3",
            "--resolution", "32x24", "--samples", "1", "--out", str(tmp_path)]
    exe = [sys.executable, "-c", "from wildsynth.cli import main; main()"]
    driver = subprocess.Popen([*exe, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    job = tmp_path / "meadow" / "000000"
    deadline = time.monotonic() + 300
    while not (job / "main" / "000000" / "frame.json").is_file():
        assert driver.poll() is None and time.monotonic() < deadline, "the run ended before a view was written"
        time.sleep(0.05)
    workers = [p for p in _children(driver.pid) if "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_text()]
    assert workers
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    t0 = time.monotonic()
    while any(_alive(p) for p in workers) and time.monotonic() - t0 < 10:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers), "a worker kept rendering after its driver was killed"
    assert not (job / "scene.json").exists()
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "1 rendered, 0 already done" in " ".join(r.output.split())
    assert all((job / "main" / f"{f:06d}" / "frame.json").is_file() for f in range(3))
    assert (job / "scene.json").is_file()
