"""Faults and bad input through the CLI: one line on stderr, exit code 2, no traceback, nothing on disk.

Most cases never reach a render: the checks refuse them, or ``wildsynth.run.run`` is replaced by
``fake_run`` (writes a minimal run output) so the output folder handling -- staging, swap,
overwrite, lock, stale leftovers, a full disk -- is tested without Blender. The cases that render
(32x24, one sample) are marked ``blender``.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import wildsynth.run
from wildsynth.cli import app
from wildsynth.io.lock import read_lock
from wildsynth.run.pipeline import RunResult, memory_estimate
from wildsynth.run.spec import RunOptions

runner = CliRunner()
TINY = ["--resolution", "32x24", "--samples", "1"]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(r, needle: str, code: int = 2) -> str:
    assert r.exit_code == code, r.output
    err = r.stderr.strip()
    assert "Traceback" not in r.output and len(err.splitlines()) == 1, r.output
    assert err.startswith("error: ") and needle in err, err
    return err


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


@pytest.fixture
def no_render(monkeypatch):
    """Any call of the pipeline fails the test: these cases must be refused before it."""
    def run(*a, **k):
        raise AssertionError("the pipeline ran")
    monkeypatch.setattr(wildsynth.run, "run", run)


@pytest.fixture
def fake_run(monkeypatch):
    """The pipeline replaced by a writer of a minimal run output (a view file, then scene.json)."""
    calls = []

    def run(spec, reporter=None):
        calls.append(spec)
        spec.out.mkdir(parents=True, exist_ok=True)
        (spec.out / "image.png").write_bytes(b"png of seed %d" % spec.seed)
        if getattr(run, "fail", None):
            raise run.fail
        (spec.out / "scene.json").write_text(json.dumps({"seed": spec.seed}))
        return RunResult(spec.out, {"total": 0.0}, {"triangles": 0, "instances": 0, "peak_rss_mb": 0.0})

    run.calls = calls
    monkeypatch.setattr(wildsynth.run, "run", run)
    return run


# -- 1. flags that used to fail late or with a traceback ----------------------------------------

def test_huge_samples(tmp_path, no_render):
    one_line_error(invoke("generate", "--samples", 10**9, "--out", tmp_path / "o"), "--samples 1000000000: must be <= 65536")
    assert not (tmp_path / "o").exists()


def test_out_below_a_regular_file(tmp_path, no_render):
    (tmp_path / "file").write_text("x")
    one_line_error(invoke("generate", *TINY, "--out", tmp_path / "file" / "run"), "is a file, not a folder")
    assert tree(tmp_path) == ["file"]


def test_out_name_too_long(tmp_path, no_render):
    err = one_line_error(invoke("generate", *TINY, "--out", tmp_path / ("x" * 300)), "300 bytes long")
    assert "at most 255" in err and tree(tmp_path) == []


@pytest.mark.blender  # loads bpy (the exporter), renders nothing
def test_export_into_read_only_folder(tmp_path, monkeypatch, ro_folder):
    err = one_line_error(invoke("export", "--resolution", "32x24", "--out", ro_folder / "scene.glb"), "--out")
    assert "read-only" in err or "not writable" in err
    assert os.listdir(ro_folder) == []


@pytest.mark.blender
def test_export_scene_probes_the_folder_before_building(ro_folder):
    from wildsynth.render.export import _probe_writable

    with pytest.raises(OSError) as e:
        _probe_writable(ro_folder / "sub" / ".scene.partial-1.glb")
    assert e.value.errno in (errno.EROFS, errno.EACCES) and os.listdir(ro_folder) == []


@pytest.fixture
def ro_folder(tmp_path):
    """A read-only folder: a read-only tmpfs where mounting works (root), else a folder whose mode
    forbids writing (which only stops a non-root user, who is the one it then applies to)."""
    d = tmp_path / "ro"
    d.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,ro", "tmpfs", str(d)],
                             capture_output=True).returncode == 0
    if not mounted:
        if os.geteuid() == 0:
            pytest.skip("cannot mount a read-only tmpfs here, and root writes through folder modes")
        d.chmod(0o555)
    yield d
    if mounted:
        subprocess.run(["umount", str(d)], check=False)
    else:
        d.chmod(0o755)


# -- 2. memory: refused before anything is built ---------------------------------------------------

def test_resolution_too_large_for_memory(tmp_path, no_render):
    err = one_line_error(invoke("generate", "--resolution", "16384x16384", "--out", tmp_path / "o"), "--resolution 16384x16384")
    assert "GB available" in err and "of this aspect fits" in err
    w, h = (int(v) for v in err.split("at most ")[1].split(" ")[0].split("x"))
    assert w == h and 8 <= w < 16384
    assert not (tmp_path / "o").exists()


def test_memory_refusal_names_what_fits(tmp_path, monkeypatch, no_render):
    import wildsynth.run.pipeline as pipeline

    monkeypatch.setattr(pipeline, "available_memory_mb", lambda: 1500.0)
    err = one_line_error(invoke("generate", "--resolution", "3840x1080", "--out", tmp_path / "o"), "1.5 GB available")
    w, h = (int(v) for v in err.split("at most ")[1].split(" ")[0].split("x"))
    assert abs(w / h - 3840 / 1080) < 0.05
    opts = RunOptions()
    assert memory_estimate(w, h, opts, "meadow") <= 1500 < memory_estimate(w + 16, h + 5, opts, "meadow")
    monkeypatch.setattr(pipeline, "available_memory_mb", lambda: 100.0)
    one_line_error(invoke("generate", *TINY, "--out", tmp_path / "o"), "no resolution of this shot fits")


def test_memory_estimate_follows_the_calibration():
    mono = RunOptions()
    # measured peak RSS (MB) of meadow at one sample: the estimate is at or a little above them
    for (w, h), measured in {(64, 48): 781, (320, 180): 805, (1280, 720): 1225, (16384, 8): 3615}.items():
        est = memory_estimate(w, h, mono, "meadow")
        assert 0.95 * measured <= est <= 1.35 * measured, (w, h, est)
    assert memory_estimate(640, 360, mono, "forest") >= 0.95 * 1664  # forest builds more per pixel of width
    stereo = RunOptions(shot={"rig": "stereo", "frames": 3, "trajectory": {"kind": "walk"}})
    assert memory_estimate(640, 2880, stereo, "meadow") >= 0.95 * 2064
    big = memory_estimate(16384, 16384, mono, "meadow")
    assert big > 40_000 and big > memory_estimate(8192, 8192, mono, "meadow") * 3


@pytest.mark.blender
def test_memory_estimate_covers_a_real_run(tmp_path):
    # the calibration is of pyenv's Python 3.11.7; Debian's 3.11.2 peaks about 190 MB higher at this size
    for name in ("warm", "o"):  # the first run fills numba's caches
        out = tmp_path / name
        r = subprocess.run([sys.executable, "-m", "wildsynth.cli", "generate", "--resolution", "48x32", "--samples",
                            "1", "--out", str(out), "--formats", "exr"], capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
    peak = json.loads((out / "scene.json").read_text())["stats"]["peak_rss_mb"]
    assert peak <= 1.5 * memory_estimate(48, 32, RunOptions(formats=("exr",)), "meadow")


# -- 3. values that were accepted ---------------------------------------------------------------------

@pytest.mark.parametrize("args, needle", [
    (["--seed", 2**64], "--seed 18446744073709551616: must be between 0 and 9223372036854775807"),
    (["--seed", -1], "--seed -1"),
    (["--out", ""], "--out '': empty path"),
    (["--formats", ""], "use --formats png"),
    (["--formats", " , "], "use --formats png"),
])
def test_values_that_were_accepted(tmp_path, monkeypatch, no_render, args, needle):
    monkeypatch.chdir(tmp_path)
    full = [*TINY, *args] if "--out" in args else [*TINY, "--out", tmp_path / "o", *args]
    one_line_error(invoke("generate", *full), needle)
    assert tree(tmp_path) == []


def test_seed_at_the_limit_is_accepted(tmp_path, fake_run):
    r = invoke("generate", *TINY, "--seed", 2**63 - 1, "--out", tmp_path / "o", "--formats", "png")
    assert r.exit_code == 0, r.output
    assert fake_run.calls[0].seed == 2**63 - 1 and fake_run.calls[0].options.formats == ()


# -- 4. messages ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, needle, absent", [
    (["generate", "--motion", "bogus=1"], "--motion bogus: unknown parameter for motion", "--set"),
    (["generate", "--speed", "-5"], "--speed -5.0: must be", "trajectory"),
    (["generate", "--fps", "nan"], "--fps nan", "Input should"),
    (["generate", "--set", "rocks.kind=bogus"], "one of: boulder, chunk, pebble", "Literal"),
    (["generate", "--trajectory", "bogus"], "choose one of static, walk", "Literal"),
    (["generate", "--frames", "abc"], "'--frames'", "╭"),
    (["generate", "--nosuch"], "No such option: --nosuch", "╭"),
    (["materials", "--size", "5"], "'--size'", "╭"),
    (["stereo-from-mono", "--images", ".", "--depth", ".", "--out", "o", "--inverse", "true"],
     "--inverse is an on/off switch", "╭"),
    (["nosuch-command"], "No such command", "╭"),
])
def test_messages_name_the_flag(tmp_path, monkeypatch, no_render, args, needle, absent):
    monkeypatch.chdir(tmp_path)
    if args[0] == "generate":
        args = [*args, *TINY, "--out", tmp_path / "o"]
    err = one_line_error(invoke(*args), needle)
    assert absent not in err
    assert tree(tmp_path) == []


def test_stereo_errors_show_no_parameter_dicts(tmp_path):
    (tmp_path / "i").mkdir()
    err = one_line_error(invoke("stereo-from-mono", "--images", tmp_path / "i", "--depth", tmp_path / "i", "--out",
                                tmp_path / "o", "--max-disp-min", 100, "--max-disp-max", 10), "--max-disp-min 100.0")
    assert "{" not in err and not (tmp_path / "o").exists()


# -- 5. stereo-from-mono: see also tests/stereo/test_stereo_cli.py ----------------------------------------

def test_stereo_three_channel_depth_named(tmp_path):
    from wildsynth.io.png import write_png

    (tmp_path / "i").mkdir()
    (tmp_path / "d").mkdir()
    write_png(tmp_path / "i" / "a.png", np.zeros((8, 8, 3), np.uint8))
    np.save(tmp_path / "d" / "a.npy", np.ones((8, 8, 3), np.float32))
    r = invoke("stereo-from-mono", "--images", tmp_path / "i", "--depth", tmp_path / "d", "--out", tmp_path / "o")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "a.npy" in r.stderr and "(8, 8, 3)" in r.stderr
    assert not (tmp_path / "o").exists()


# -- 6. output folders: staging, overwrite, leftovers -------------------------------------------------------

def test_output_appears_only_when_complete(tmp_path, fake_run):
    out = tmp_path / "a" / "b" / "run"
    r = invoke("generate", *TINY, "--out", out)
    assert r.exit_code == 0, r.output
    assert tree(out) == ["image.png", "scene.json"]
    assert fake_run.calls[0].out.name.startswith(".staging-") and fake_run.calls[0].out.parent == out.parent
    assert sorted(os.listdir(out.parent)) == ["run"]  # no staging or lock left


def test_failed_run_leaves_nothing(tmp_path, fake_run):
    fake_run.fail = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x" / "run" / "depth.exr"))
    out = tmp_path / "x" / "run"
    err = one_line_error(invoke("generate", *TINY, "--out", out), "no space left on device writing")
    assert "depth.exr" in err
    assert tree(tmp_path) == []  # stage, lock and the parent folder made for them: gone


def test_another_runs_output_is_refused(tmp_path, no_render):
    out = tmp_path / "o"
    out.mkdir()
    (out / "scene.json").write_text("{}")
    one_line_error(invoke("generate", *TINY, "--out", out), "give --overwrite")
    view = tmp_path / "v" / "left" / "000000"
    view.mkdir(parents=True)
    (view / "frame.json").write_text("{}")
    one_line_error(invoke("generate", *TINY, "--out", tmp_path / "v"), "holds the output of another run")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    one_line_error(invoke("generate", *TINY, "--out", tmp_path / "mine", "--overwrite"), "holds other files")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_overwrite_replaces_the_old_run_whole(tmp_path, fake_run):
    out = tmp_path / "o"
    out.mkdir()
    (out / "scene.json").write_text('{"seed": 99}')
    (out / "old_view").mkdir()
    (out / "old_view" / "frame.json").write_text("{}")
    r = invoke("generate", *TINY, "--seed", 5, "--out", out, "--overwrite")
    assert r.exit_code == 0, r.output
    assert tree(out) == ["image.png", "scene.json"] and json.loads((out / "scene.json").read_text())["seed"] == 5


def test_failed_overwrite_keeps_the_old_run(tmp_path, fake_run):
    out = tmp_path / "o"
    out.mkdir()
    (out / "scene.json").write_text('{"seed": 99}')
    fake_run.fail = OSError(errno.EDQUOT, "Disk quota exceeded", str(out / "image.png"))
    one_line_error(invoke("generate", *TINY, "--out", out, "--overwrite"), "disk quota exceeded writing")
    assert tree(out) == ["scene.json"] and json.loads((out / "scene.json").read_text())["seed"] == 99
    assert sorted(os.listdir(tmp_path)) == ["o"]


def test_empty_existing_folder_is_filled_in_place(tmp_path, fake_run, monkeypatch):
    out = tmp_path / "empty"
    out.mkdir()
    ino = out.stat().st_ino
    monkeypatch.chdir(out)
    r = invoke("generate", *TINY, "--out", ".")
    assert r.exit_code == 0, r.output
    assert out.stat().st_ino == ino and tree(out) == ["image.png", "scene.json"]


def test_stale_staging_of_killed_runs_is_removed(tmp_path, fake_run):
    out = tmp_path / "o"
    dead = _dead_pid()
    (out / "cam" / "000000" / f".staging-{dead}").mkdir(parents=True)  # an old run killed mid-view
    (tmp_path / f".staging-{dead}-o").mkdir()  # a killed run's whole-run stage beside it
    (tmp_path / f".staging-{dead}-other").mkdir()  # another output's: not ours to judge
    (tmp_path / f".staging-{os.getppid()}-o").mkdir()  # a live process's: kept
    r = invoke("generate", *TINY, "--out", out)
    assert r.exit_code == 0, r.output
    assert sorted(os.listdir(tmp_path)) == sorted(["o", f".staging-{dead}-other", f".staging-{os.getppid()}-o"])
    assert tree(out) == ["image.png", "scene.json"]


# -- 7. the lock -----------------------------------------------------------------------------------

def test_second_run_on_a_locked_folder_fails_at_once(tmp_path, fake_run):
    out = tmp_path / "o"
    lock = tmp_path / ".o.lock"
    code = ("import time; from wildsynth.io.lock import RunLock\n"
            f"l = RunLock({str(lock)!r}).acquire(); print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.perf_counter()
        err = one_line_error(invoke("generate", *TINY, "--out", out), f"locked by pid {holder.pid} on host "
                             f"{socket.gethostname()}")
        assert time.perf_counter() - t0 < 10 and not fake_run.calls and not out.exists()
    finally:
        holder.kill()
        holder.wait()
    assert "lock file" in err
    r = invoke("generate", *TINY, "--out", out)  # the holder was SIGKILLed: its lock is stale, taken over
    assert r.exit_code == 0, r.output
    assert not lock.exists() and tree(out) == ["image.png", "scene.json"]


def test_lock_is_held_during_the_run(tmp_path, monkeypatch):
    seen = {}

    def run(spec, reporter=None):
        seen["lock"] = read_lock(tmp_path / ".o.lock")
        spec.out.mkdir(parents=True)
        (spec.out / "scene.json").write_text("{}")
        return RunResult(spec.out, {"total": 0.0}, {"triangles": 0, "instances": 0, "peak_rss_mb": 0.0})

    monkeypatch.setattr(wildsynth.run, "run", run)
    assert invoke("generate", *TINY, "--out", tmp_path / "o").exit_code == 0
    assert seen["lock"].pid == os.getpid() and seen["lock"].host == socket.gethostname()


# -- 8. a full disk ---------------------------------------------------------------------------------

def test_disk_full_in_stereo_is_one_line(tmp_path, monkeypatch):
    import wildsynth.stereo.writing as writing
    from wildsynth.io.pfm import write_pfm
    from wildsynth.io.png import write_png

    (tmp_path / "i").mkdir()
    (tmp_path / "d").mkdir()
    write_png(tmp_path / "i" / "a.png", np.zeros((8, 8, 3), np.uint8))
    write_pfm(tmp_path / "d" / "a.pfm", np.full((8, 8), 4.0, np.float32))

    def full(path, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(writing, "write_png", full)
    err = one_line_error(invoke("stereo-from-mono", "--images", tmp_path / "i", "--depth", tmp_path / "d", "--out",
                                tmp_path / "o"), "no space left on device writing")
    assert "a.png" in err


@pytest.mark.blender
def test_disk_full_in_the_writer_is_one_line(tmp_path, monkeypatch):
    import wildsynth.run.pipeline as pipeline

    def full(folder, *a, **k):
        (folder / "image.png").parent.mkdir(parents=True, exist_ok=True)
        (folder / "image.png").write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "depth.exr"))

    monkeypatch.setattr(pipeline, "write_view", full)
    out = tmp_path / "o"
    err = one_line_error(invoke("generate", *TINY, "--out", out), "no space left on device writing")
    assert "depth.exr" in err and tree(tmp_path) == []


@pytest.fixture
def tiny_tmpfs(tmp_path):
    d = tmp_path / "small"
    d.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(d)], capture_output=True).returncode:
        # the simulated ENOSPC tests above always run; this one needs mount(8) rights (root, no sandbox)
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    yield d
    subprocess.run(["umount", str(d)], check=False)


@pytest.mark.blender
def test_real_full_disk(tiny_tmpfs):
    r = invoke("generate", *TINY, "--out", tiny_tmpfs / "run")
    one_line_error(r, "no space left on device")
    assert os.listdir(tiny_tmpfs) == []  # staging and lock removed


def test_real_full_disk_in_stereo(tiny_tmpfs, tmp_path):
    from wildsynth.io.pfm import write_pfm
    from wildsynth.io.png import write_png

    rng = np.random.default_rng(0)
    (tmp_path / "i").mkdir()
    (tmp_path / "d").mkdir()
    for k in range(4):
        write_png(tmp_path / "i" / f"{k}.png", (rng.random((96, 128, 3)) * 255).astype(np.uint8))
        write_pfm(tmp_path / "d" / f"{k}.pfm", np.full((96, 128), 4.0, np.float32))
    r = invoke("stereo-from-mono", "--images", tmp_path / "i", "--depth", tmp_path / "d", "--out", tiny_tmpfs / "o")
    one_line_error(r, "no space left on device writing")
    assert not [p for p in tiny_tmpfs.rglob("*") if ".tmp-" in p.name]  # no temporaries left
