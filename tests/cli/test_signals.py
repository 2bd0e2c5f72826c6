"""SIGTERM, SIGINT and SIGHUP end `wildsynth generate` at once with one line and exit 128 + N,
leaving no staging folder, no lock and no folder it made (``cli/signals.py``).

Real processes: the command runs as a subprocess, either with the pipeline replaced by a fake
that writes into its stage and then waits (no Blender), or rendering for real at 160x90.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from wildsynth.cli.signals import SignalExit

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals, /proc")

# `wildsynth generate` with wildsynth.run.run replaced: it writes a view file into the stage, says
# so on stdout, then waits as a render would (in C: a lock wait, with the GIL released)
FAKE = textwrap.dedent("""
    import sys, threading
    import wildsynth.run
    from wildsynth.run.pipeline import RunResult

    def run(spec, reporter=None):
        spec.out.mkdir(parents=True, exist_ok=True)
        (spec.out / "image.png").write_bytes(b"png")
        print("staged", spec.out, flush=True)
        threading.Event().wait(60)
        (spec.out / "scene.json").write_text("{}")
        return RunResult(spec.out, {"total": 0.0}, {"triangles": 0, "instances": 0, "peak_rss_mb": 0.0})

    wildsynth.run.run = run
    from wildsynth.cli import app
    sys.argv = ["wildsynth", *sys.argv[1:]]
    app()
""")


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _stopped(p: subprocess.Popen, signum: int, timeout: float = 20.0) -> tuple[str, float]:
    """Send ``signum``; wait for the exit; return stderr and the seconds it took to exit."""
    t0 = time.monotonic()
    p.send_signal(signum)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise AssertionError(f"still running {timeout} s after {signal.Signals(signum).name}") from None
    return err, time.monotonic() - t0


def _assert_one_stopped_line(err: str, name: str) -> str:
    assert "Traceback" not in err, err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("stopped: --out "), err
    assert f"interrupted by {name}; nothing was written" in lines[0], err
    return lines[0]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_removes_staging_lock_and_made_folders(tmp_path, signum):
    out = tmp_path / "made" / "deeper" / "run"
    p = subprocess.Popen([sys.executable, "-c", FAKE, "generate", "--resolution", "32x24", "--samples", "1",
                          "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)  # its own session: the signal goes to it alone
    try:
        line = p.stdout.readline().split()
        assert line[:1] == ["staged"], line
        stage = Path(line[1])
        assert stage.name == f".staging-{p.pid}-run" and (stage / "image.png").is_file()
        assert (out.parent / ".run.lock").is_file()
        err, seconds = _stopped(p, signum)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 128 + signum, err
    _assert_one_stopped_line(err, signal.Signals(signum).name)
    assert seconds < 5.0
    assert not (tmp_path / "made").exists()  # stage, lock and the folders made for --out: all gone


def test_signal_during_overwrite_keeps_the_old_run(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "image.png").write_bytes(b"old")
    (out / "scene.json").write_text(json.dumps({"seed": 1}))
    p = subprocess.Popen([sys.executable, "-c", FAKE, "generate", "--resolution", "32x24", "--samples", "1",
                          "--out", str(out), "--overwrite"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    try:
        line = p.stdout.readline().split()
        assert line[:1] == ["staged"] and Path(line[1]).parent == out, line
        err, _ = _stopped(p, signal.SIGTERM)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 143, err
    _assert_one_stopped_line(err, "SIGTERM")
    assert _tree(out) == ["image.png", "scene.json"] and (out / "image.png").read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["run"]  # no lock beside it


HELD = textwrap.dedent("""
    import os, signal, sys, time
    from wildsynth.cli.signals import SignalExit
    with SignalExit(lambda name: f"out: interrupted by {name}") as exits:
        with exits.cleanup(lambda: open(sys.argv[1] + "/cleaned", "w").close()):
            exits.hold()
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.5)  # the signal waits for done()
            open(sys.argv[1] + "/moved-in", "w").close()
            exits.done()
            print("not reached", flush=True)
""")


def test_a_signal_waits_for_the_held_stretch_then_cleans_up(tmp_path):
    r = subprocess.run([sys.executable, "-c", HELD, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 143, r.stderr
    assert r.stderr.strip() == "stopped: out: interrupted by SIGTERM" and "not reached" not in r.stdout
    assert sorted(os.listdir(tmp_path)) == ["cleaned", "moved-in"]


OTHER = textwrap.dedent("""
    import os, signal, time
    from wildsynth.cli.signals import SignalExit
    seen = []
    signal.signal(signal.SIGUSR1, lambda n, f: seen.append(n))
    with SignalExit(lambda name: "x"):
        os.kill(os.getpid(), signal.SIGUSR1)
        time.sleep(0.3)
    print("ok", seen, flush=True)
""")


def test_other_signals_pass_by():
    r = subprocess.run([sys.executable, "-c", OTHER], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == f"ok [{int(signal.SIGUSR1)}]", r.stderr


def test_leaving_restores_the_handlers_and_wakeup_fd():
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    with SignalExit(lambda name: "x") as exits:
        assert signal.getsignal(signal.SIGTERM) == exits._on_main_thread
        with exits.cleanup(lambda: None):
            assert len(exits._steps) == 1
        assert exits._steps == []
    assert {s: signal.getsignal(s) for s in before} == before
    old = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(old)
    assert old == -1


@pytest.mark.blender
@pytest.mark.slow
def test_sigterm_mid_render_leaves_nothing(tmp_path):
    """A real 3-frame shot at 160x90: SIGTERM once frame 0 is in the stage (frame 2 renders then)."""
    out = tmp_path / "made" / "shot"
    p = subprocess.Popen([sys.executable, "-m", "wildsynth.cli", "generate", "--scene", "meadow", "--resolution",
                          "160x90", "--samples", "8", "--frames", "3", "--formats", "png", "--out", str(out)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    stage = out.parent / f".staging-{p.pid}-shot"
    try:
        deadline = time.monotonic() + 400
        while not list(stage.glob("*/000000/frame.json")):
            assert p.poll() is None, p.communicate()[1]
            assert time.monotonic() < deadline, "frame 0 never appeared in the stage"
            time.sleep(0.1)
        assert (out.parent / ".shot.lock").is_file()
        err, seconds = _stopped(p, signal.SIGTERM, timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 143, err
    _assert_one_stopped_line(err, "SIGTERM")
    assert seconds < 5.0  # at once, not after the frame's render
    assert not (tmp_path / "made").exists()
