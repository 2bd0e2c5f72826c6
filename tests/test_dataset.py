"""Dataset layer with stills (the default job): plan, manifest, resume, runners (local
processes and Ray), shards, loader. Shots (sequences, stereo): tests/dataset/.

Renders are tiny (32x24, 1 sample, meadow with 20 rocks): one dataset of three
stills is generated once, broken on purpose (a blocked folder, an interrupted
job) and resumed; the shard, loader and CLI tests read that dataset. Tests that
spawn workers or render are marked ``slow`` (and ``blender``); the rest is the
fast lane.
"""

from __future__ import annotations

import json
import os
import random
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from wildsynth.cli import app
from wildsynth.dataset.jobs import load_spec, make_spec, plan_jobs, save_spec, scene_for_seed, split_overrides
from wildsynth.dataset.loader import iter_samples
from wildsynth.dataset.manifest import append_record, job_status, manifest_path, read_manifest
from wildsynth.dataset.runners import JobTask, clear_leftovers, generate_dataset, run_local
from wildsynth.dataset.shards import SHARD_INDEX, sample_key, shard_paths, write_shards
from wildsynth.io import read_json, read_png
from wildsynth.io.exr import read_exr
from wildsynth.io.ids import read_id_png
from wildsynth.params import UserError

RENDER = {"width": 32, "height": 24, "samples": 1}
CLI_RENDER = ["--resolution", "32x24", "--samples", "1", "--set", "rocks.count=20"]


def tiny_spec(out, count=3, seed=0, render=RENDER, **kw):
    return make_spec(scenes={"meadow": 1}, seed=seed, count=count, overrides={"meadow": ["rocks.count=20"]},
                     render=render, out=out, **kw)


# --- plan -------------------------------------------------------------------------------------------------


def test_plan_is_deterministic_and_stable_when_count_grows():
    mix = {"forest": 1, "meadow": 2}
    small = plan_jobs(make_spec(scenes=mix, seed=40, count=50, out="x"))
    np.random.seed(1)
    random.seed(1)
    again = plan_jobs(make_spec(scenes=mix, seed=40, count=50, out="x"))
    np.random.seed(2)
    random.seed(2)
    big = plan_jobs(make_spec(scenes={"meadow": 2, "forest": 1}, seed=40, count=200, out="x"))  # other key order
    assert small == again
    assert big[:50] == small
    assert [j.seed for j in big] == list(range(40, 240))
    j = small[2]
    assert j.id == f"{j.scene}/000042" and j.folder.as_posix() == f"x/{j.scene}/000042"
    # the weights show: meadow about twice as often as forest
    n_meadow = sum(j.scene == "meadow" for j in big)
    assert 110 <= n_meadow <= 160, n_meadow
    # a frame's scene depends on its seed alone, not on where the dataset starts
    assert [j.scene for j in plan_jobs(make_spec(scenes=mix, seed=41, count=3, out="x"))] == \
        [j.scene for j in small[1:4]]
    assert scene_for_seed(42, {"meadow": 1}) == "meadow"


@pytest.mark.parametrize("fields, needle", [
    ({"scenes": {"nowhere": 1}}, "--scenes"),
    ({"scenes": {"meadow": 0}}, "must be a finite number > 0"),
    ({"count": 0}, "--count 0"),
    ({"overrides": {"meadow": ["rocks.cnt=3"]}}, "--set rocks.cnt"),
    ({"overrides": {"meadow": ["rocks.count=-5"]}}, "--set rocks.count=-5"),
    ({"overrides": {"forest": ["rocks.count=5"]}}, "not in the scene mix"),
    ({"render": {"width": 2}}, "render.width"),
    ({"colour": "red"}, "colour"),
])
def test_spec_errors_are_one_line_and_name_the_field(fields, needle):
    with pytest.raises(UserError) as e:
        make_spec(**fields)
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_set_overrides_split_per_scene():
    got = split_overrides(["sky.hour=12", "meadow:rocks.count=3"], {"meadow": 1, "forest": 1})
    assert got == {"meadow": ["sky.hour=12", "rocks.count=3"], "forest": ["sky.hour=12"]}
    spec = make_spec(scenes={"meadow": 1, "forest": 1}, overrides=got)
    assert spec.params("meadow").rocks.count == 3 and spec.params("forest").sky.hour == 12
    with pytest.raises(UserError, match="unknown parameter for forest"):  # meadow has rocks, forest has not
        make_spec(scenes={"meadow": 1, "forest": 1}, overrides=split_overrides(["rocks.count=3"], {"meadow": 1, "forest": 1}))
    with pytest.raises(UserError, match="desert"):
        split_overrides(["desert:rocks.count=3"], {"meadow": 1})


def test_root_refuses_a_different_dataset(tmp_path):
    save_spec(tiny_spec(tmp_path, count=2))
    save_spec(tiny_spec(tmp_path, count=5))  # more frames of the same dataset: fine
    assert load_spec(tmp_path).count == 5
    with pytest.raises(UserError, match="render"):
        save_spec(make_spec(scenes={"meadow": 1}, count=2, overrides={"meadow": ["rocks.count=20"]},
                            render={**RENDER, "samples": 2}, out=tmp_path))
    with pytest.raises(UserError, match=r"different options\.shot\.frames, options\.shot\.rig "):
        save_spec(tiny_spec(tmp_path, options={"shot": {"frames": 3, "rig": "stereo"}}))
    save_spec(tiny_spec(tmp_path, render={**RENDER, "device": "cpu"}))  # the device may change
    saved = read_json(tmp_path / "dataset.json")
    assert saved["options"]["shot"]["frames"] == 1 and saved["options"]["shot"]["rig"] == "mono"
    # a dataset.json written before options existed is a dataset of stills
    del saved["options"]
    (tmp_path / "dataset.json").write_text(json.dumps(saved))
    save_spec(tiny_spec(tmp_path))
    assert load_spec(tmp_path).options.shot.frames == 1


def test_clear_leftovers_removes_an_interrupted_job_whole(tmp_path):
    cut = tmp_path / "cut"
    (cut / "left" / "000000").mkdir(parents=True)
    (cut / "left" / "000000" / "frame.json").write_text("{}")  # a finished view of an unfinished shot
    (cut / "objects.json").write_text("{}")
    clear_leftovers(cut)
    assert not cut.exists()
    done = tmp_path / "done"
    (done / "left" / "000000" / ".staging-7").mkdir(parents=True)
    (done / "left" / "000000" / "depth.exr").write_bytes(b"x")
    (done / ".objects.json.tmp-3").write_bytes(b"x")
    (done / "scene.json").write_text("{}")
    clear_leftovers(done)
    assert sorted(p.relative_to(done).as_posix() for p in done.rglob("*")) == \
        ["left", "left/000000", "left/000000/depth.exr", "scene.json"]
    blocker = tmp_path / "file"
    blocker.write_text("mine")
    clear_leftovers(blocker)
    assert blocker.read_text() == "mine"


@pytest.mark.slow
def test_local_workers_get_one_gpu_each_before_blender_loads(tmp_path):
    """Two jobs of an unknown scene fail at once in their workers; each worker reports the
    CUDA_VISIBLE_DEVICES it saw, set from its slot (two workers, two GPUs)."""
    tasks = [JobTask(f"nowhere/{i:06d}", "nowhere", i, str(tmp_path / str(i)), (), RENDER, {}) for i in range(2)]
    got: list[dict] = []
    run_local(tasks, got.append, workers=2, gpus=2)
    assert sorted(r["id"] for r in got) == [t.id for t in tasks]
    assert all(r["status"] == "failed" and "nowhere" in r["error"] for r in got)
    assert sorted(r["gpu"] for r in got) == ["0", "1"] and all(r["pid"] != os.getpid() for r in got)


def _spawned_workers() -> list[int]:
    """Pids of this process's multiprocessing-spawned children (read from /proc)."""
    pids = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                ppid = int(open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1])
                if ppid == os.getpid() and b"spawn_main" in open(f"/proc/{p}/cmdline", "rb").read():
                    pids.append(int(p))
            except (OSError, IndexError):
                pass
    return pids


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_a_worker_killed_outright_is_recorded_lost_and_the_rest_go_on(tmp_path):
    """SIGKILL the first job's worker (as a segfault would end it): that job is recorded as
    lost, and the next one still runs, in a fresh pool."""
    import signal
    import threading

    tasks = [JobTask(f"nowhere/{i:06d}", "nowhere", i, str(tmp_path / str(i)), (), RENDER, {}) for i in range(2)]
    got: list[dict] = []
    runner = threading.Thread(target=run_local, args=(tasks, got.append), kwargs={"workers": 1})
    runner.start()
    victims: list[int] = []
    deadline = time.monotonic() + 60
    while not victims and time.monotonic() < deadline:
        victims = _spawned_workers()
        time.sleep(0.01)
    assert victims, "no worker appeared"
    os.kill(victims[0], signal.SIGKILL)
    runner.join(120)
    assert not runner.is_alive()
    assert [r["id"] for r in got] == [t.id for t in tasks]
    assert got[0]["status"] == "failed" and got[0]["error"].startswith("worker lost")
    assert got[1]["status"] == "failed" and "nowhere" in got[1]["error"] and got[1]["pid"] != victims[0]


# --- manifest ---------------------------------------------------------------------------------------------


def test_manifest_tolerates_a_torn_last_line(tmp_path):
    append_record(tmp_path, {"id": "meadow/000000", "status": "done"})
    append_record(tmp_path, {"id": "meadow/000001", "status": "failed"})
    with open(manifest_path(tmp_path), "ab") as f:  # a crash in the middle of a write
        f.write(b'{"id": "meadow/000002", "sta')
    assert [r["id"] for r in read_manifest(tmp_path)] == ["meadow/000000", "meadow/000001"]
    append_record(tmp_path, {"id": "meadow/000002", "status": "done"})  # must not be glued to the torn line
    recs = read_manifest(tmp_path)
    assert [r["id"] for r in recs] == ["meadow/000000", "meadow/000001", "meadow/000002"]
    assert recs[-1]["status"] == "done"


# --- runs: one tiny dataset, broken and resumed -------------------------------------------------------------


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """Three stills; the second one's folder is blocked by a file, so its job fails.

    The test process imports bpy first, as it has after any in-process render: its
    sys.path then starts with Blender's scripts/modules, which spawned workers
    inherit and must not let shadow the real bpy."""
    import bpy  # noqa: F401

    root = tmp_path_factory.mktemp("dataset")
    spec = tiny_spec(root, count=3)
    jobs = plan_jobs(spec)
    jobs[1].folder.parent.mkdir(parents=True)
    jobs[1].folder.write_text("in the way")
    summary = generate_dataset(spec, workers=2, progress=False)
    return spec, jobs, summary, read_manifest(root)


@pytest.fixture(scope="module")
def second_run(first_run):
    """Unblock the failed job, cut the third job short (no scene.json, a staging
    folder left behind), and run the same dataset again."""
    spec, jobs, _, _ = first_run
    root = spec.out
    jobs[1].folder.unlink()
    (jobs[2].folder / "scene.json").unlink()
    (jobs[2].folder / ".staging-99999").mkdir()
    (jobs[2].folder / ".staging-99999" / "image.png").write_bytes(b"half")
    before = job_status(root, jobs).counts()
    untouched = (jobs[0].folder / "image.png").stat().st_mtime_ns
    n_records = len(read_manifest(root))
    summary = generate_dataset(tiny_spec(root, count=3), workers=2, progress=False)
    return spec, jobs, summary, before, untouched, read_manifest(root)[n_records:]


@pytest.mark.blender
@pytest.mark.slow
def test_failing_job_is_recorded_and_the_others_complete(first_run):
    spec, jobs, summary, records = first_run
    assert (summary.done, summary.failed, summary.skipped, summary.planned) == (2, 1, 0, 3)
    by_id = {r["id"]: r for r in records}
    assert set(by_id) == {j.id for j in jobs}
    bad = by_id[jobs[1].id]
    assert bad["status"] == "failed" and "not a folder" in bad["error"] and bad["traceback"]
    for j in (jobs[0], jobs[2]):
        r = by_id[j.id]
        assert r["status"] == "done" and r["error"] is None and r["folder"] == j.id and r["seed"] == j.seed
        assert r["timings"]["render_rgb"] > 0 and r["stats"]["triangles"] > 0 and r["seconds"] > 0
        assert r["pid"] != os.getpid()
        meta = read_json(j.folder / "scene.json")
        assert meta["seed"] == j.seed and meta["params"]["rocks"]["count"] == 20 and meta["render"]["width"] == 32
        assert meta["shot"]["layout"] == "flat" and (j.folder / "depth.exr").is_file()  # a still is flat


@pytest.mark.blender
@pytest.mark.slow
def test_resume_skips_done_jobs_and_reruns_failed_and_interrupted(second_run):
    spec, jobs, summary, before, untouched, new_records = second_run
    assert before == {"done": 1, "failed": 1, "pending": 1, "total": 3}  # the cut-short job is not done
    assert (summary.skipped, summary.done, summary.failed) == (1, 2, 0)
    assert sorted(r["id"] for r in new_records) == sorted([jobs[1].id, jobs[2].id])
    assert all(r["status"] == "done" for r in new_records)
    assert (jobs[0].folder / "image.png").stat().st_mtime_ns == untouched
    assert not (jobs[2].folder / ".staging-99999").exists()
    assert job_status(spec.out, jobs).counts() == {"done": 3, "failed": 0, "pending": 0, "total": 3}


# --- shards and loader ------------------------------------------------------------------------------------


@pytest.mark.blender
@pytest.mark.slow
def test_shards_round_trip(second_run, tmp_path):
    spec, jobs, *_ = second_run
    out = tmp_path / "shards"
    report = write_shards(spec.out, out, maxcount=2)
    assert [p.name for p in report.shards] == ["shard-000000.tar", "shard-000001.tar"]
    assert sorted(p.name for p in out.iterdir()) == ["shard-000000.tar", "shard-000001.tar", SHARD_INDEX]
    index = read_json(out / SHARD_INDEX)
    assert [s["keys"] for s in index["shards"]] == [[sample_key(jobs[0].id), sample_key(jobs[1].id)],
                                                    [sample_key(jobs[2].id)]]
    samples = list(iter_samples(shard_paths(out)))
    assert [s["id"] for s in samples] == [j.id for j in jobs]
    for s, job in zip(samples, jobs):
        f = job.folder
        assert s["key"] == job.id.replace("/", "_")
        assert s["rgb"].dtype == np.uint8 and s["rgb"].shape == (24, 32, 3)
        np.testing.assert_array_equal(s["rgb"], read_png(f / "image.png"))
        assert s["depth"].dtype == np.float32 and s["depth"].shape == (24, 32)
        np.testing.assert_array_equal(s["depth"], read_exr(f / "depth.exr")["Z"])
        n = read_exr(f / "normal.exr", separate=True)
        assert s["normal"].shape == (24, 32, 3)
        np.testing.assert_array_equal(s["normal"], np.stack([n["X"], n["Y"], n["Z"]], -1))
        assert s["instance"].dtype == np.uint32 and s["semantic"].dtype == np.uint32
        np.testing.assert_array_equal(s["instance"], read_id_png(f / "instance.png"))
        np.testing.assert_array_equal(s["semantic"], read_png(f / "semantic.png"))
        assert s["instance"].max() > 0
        cam = read_json(f / "camera.json")
        np.testing.assert_array_equal(s["K"], np.asarray(cam["K"]))
        np.testing.assert_array_equal(s["cam_to_world"], np.asarray(cam["cam_to_world"]))
        assert s["scene"] == read_json(f / "scene.json") and s["objects"] == read_json(f / "objects.json")
    # packing again with another size replaces the old shards
    report = write_shards(spec.out, out, maxcount=1, previews=False)
    assert sorted(p.name for p in out.glob("*.tar")) == [f"shard-00000{i}.tar" for i in range(3)]
    only = list(iter_samples(shard_paths(out), fields=["depth", "K"]))
    assert len(only) == 3 and set(only[0]) == {"key", "depth", "K"}
    assert "preview" not in next(iter_samples(shard_paths(out)))


@pytest.mark.blender
@pytest.mark.slow
def test_torch_dataset_gives_every_sample_once_across_workers(second_run, tmp_path):
    import torch.utils.data

    from wildsynth.dataset.loader import ShardDataset

    spec, jobs, *_ = second_run
    write_shards(spec.out, tmp_path, maxcount=1)
    ds = ShardDataset(shard_paths(tmp_path), fields=["id", "depth"])
    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2)
    got = [(s["id"], s["depth"]) for s in loader]
    assert sorted(i for i, _ in got) == sorted(j.id for j in jobs)  # each exactly once
    assert all(isinstance(d, torch.Tensor) and d.shape == (24, 32) for _, d in got)


# --- Ray ----------------------------------------------------------------------------------------------------


@pytest.mark.blender
@pytest.mark.slow
def test_ray_runner_runs_a_job_on_a_gpu_it_asked_for(tmp_path):
    """Ray is told the machine has one GPU (there may be none: Cycles then falls back to the
    CPU); a task asking num_gpus=1 gets it as CUDA_VISIBLE_DEVICES."""
    import ray

    spec = tiny_spec(tmp_path, count=1, seed=7)
    ray.init(num_cpus=2, num_gpus=1, include_dashboard=False, log_to_driver=False)
    try:
        summary = generate_dataset(spec, runner="ray", gpus_per_job=1, progress=False)
        assert ray.is_initialized()  # a Ray the caller started is left running
    finally:
        ray.shutdown()
    (job,) = plan_jobs(spec)
    assert (summary.done, summary.failed) == (1, 0)
    (rec,) = read_manifest(tmp_path)
    assert rec["id"] == job.id and rec["status"] == "done" and rec["pid"] != os.getpid() and rec["gpu"] == "0"
    assert read_json(job.folder / "scene.json")["seed"] == 7


# --- CLI ----------------------------------------------------------------------------------------------------


@pytest.mark.blender
@pytest.mark.slow
def test_cli_status_generate_resume_and_shard(second_run, tmp_path):
    spec, jobs, *_ = second_run
    root = str(spec.out)
    runner = CliRunner()
    r = runner.invoke(app, ["dataset", "status", root])
    assert r.exit_code == 0 and "done 3  failed 0  pending 0  total 3" in r.output
    r = runner.invoke(app, ["dataset", "generate", "--count", "3", "--out", root, *CLI_RENDER])
    assert r.exit_code == 0, r.output
    assert "0 rendered, 3 already done, 0 failed of 3 jobs" in " ".join(r.output.split())
    r = runner.invoke(app, ["dataset", "generate", "--count", "3", "--out", root, "--samples", "2",
                            "--resolution", "32x24", "--set", "rocks.count=20"])
    assert r.exit_code == 2 and "different render" in r.output
    r = runner.invoke(app, ["dataset", "shard", root, "--maxcount", "2", "--out", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    assert len(shard_paths(tmp_path / "s")) == 2


@pytest.mark.parametrize("args, needle", [
    (["--scenes", "forest:x"], "--scenes"),
    (["--scenes", "nowhere"], "unknown scene 'nowhere'"),
    (["--count", "0"], "--count 0"),
    (["--workers", "0"], "--workers 0"),
    (["--set", "desert:rocks.count=1"], "not in --scenes"),
    (["--resolution", "0x5"], "--resolution"),
    (["--frames", "0"], "--frames 0"),
    (["--rig", "trinocular"], "--rig 'trinocular'"),
    (["--formats", "exr,tiff"], "--formats"),
    (["--device", "tpu"], "--device 'tpu'"),
    (["--gpus-per-job", "-1"], "--gpus-per-job"),
    (["--motion", "nothing=3"], "unknown parameter for motion"),
])
def test_cli_bad_input_is_one_line(args, needle, tmp_path):
    r = CliRunner().invoke(app, ["dataset", "generate", "--out", str(tmp_path / "d"), *args])
    assert r.exit_code == 2
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert len(lines) == 1 and needle in lines[0], r.output
    assert not (tmp_path / "d").exists()


def test_cli_ray_address_nobody_answers_is_one_line_and_writes_nothing(tmp_path):
    """Nothing listens on port 1: refused at once (Ray itself would retry for ever), before dataset.json."""
    t0 = time.monotonic()
    r = CliRunner().invoke(app, ["dataset", "generate", "--ray", "127.0.0.1:1", "--out", str(tmp_path / "d")])
    assert time.monotonic() - t0 < 15
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert r.exit_code == 2 and len(lines) == 1 and "--ray 127.0.0.1:1: nothing answers" in lines[0], r.output
    assert not (tmp_path / "d").exists()


def test_ray_address_that_listens_but_is_no_cluster_times_out(tmp_path):
    """A port that accepts connections but speaks no Ray: the bounded check gives up after its timeout."""
    import socket

    from wildsynth.dataset.ray_runner import check_ray_address

    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        port = srv.getsockname()[1]
        t0 = time.monotonic()
        with pytest.raises(UserError, match=rf"--ray 127.0.0.1:{port}: no Ray cluster answered within 3 s"):
            check_ray_address(f"127.0.0.1:{port}", timeout=3)
        assert time.monotonic() - t0 < 6
    with pytest.raises(UserError, match="expected local, auto, HOST:PORT"):
        check_ray_address("127.0.0.1")


@pytest.mark.parametrize("text, needle", [('{"scenes": {"meadow": 1}, "seed": ', "not valid JSON (Expecting value at line 1 column 35)"),
                                          ("[1, 2]", "holds a JSON list"),
                                          ('{"count": 0}', "dataset.json: --count 0")])
def test_cli_corrupt_dataset_json_is_one_line_naming_the_file(tmp_path, text, needle):
    (tmp_path / "dataset.json").write_text(text)
    for args in (["dataset", "generate", "--out", str(tmp_path)], ["dataset", "status", str(tmp_path)]):
        r = CliRunner().invoke(app, args)
        lines = [x for x in r.output.splitlines() if x.strip()]
        assert r.exit_code == 2 and len(lines) == 1, r.output
        assert str(tmp_path / "dataset.json") in lines[0] and needle in lines[0], r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset.json"]


def test_cli_shard_creates_nothing_when_there_is_nothing_to_pack(tmp_path):
    r = CliRunner().invoke(app, ["dataset", "shard", str(tmp_path / "nosuch")])
    assert r.exit_code == 2 and "no such folder" in r.output and len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "nosuch").exists()
    save_spec(tiny_spec(tmp_path / "ds", count=2))  # a root with no finished job
    r = CliRunner().invoke(app, ["dataset", "shard", str(tmp_path / "ds")])
    assert r.exit_code == 2 and "no finished jobs" in r.output and len(r.output.strip().splitlines()) == 1
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["dataset.json"]


def test_cli_refuses_a_locked_root_naming_the_holder(tmp_path):
    import socket

    from wildsynth.dataset.runners import LOCK_FILE
    from wildsynth.io.lock import RunLock

    save_spec(tiny_spec(tmp_path, count=1))
    with RunLock(tmp_path / LOCK_FILE):
        r = CliRunner().invoke(app, ["dataset", "generate", "--count", "1", "--out", str(tmp_path), *CLI_RENDER])
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert r.exit_code == 2 and len(lines) == 1, r.output
    assert f"pid {os.getpid()}" in lines[0] and socket.gethostname() in lines[0] and str(tmp_path) in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset.json"]  # no manifest, no job folder


def test_done_jobs_without_a_done_record_are_recovered_from_scene_json(tmp_path):
    """A worker finished its job but the driver was killed before it logged it: the next run
    writes the missing record (from scene.json), so every done job has exactly one."""
    from wildsynth.dataset.manifest import recover_records

    spec = tiny_spec(tmp_path, count=3)
    jobs = plan_jobs(spec)
    for job in jobs[:2]:
        job.folder.mkdir(parents=True)
        (job.folder / "scene.json").write_text(json.dumps({"stats": {"peak_rss_mb": 512.0}, "timings": {"total": 3.5}}))
    append_record(tmp_path, {"id": jobs[0].id, "status": "done"})
    append_record(tmp_path, {"id": jobs[1].id, "status": "interrupted"})
    assert recover_records(tmp_path, jobs) == [jobs[1].id]
    rec = read_manifest(tmp_path)[-1]
    assert rec["id"] == jobs[1].id and rec["status"] == "done" and rec["recovered"] is True
    assert rec["peak_rss_mb"] == 512.0 and rec["seconds"] == 3.5
    assert recover_records(tmp_path, jobs) == []  # idempotent
    assert job_status(tmp_path, jobs).counts() == {"done": 2, "failed": 0, "pending": 1, "total": 3}
