"""RunLock: one writer per output location; stale locks of dead processes (this host: by PID; other
hosts: by heartbeat) are taken over safely."""

import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from wildsynth.io.lock import LockHeld, RunLock, pid_alive, read_lock
from wildsynth.params import UserError


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _write(path, pid, host=None, started=None, **extra):
    path.write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(),
                                "started": time.time() if started is None else started, "token": "x",
                                **extra}) + "\n")


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


def test_other_host_without_heartbeat_is_judged_by_its_start(tmp_path):
    path = tmp_path / ".out.lock"  # a lock file of an older version: no heartbeat, its start counts
    _write(path, 12345, host="elsewhere.example", started=time.time() - 100, heartbeat_s=0.1)
    with pytest.raises(LockHeld, match="pid 12345 on host elsewhere.example"):
        RunLock(path, stale_after=None).acquire()
    with pytest.raises(LockHeld, match="last heartbeat 100 s ago"):
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


def test_lock_file_records_host_pid_start_and_heartbeat(tmp_path):
    path = tmp_path / ".out.lock"
    with RunLock(path, heartbeat_s=2.5) as lock:
        d = json.loads(path.read_text())
        assert set(d) == {"pid", "host", "started", "heartbeat", "heartbeat_s", "token"}
        assert d["pid"] == os.getpid() and d["host"] == socket.gethostname() and d["heartbeat_s"] == 2.5
        assert d["started"] <= d["heartbeat"] <= time.time() and read_lock(path) == lock.info


def test_heartbeat_is_refreshed_in_place_while_held(tmp_path):
    path = tmp_path / ".out.lock"
    with RunLock(path, heartbeat_s=0.1) as lock:
        first, ino, size = read_lock(path), path.stat().st_ino, path.stat().st_size
        beats = []
        deadline = time.time() + 10
        while len(set(beats)) < 4 and time.time() < deadline:
            time.sleep(0.05)
            info = read_lock(path)
            assert info is not None  # a reader racing a refresh always reads a whole line
            beats.append(info.heartbeat)
        assert len(set(beats)) >= 4 and beats == sorted(beats) and beats[0] >= first.heartbeat
        now = read_lock(path)
        assert (now.pid, now.started, now.token) == (first.pid, first.started, first.token)
        assert path.stat().st_ino == ino and path.stat().st_size == size and not lock.lost
        assert time.time() - now.heartbeat < 2.0
    assert not path.exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("lock-heartbeat")]  # stopped on release


def test_foreign_lock_with_an_old_heartbeat_is_taken_over(tmp_path):
    path = tmp_path / ".out.lock"  # started 2 h ago on another host, last heartbeat 61 s ago
    _write(path, 4242, host="node-7.cluster", started=time.time() - 7200, heartbeat=time.time() - 61,
           heartbeat_s=0.2)
    t0 = time.monotonic()
    with RunLock(path):  # default timeout: 60 s
        info = read_lock(path)
        assert info.host == socket.gethostname() and info.pid == os.getpid()
    assert time.monotonic() - t0 >= 0.3  # it watched the heartbeat first (1.5 x 0.2 s)


def test_foreign_lock_with_a_fresh_heartbeat_is_refused(tmp_path):
    path = tmp_path / ".out.lock"  # a run that started 2 h ago and is still alive
    started = time.time() - 7200
    _write(path, 4242, host="node-7.cluster", started=started, heartbeat=time.time() - 3)
    t0 = time.perf_counter()
    with pytest.raises(LockHeld) as e:
        RunLock(path, what="--out ds").acquire()
    assert time.perf_counter() - t0 < 1.0
    msg = str(e.value)
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))
    assert msg.startswith("--out ds: locked by pid 4242 on host node-7.cluster since " + when)
    assert "last heartbeat 3 s ago" in msg and "taken over once its heartbeat is 60 s old" in msg
    assert "\n" not in msg
    assert read_lock(path).pid == 4242  # untouched


def test_foreign_heartbeat_that_still_moves_is_not_taken_over(tmp_path):
    """A live holder whose clock is 100 s behind: its heartbeat looks old, but it moves."""
    path = tmp_path / ".out.lock"
    started = time.time() - 300
    stop = threading.Event()

    def holder():
        while not stop.is_set():
            _write(path, 4242, host="node-7.cluster", started=started, heartbeat=time.time() - 100,
                   heartbeat_s=0.2)
            stop.wait(0.1)

    t = threading.Thread(target=holder)
    t.start()
    try:
        time.sleep(0.05)
        with pytest.raises(LockHeld, match="heartbeat still moves"):
            RunLock(path).acquire()
    finally:
        stop.set()
        t.join()
    assert read_lock(path).pid == 4242


_FOREIGN_HOLDER = """
import sys, time
from wildsynth.io import lock
lock._hostname = lambda: "node-7.cluster"  # as a driver on another machine of a shared file system
l = lock.RunLock(sys.argv[1], heartbeat_s=0.2).acquire()
print("held", flush=True)
time.sleep(60)
"""


@pytest.mark.slow
def test_lock_of_a_driver_on_another_host_is_refused_while_it_beats_and_taken_over_after_it_died(tmp_path):
    path = tmp_path / ".out.lock"
    p = subprocess.Popen([sys.executable, "-c", _FOREIGN_HOLDER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        first = read_lock(path).heartbeat
        time.sleep(3.5)  # longer than the timeout below since it started, but it keeps beating
        assert read_lock(path).heartbeat > first
        with pytest.raises(LockHeld, match=r"on host node-7.cluster .*last heartbeat \d s ago"):
            RunLock(path, stale_after=3.0).acquire()
    finally:
        p.send_signal(signal.SIGKILL)  # the other host goes down: its lock file stays
        p.wait()
    assert read_lock(path).host == "node-7.cluster"
    with pytest.raises(LockHeld):  # its heartbeat is not yet 3 s old
        RunLock(path, stale_after=3.0).acquire()
    time.sleep(max(0.0, read_lock(path).heartbeat + 3.2 - time.time()))
    with RunLock(path, stale_after=3.0):
        assert read_lock(path).host == socket.gethostname()
    assert not path.exists()


def test_a_holder_whose_lock_was_replaced_reports_it_lost(tmp_path):
    path = tmp_path / ".out.lock"
    lock = RunLock(path, heartbeat_s=0.05).acquire()
    try:
        os.unlink(path)
        _write(path, 4242, host="node-7.cluster")  # taken over elsewhere (or removed by hand and re-made)
        deadline = time.time() + 5
        while not lock.lost and time.time() < deadline:
            time.sleep(0.05)
        assert lock.lost and read_lock(path).pid == 4242  # its heartbeat stopped: the new file is untouched
    finally:
        lock.release()
    assert read_lock(path).pid == 4242  # release leaves the other holder's file


def test_heartbeat_interval_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="heartbeat_s"):
        RunLock(tmp_path / "x.lock", heartbeat_s=0)
