"""Dataset runs that survive faults: signals to the driver, two runs on one root, a full disk.

Drivers run as real processes (``python -c 'from wildsynth.cli import main; main()'``)
on tiny jobs (32x24, 1 sample, meadow with 5 rocks), each test in its own root.
Every test ends with every job complete exactly once in the manifest, after a
resume, and no process left behind: none whose command line or environment names
the test's root (the drivers get ``WILDSYNTH_TEST_ROOT=<root>``, which their
workers inherit).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wildsynth.cli import app
from wildsynth.dataset.jobs import SPEC_FILE, load_spec, make_spec, plan_jobs
from wildsynth.dataset.local import run_local
from wildsynth.dataset.manifest import job_status, read_manifest
from wildsynth.dataset.runners import LOCK_FILE, RunStopped, generate_dataset
from wildsynth.dataset.stop import Stop
from wildsynth.dataset.worker import JobTask
from wildsynth.io.lock import read_lock

from .faults import FULL_AT_SEED, disk_full_job, instant_job, sleepy_job

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

TAG = "WILDSYNTH_TEST_ROOT"
EXE = [sys.executable, "-c", "from wildsynth.cli import main; main()"]
SHOT = ["--scenes", "meadow", "--set", "rocks.count=5", "--resolution", "32x24", "--samples", "1"]


def gen_args(root: Path, count: int, seed: int = 0) -> list[str]:
    return ["dataset", "generate", *SHOT, "--count", str(count), "--seed", str(seed), "--out", str(root)]


def env_for(root: Path) -> dict:
    return {**os.environ, TAG: str(root)}


def start(root: Path, count: int, seed: int = 0) -> tuple[subprocess.Popen, Path]:
    err = root.parent / f"driver-{time.monotonic_ns()}.err"
    with open(err, "wb") as f:
        p = subprocess.Popen([*EXE, *gen_args(root, count, seed)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=f, env=env_for(root))
    return p, err


def resume(root: Path, count: int, seed: int = 0) -> subprocess.CompletedProcess:
    return subprocess.run([*EXE, *gen_args(root, count, seed)], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=env_for(root), timeout=400)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def tagged(root: Path) -> list[int]:
    """Live processes whose command line or environment names ``root`` (not this one)."""
    arg, env = str(root).encode() + b"\0", f"{TAG}={root}".encode() + b"\0"
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit() and int(p.name) != os.getpid():
            if arg in _read(p / "cmdline") or env in _read(p / "environ"):
                pids.append(int(p.name))
    return pids


def workers_of(root: Path) -> list[int]:
    return [p for p in tagged(root) if b"spawn_main" in _read(Path(f"/proc/{p}/cmdline"))]


def spawned_children() -> list[int]:
    """This process's live multiprocessing-spawned children (workers of an in-process run)."""
    kids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            stat = _read(p / "stat").decode(errors="replace")
            fields = stat.rsplit(")", 1)[-1].split()
            if len(fields) > 2 and int(fields[1]) == os.getpid() and fields[0] != "Z" \
                    and b"spawn_main" in _read(p / "cmdline"):
                kids.append(int(p.name))
    return kids


def wait_until(cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def assert_nothing_left(root: Path, timeout: float = 10.0, keep=lambda cmdline: False) -> float:
    """Wait until no process of the run on ``root`` is left (but those whose command line
    ``keep`` accepts); returns the seconds it took."""
    t0 = time.monotonic()

    def left() -> dict:
        return {p: c for p in tagged(root) if not keep(c := _read(Path(f"/proc/{p}/cmdline")))}

    while left():
        if time.monotonic() - t0 > timeout:
            names = {p: c.split(b"\0")[0][:60].decode(errors="replace") for p, c in left().items()}
            raise AssertionError(f"processes left behind after {timeout:g} s: {names}")
        time.sleep(0.05)
    return time.monotonic() - t0


def last_line(text: str) -> str:
    lines = [x for x in text.splitlines() if x.strip()]
    assert lines, "nothing on stderr"
    return lines[-1]


def assert_complete_once(root: Path, count: int) -> None:
    """Every planned job done, exactly one ``done`` record each, the lock released, no process left."""
    jobs = plan_jobs(load_spec(root))
    assert len(jobs) == count
    assert job_status(root, jobs).counts()["done"] == count
    done = Counter(r["id"] for r in read_manifest(root) if r["status"] == "done")
    assert done == Counter({j.id: 1 for j in jobs}), done
    assert not (root / LOCK_FILE).exists()
    assert_nothing_left(root)


def tiny_spec(root: Path, count: int, seed: int = 0):
    return make_spec(scenes={"meadow": 1}, seed=seed, count=count, overrides={"meadow": ["rocks.count=5"]},
                     render={"width": 32, "height": 24, "samples": 1}, out=root)


# --- signals to the driver -------------------------------------------------------------------------------


@pytest.mark.blender
@pytest.mark.slow
def test_sigterm_ends_the_workers_records_the_job_interrupted_and_the_run_resumes(tmp_path):
    root = tmp_path / "root"
    driver, err = start(root, 2)
    wait_until(lambda: workers_of(root) or driver.poll() is not None, 120, "no worker started")
    assert driver.poll() is None, err.read_text()
    time.sleep(1.0)
    t0 = time.monotonic()
    driver.send_signal(signal.SIGTERM)
    assert driver.wait(30) == 143
    assert time.monotonic() - t0 < 5, "the driver took too long to stop"
    text = err.read_text()
    assert "Traceback" not in text
    line = last_line(text)
    assert line.startswith("stopped:") and "interrupted by SIGTERM" in line and "1 running jobs" in line, line
    assert_nothing_left(root)
    assert not (root / LOCK_FILE).exists()
    jobs = plan_jobs(load_spec(root))
    recs = read_manifest(root)
    assert [(r["id"], r["status"]) for r in recs] == [(jobs[0].id, "interrupted")]  # the queued job never ran
    assert recs[0]["error"] == "interrupted by SIGTERM" and recs[0]["wall_s"] > 1
    r = resume(root, 2)
    assert r.returncode == 0, r.stderr
    assert "2 rendered, 0 already done" in " ".join(r.stderr.split())
    assert_complete_once(root, 2)


@pytest.mark.blender
@pytest.mark.slow
def test_sigint_to_the_driver_alone_twice_stops_it_without_a_hang_or_traceback(tmp_path):
    root = tmp_path / "root"
    driver, err = start(root, 1)
    wait_until(lambda: workers_of(root) or driver.poll() is not None, 120, "no worker started")
    workers = workers_of(root)
    time.sleep(1.0)
    t0 = time.monotonic()
    os.kill(driver.pid, signal.SIGINT)  # the driver alone, not its process group
    time.sleep(0.1)
    if driver.poll() is None:
        os.kill(driver.pid, signal.SIGINT)  # impatient: a second Ctrl-C while it winds down
    assert driver.wait(30) == 130
    assert time.monotonic() - t0 < 5
    text = err.read_text()
    assert "Traceback" not in text and "interrupted by SIGINT" in last_line(text), text
    assert workers and not any(Path(f"/proc/{p}/cmdline").exists() and _read(Path(f"/proc/{p}/cmdline"))
                               for p in workers)
    assert [r["status"] for r in read_manifest(root)] == ["interrupted"]
    r = resume(root, 1)
    assert r.returncode == 0, r.stderr
    assert_complete_once(root, 1)


@pytest.mark.blender
@pytest.mark.slow
def test_sigkill_of_the_driver_takes_its_workers_and_a_rerun_at_once_takes_over_the_lock(tmp_path):
    """SIGKILL as soon as a worker exists (it may still be starting up): the worker dies with
    the driver, the dead driver's lock is left behind, and a rerun started at once takes it over."""
    root = tmp_path / "root"
    driver, err = start(root, 1)
    wait_until(lambda: workers_of(root) or driver.poll() is not None, 120, "no worker started")
    workers = workers_of(root)
    assert workers, err.read_text()
    driver.kill()
    driver.wait()
    assert (root / LOCK_FILE).exists()  # the holder is dead: stale
    r = resume(root, 1)  # at once: it must never render beside the killed run's worker
    assert r.returncode == 0, r.stderr
    assert not any(_read(Path(f"/proc/{p}/cmdline")) for p in workers)
    assert_complete_once(root, 1)


def ray_tasks(root: Path) -> list[int]:
    """Ray worker processes of the run on ``root`` running a job (Ray titles them ``ray::run_job``)."""
    return [p for p in tagged(root) if _read(Path(f"/proc/{p}/cmdline")).startswith(b"ray::run_job")]


@pytest.mark.blender
@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_ray_local_driver_leaves_no_ray_process_and_the_run_resumes(tmp_path, signum):
    """``--ray local``: the driver is signalled while a Ray task renders. SIGTERM: it cancels the task,
    shuts its Ray down and releases the lock (143); SIGKILL: Ray's processes share the driver's fate.
    Either way no raylet, GCS, agent or worker of that Ray is left a few seconds later."""
    root = tmp_path / "root"
    err = tmp_path / "driver.err"
    with open(err, "wb") as f:
        driver = subprocess.Popen([*EXE, *gen_args(root, 2), "--ray", "local"], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=f, env=env_for(root))
    try:
        wait_until(lambda: ray_tasks(root) or driver.poll() is not None, 400, "no Ray task started")
        assert driver.poll() is None, err.read_text()
        ray_procs = tagged(root)
        assert any(b"raylet" in _read(Path(f"/proc/{p}/cmdline")) for p in ray_procs)  # the test sees Ray's
        time.sleep(1.0)
        t0 = time.monotonic()
        driver.send_signal(signum)
        code = driver.wait(90)
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
    if signum == signal.SIGTERM:
        assert code == 143 and time.monotonic() - t0 < 60
        text = err.read_text()
        assert "Traceback" not in text and "interrupted by SIGTERM" in last_line(text), text
        assert not (root / LOCK_FILE).exists()
        assert {r["status"] for r in read_manifest(root)} == {"interrupted"}
    else:
        assert code == -signal.SIGKILL
        assert read_lock(root / LOCK_FILE).pid == driver.pid  # stale: the rerun takes it over
    # within 10 s: the raylet, the GCS server and every worker (the one rendering too); Ray's
    # dashboard and runtime-env agents, when the kill found them still starting up (seconds of
    # imports on a loaded machine), exit once they are up and see their raylet gone: 2 minutes at most
    assert_nothing_left(root, 10, keep=lambda cmdline: b"Agent" in cmdline or b"agent" in cmdline)
    agents_s = assert_nothing_left(root, 120)
    print(f"{signal.Signals(signum).name}: Ray's agents gone {agents_s:.1f} s after the Ray core")
    r = resume(root, 2)
    assert r.returncode == 0, r.stderr
    assert_complete_once(root, 2)


# --- two runs on one root ----------------------------------------------------------------------------------


@pytest.mark.blender
@pytest.mark.slow
def test_a_second_run_on_a_locked_root_fails_at_once_naming_the_holder(tmp_path):
    root = tmp_path / "root"
    first, err = start(root, 1)
    # the holder's name is in the lock file once it has written it (a split second after creating it); its
    # dataset.json follows the lock, so wait for both before taking the snapshot the refused run must not change
    wait_until(lambda: (read_lock(root / LOCK_FILE) is not None and (root / SPEC_FILE).exists())
               or first.poll() is not None, 120, "the first run never locked")
    assert first.poll() is None, err.read_text()

    def files() -> list[str]:  # what the first run may add meanwhile left out: its job folder and manifest
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                      if "meadow" not in p.parts and p.name != "manifest.jsonl")

    before = files()
    t0 = time.monotonic()
    r = CliRunner().invoke(app, gen_args(root, 1))
    assert time.monotonic() - t0 < 10
    assert r.exit_code == 2
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert len(lines) == 1 and f"pid {first.pid}" in lines[0] and socket.gethostname() in lines[0], r.output
    assert files() == before  # the refused run wrote nothing
    assert first.wait(300) == 0, err.read_text()
    r = resume(root, 1)
    assert r.returncode == 0 and "0 rendered, 1 already done" in " ".join(r.stderr.split()), r.stderr
    assert_complete_once(root, 1)


# --- a full disk ---------------------------------------------------------------------------------------------


@pytest.mark.blender
@pytest.mark.slow
def test_a_full_disk_stops_the_run_and_it_resumes(tmp_path):
    """Simulated (always runs): the first job's writer fails with ENOSPC in its worker. The run
    starts no further job, ends with one line and exit code 1, and the same run completes
    once the disk has room."""
    root = tmp_path / "root"
    spec = tiny_spec(root, 2, seed=FULL_AT_SEED)
    jobs = plan_jobs(spec)
    with pytest.raises(RunStopped) as e:
        generate_dataset(spec, progress=False, job=disk_full_job)
    msg = str(e.value)
    assert e.value.exit_code == 1 and "\n" not in msg and "no space left on device" in msg and jobs[0].id in msg
    recs = read_manifest(root)
    assert [(r["id"], r["status"], r["errno"]) for r in recs] == [(jobs[0].id, "failed", 28)]  # job 2 never began
    assert not (jobs[0].folder / "scene.json").exists()
    assert not spawned_children() and not (root / LOCK_FILE).exists()
    summary = generate_dataset(spec, progress=False)
    assert (summary.done, summary.failed, summary.skipped) == (2, 0, 0)
    assert_complete_once(root, 2)


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 96 kB tmpfs (a disk that fills up); skipped where mounting is not allowed."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.mark.blender
@pytest.mark.slow
def test_a_real_full_disk_stops_the_run_and_it_resumes_once_there_is_room(small_tmpfs):
    root = small_tmpfs / "root"
    r = resume(root, 1)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    line = last_line(r.stderr)
    assert line.startswith("error:") and "no space left on device" in line.lower(), r.stderr
    assert_nothing_left(root)
    jobs = plan_jobs(load_spec(root))
    assert not (jobs[0].folder / "scene.json").exists()
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_tmpfs)], check=True)
    r = resume(root, 1)
    assert r.returncode == 0, r.stderr
    assert_complete_once(root, 1)


# --- the runner's stop, without Blender ------------------------------------------------------------------------


def _tasks(tmp_path: Path, n: int) -> list[JobTask]:
    return [JobTask(f"meadow/{i:06d}", "meadow", i, str(tmp_path / f"job{i}"), (), {}, {}) for i in range(n)]


@pytest.mark.slow
def test_an_urgent_stop_ends_running_workers_and_records_them_interrupted(tmp_path):
    tasks = _tasks(tmp_path, 3)
    stop, got = Stop(), []
    asked = []

    def ask_when_running() -> None:
        wait_until(lambda: all((Path(t.folder) / "started").exists() for t in tasks[:2]), 120, "workers never ran")
        asked.append(time.monotonic())
        stop.request("interrupted by SIGTERM", signum=signal.SIGTERM)

    helper = threading.Thread(target=ask_when_running)
    helper.start()
    run_local(tasks, got.append, workers=2, job=sleepy_job, stop=stop)
    helper.join()
    assert time.monotonic() - asked[0] < 5
    assert sorted((r["id"], r["status"], r["error"]) for r in got) == \
        [(t.id, "interrupted", "interrupted by SIGTERM") for t in tasks[:2]]  # the third never started
    pids = {int((Path(t.folder) / "started").read_text()) for t in tasks[:2]}
    assert {r["pid"] for r in got} == pids and not any(Path(f"/proc/{p}").exists() for p in pids)
    assert not spawned_children() and stop.exit_code == 143
    stop.close()


@pytest.mark.slow
def test_a_manifest_that_cannot_be_written_stops_the_run_in_one_line(tmp_path):
    root = tmp_path / "root"
    (root / "manifest.jsonl").mkdir(parents=True)  # every append fails
    with pytest.raises(RunStopped) as e:
        generate_dataset(tiny_spec(root, 2), progress=False, job=instant_job)
    assert e.value.exit_code == 1 and "manifest.jsonl" in str(e.value) and "\n" not in str(e.value)
    assert not spawned_children() and not (root / LOCK_FILE).exists()


def test_signal_handlers_request_a_stop_and_step_aside_afterwards():
    from wildsynth.dataset.stop import catch_signals

    # a process started in the background of a non-interactive shell (as CI may run us) ignores
    # SIGINT from birth; this test needs Python's own Ctrl-C handler as "the previous handler"
    started_with = signal.signal(signal.SIGINT, signal.default_int_handler)
    before = signal.getsignal(signal.SIGINT)
    stop = Stop()
    with catch_signals(stop):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.01)
        assert stop.requested and stop.urgent and stop.signum == signal.SIGTERM and stop.exit_code == 143
        os.kill(os.getpid(), signal.SIGINT)  # a second signal: no KeyboardInterrupt, the first reason stays
        time.sleep(0.01)
        assert stop.reason == "interrupted by SIGTERM"
    assert signal.getsignal(signal.SIGINT) is before
    stop.close()
    # kept after a run that no signal stopped: they act as the previous handlers
    stop = Stop()
    with catch_signals(stop, restore=False):
        pass
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)
    assert not stop.requested
    # ... and after a run a signal stopped, they ignore further signals while the process exits
    with catch_signals(stop, restore=False):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN == signal.getsignal(signal.SIGTERM)
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.01)
    assert stop.signum == signal.SIGINT and stop.exit_code == 130
    signal.signal(signal.SIGINT, started_with)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    stop.close()
