"""RunLock: one writer per output location; stale locks of dead processes are taken over safely."""

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time

import pytest

from wildsynth.io.lock import LockHeld, RunLock, pid_alive, read_lock
from wildsynth.params import UserError


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _write(path, pid, host=None, started=None):
    path.write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(),
                                "started": time.time() if started is None else started, "token": "x"}) + "\n")


def test_lock_file_holds_pid_host_start_and_is_removed(tmp_path):
    path = tmp_path / ".out.lock"
    with RunLock(path) as lock:
        info = read_lock(path)
        assert info.pid == os.getpid() and info.host == socket.gethostname()
        assert abs(info.started - time.time()) < 60 and lock.held
    assert not path.exists() and not lock.held


def test_second_lock_fails_at_once_naming_holder(tmp_path):
    path = tmp_path / ".out.lock"
    with RunLock(path):
        t0 = time.perf_counter()
        with pytest.raises(LockHeld) as e:
            RunLock(path, what="--out x").acquire()
        assert time.perf_counter() - t0 < 1.0
        msg = str(e.value)
        assert f"pid {os.getpid()}" in msg and socket.gethostname() in msg and msg.startswith("--out x")
        assert "\n" not in msg and isinstance(e.value, UserError)
    assert not path.exists()


def test_lock_held_by_another_live_process(tmp_path):
    path = tmp_path / ".out.lock"
    code = ("import sys, time; from wildsynth.io.lock import RunLock\n"
            f"l = RunLock({str(path)!r}).acquire(); print('held', flush=True); time.sleep(30)")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld, match=f"pid {p.pid} "):
            RunLock(path).acquire()
    finally:
        p.kill()
        p.wait()
    with RunLock(path) as lock:  # its holder was killed (SIGKILL: the file stayed): taken over
        assert read_lock(path).pid == os.getpid() and lock.held


def test_stale_lock_of_dead_pid_is_taken_over(tmp_path):
    path = tmp_path / ".out.lock"
    dead = _dead_pid()
    assert not pid_alive(dead)
    _write(path, dead)
    with RunLock(path):
        assert read_lock(path).pid == os.getpid()
    assert not path.exists()


def test_reused_pid_counts_as_dead(tmp_path):
    path = tmp_path / ".out.lock"
    _write(path, 1, started=1000.0)  # pid 1 is alive, but started long after 1970
    assert pid_alive(1) and not pid_alive(1, since=1000.0)
    with RunLock(path):
        assert read_lock(path).pid == os.getpid()


def test_other_host_needs_the_timeout(tmp_path):
    path = tmp_path / ".out.lock"
    _write(path, 12345, host="elsewhere.example", started=time.time() - 100)
    with pytest.raises(LockHeld, match="pid 12345 on host elsewhere.example"):
        RunLock(path).acquire()
    with pytest.raises(LockHeld):
        RunLock(path, stale_after=1000).acquire()
    with RunLock(path, stale_after=50):
        assert read_lock(path).host == socket.gethostname()


def test_abandoned_empty_lock_file_is_taken_over(tmp_path):
    path = tmp_path / ".out.lock"
    path.write_text("")
    old = time.time() - 60
    os.utime(path, (old, old))
    with RunLock(path):
        assert read_lock(path).pid == os.getpid()


def _contender(path, barrier, results):
    barrier.wait()
    try:
        lock = RunLock(path).acquire()
    except LockHeld:
        results.put("refused")
        return
    results.put("took")
    time.sleep(1.0)  # hold it while the others try
    lock.release()


def test_concurrent_takeover_has_one_winner(tmp_path):
    path = tmp_path / ".out.lock"
    _write(path, _dead_pid())
    ctx = multiprocessing.get_context("fork")
    n = 6
    barrier, results = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_contender, args=(path, barrier, results)) for _ in range(n)]
    for p in procs:
        p.start()
    outcomes = sorted(results.get(timeout=30) for _ in range(n))
    for p in procs:
        p.join(10)
    assert outcomes == ["refused"] * (n - 1) + ["took"]
    assert not path.exists()
