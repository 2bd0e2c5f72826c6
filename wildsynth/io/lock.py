"""One writer per output location: an exclusive lock file, ``with RunLock(path):``.

    from wildsynth.io.lock import RunLock, LockHeld

    with RunLock(root / ".wildsynth.lock"):
        ...  # only this process writes root

The lock is a file created with ``O_CREAT | O_EXCL`` holding one JSON line:
``{"pid", "host", "started", "heartbeat", "heartbeat_s", "token"}`` (times in
Unix seconds). While held it is also ``fcntl.flock``-ed (where the file system
supports it), its ``heartbeat`` is rewritten in place every ``heartbeat_s``
seconds by a background thread of the holder (and flushed with ``fsync``, so
other hosts of a shared file system see it), and it is removed on release. A
second ``RunLock`` on the same path fails at once with ``LockHeld`` (a
``UserError``: one line naming the holder's PID, host and start, and what to do).

A lock left behind by a process that died is taken over:

- same host: when its PID is not alive (or is alive but started after the lock
  was written, i.e. the PID was reused);
- another host (where its PID means nothing): when its heartbeat is older than
  ``stale_after`` seconds (default 60; at least three of the holder's heartbeat
  intervals; ``None``: never). Since that compares the holder's clock with this
  one, the taker then watches the file for 1.5 of the holder's heartbeat
  intervals (about 8 s by default) and refuses if the heartbeat still moves: a
  live holder whose clock is behind is not taken over.

Taking over is atomic: the taker ``flock``-s the stale file (so two takers
cannot both proceed), re-checks that the path still names that same file with
the same content, and renames its own, already written and locked, lock file
over it. A holder whose lock file was replaced (taken over by another host,
removed by hand) stops its heartbeat and reports ``lost``.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

from ..params import UserError

try:
    import fcntl
except ImportError:  # not POSIX: O_EXCL alone
    fcntl = None  # type: ignore[assignment]

HEARTBEAT_S = 5.0  # how often a holder refreshes its heartbeat
STALE_AFTER_S = 60.0  # a heartbeat this old (from another host) marks a lock as abandoned
_CONFIRM_MAX_S = 30.0  # the longest a taker watches a foreign lock's heartbeat before taking it over


class LockHeld(UserError):
    """The lock is held by a live process (or one on another host that is not yet stale)."""


@dataclass(frozen=True)
class LockInfo:
    """Who holds a lock: what its file says. ``heartbeat``: when the holder last said it was alive
    (its start for lock files written without one); ``heartbeat_s``: how often it says so."""

    pid: int
    host: str
    started: float
    token: str = ""
    heartbeat: float = 0.0
    heartbeat_s: float = HEARTBEAT_S

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return f"pid {self.pid} on host {self.host} since {when}"

    def line(self) -> str:
        """The lock file's JSON line. Times are written with a fixed number of decimals, so a
        refreshed heartbeat has the same width and only its digits change."""
        return (f'{{"pid": {self.pid}, "host": {json.dumps(self.host)}, "started": {self.started:.3f}, '
                f'"heartbeat": {self.heartbeat:.3f}, "heartbeat_s": {self.heartbeat_s!r}, '
                f'"token": {json.dumps(self.token)}}}\n')


def _hostname() -> str:
    return socket.gethostname()


def _parse(text: str | bytes) -> LockInfo | None:
    try:
        d = json.loads(text)
        started = float(d["started"])
        return LockInfo(int(d["pid"]), str(d["host"]), started, str(d.get("token", "")),
                        float(d.get("heartbeat", started)), float(d.get("heartbeat_s", HEARTBEAT_S)))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def read_lock(path: str | os.PathLike) -> LockInfo | None:
    """The holder named in a lock file; None when it is missing, empty or unreadable."""
    try:
        return _parse(Path(path).read_bytes())
    except OSError:
        return None


def _process_start(pid: int) -> float | None:
    """Unix time a process started (Linux /proc), None where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # field 22 of stat: start time in clock ticks after boot
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return int(line.split()[1]) + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    return None


def pid_alive(pid: int, since: float | None = None) -> bool:
    """Whether process ``pid`` of this host is alive (and, with ``since``, started before it: a PID
    reused by a later process counts as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    if since is not None:
        start = _process_start(pid)
        if start is not None and start > since + 2.0:  # 2 s: btime and ticks round
            return False
    return True


def _try_flock(fd: int) -> bool:
    """Take an exclusive flock without waiting; True also where flock is unsupported."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError:  # file system without flock: O_EXCL is the lock
        return True


def _read_fresh(path: Path) -> tuple[int, LockInfo | None] | None:
    """(inode, holder) of the lock file as it is now, opened anew (NFS revalidates on open)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    try:
        return os.fstat(fd).st_ino, _parse(os.pread(fd, 4096, 0))
    finally:
        os.close(fd)


class RunLock:
    """An exclusive lock on ``path`` (the lock file itself, e.g. ``out.parent / ".out.lock"``).

    ``stale_after``: seconds after its last heartbeat at which a lock from another host is
    taken over (None: never; same-host locks are judged by their PID). ``heartbeat_s``: how
    often this holder refreshes its own heartbeat. ``what``: how the error names the locked
    thing (default: the lock path). Raises ``LockHeld`` from ``acquire``/``__enter__``.
    """

    def __init__(self, path: str | os.PathLike, stale_after: float | None = STALE_AFTER_S,
                 what: str | None = None, heartbeat_s: float = HEARTBEAT_S):
        if not heartbeat_s > 0:
            raise ValueError(f"heartbeat_s {heartbeat_s}: must be > 0")
        self.path = Path(path)
        self.stale_after = stale_after
        self.heartbeat_s = float(heartbeat_s)
        self.what = what or str(self.path)
        self.info: LockInfo | None = None
        self.lost = False  # the lock file was replaced or removed under us (the heartbeat noticed)
        self._fd: int | None = None
        self._beat_stop = threading.Event()
        self._beat: threading.Thread | None = None

    # -- public ------------------------------------------------------------------------------

    def acquire(self) -> RunLock:
        if self._fd is not None:
            raise RuntimeError(f"{self.path}: already held by this RunLock")
        for _ in range(50):  # each round either takes the lock, refuses, or saw the file change
            if self._create() or self._take_over_if_stale():
                self._start_heartbeat()
                return self
        raise LockHeld(f"{self.what}: cannot take the lock {self.path} (it keeps changing); try again")

    def release(self) -> None:
        """Stop the heartbeat, remove the lock file (if it is still ours) and drop the flock.
        Safe to call twice (also from a signal handler's clean-up while the holder runs)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        self._stop_heartbeat()  # before the descriptor closes: the thread writes through it
        try:
            if os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.release()

    # -- heartbeat -----------------------------------------------------------------------------

    def _start_heartbeat(self) -> None:
        self._beat_stop.clear()
        self._beat = threading.Thread(target=self._beat_loop, args=(self._fd,), daemon=True,
                                      name=f"lock-heartbeat {self.path.name}")
        self._beat.start()

    def _stop_heartbeat(self) -> None:
        self._beat_stop.set()
        beat, self._beat = self._beat, None
        if beat is not None and beat is not threading.current_thread():
            beat.join()

    def _beat_loop(self, fd: int) -> None:
        while not self._beat_stop.wait(self.heartbeat_s):
            try:
                if os.fstat(fd).st_ino != os.stat(self.path).st_ino:
                    self.lost = True
                    return
                self.info = replace(self.info, heartbeat=round(time.time(), 3))
                self._write(fd, self.info)
            except FileNotFoundError:
                self.lost = True
                return
            except OSError:  # a full disk or a file server that hiccups: try again next time
                continue

    # -- internals -----------------------------------------------------------------------------

    def _new_info(self) -> LockInfo:
        t = round(time.time(), 3)  # as the file holds it
        return LockInfo(os.getpid(), _hostname(), t, uuid.uuid4().hex, t, self.heartbeat_s)

    @staticmethod
    def _write(fd: int, info: LockInfo) -> None:
        """Write the lock line in place. A refresh only changes digits of a number of the same
        width, so a reader racing it still reads valid JSON (the truncate is for the rare other case)."""
        data = info.line().encode()
        os.pwrite(fd, data, 0)
        if os.fstat(fd).st_size != len(data):
            os.ftruncate(fd, len(data))
        os.fsync(fd)

    def _create(self) -> bool:
        """Create the lock file exclusively; False when it exists."""
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o644)
        except FileExistsError:
            return False
        try:
            _try_flock(fd)  # nobody else can have it: the file is new
            info = self._new_info()
            self._write(fd, info)
        except BaseException:
            os.close(fd)
            os.unlink(self.path)
            raise
        self._fd, self.info = fd, info
        return True

    def _timeout(self, holder: LockInfo) -> float | None:
        """Heartbeat age after which ``holder`` (of another host) counts as gone."""
        if self.stale_after is None:
            return None
        return max(self.stale_after, 3.0 * holder.heartbeat_s)

    def _refusal(self, holder: LockInfo) -> str | None:
        """Why ``holder`` still holds the lock (the error message), or None when it is stale."""
        head = f"{self.what}: locked by {holder.describe()} (lock file {self.path}); "
        if holder.host == _hostname():  # this process too: a second RunLock here is refused
            if not pid_alive(holder.pid, holder.started):
                return None
            return head + f"wait for that run to finish, or stop it (kill {holder.pid})"
        age = time.time() - holder.heartbeat
        timeout = self._timeout(holder)
        if timeout is None:
            return head + (f"last heartbeat {age:.0f} s ago; wait for that run to finish, or remove the lock "
                           f"file once it is gone")
        if age <= timeout:
            return head + (f"last heartbeat {age:.0f} s ago; wait for that run to finish (if it is gone, its "
                           f"lock is taken over once its heartbeat is {timeout:g} s old)")
        return None

    def _still_beating(self, ino: int, holder: LockInfo) -> bool | None:
        """Watch a foreign lock whose heartbeat looks old: True if it moves (its holder lives and
        its clock is behind), False if not, None if the file was replaced or removed meanwhile."""
        time.sleep(min(_CONFIRM_MAX_S, 1.5 * holder.heartbeat_s))
        now = _read_fresh(self.path)
        if now is None or now[0] != ino or now[1] is None or now[1].token != holder.token:
            return None
        return now[1].heartbeat != holder.heartbeat

    def _take_over_if_stale(self) -> bool:
        """True: the lock is ours now. False: the file went away or changed (retry). Raises LockHeld."""
        try:
            fd = os.open(self.path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return False
        try:
            st = os.fstat(fd)
            holder = _parse(os.pread(fd, 4096, 0))
            if holder is None:  # empty or half-written: stale only if unlocked and 5 s old (its writer died)
                if not (_try_flock(fd) and time.time() - st.st_mtime > 5.0):
                    time.sleep(0.05)  # its creator is between O_EXCL and writing: look again
                    return False
            else:
                refusal = self._refusal(holder)
                if refusal is not None:
                    raise LockHeld(refusal)
                if holder.host != _hostname():
                    beating = self._still_beating(st.st_ino, holder)
                    if beating is None:
                        return False
                    if beating:
                        raise LockHeld(f"{self.what}: locked by {holder.describe()} (lock file {self.path}); "
                                       "its heartbeat still moves although it looks old (that host's clock is "
                                       "behind this one's): wait for that run to finish")
                if not _try_flock(fd):  # another taker holds the stale file: let it finish, then look again
                    time.sleep(0.05)
                    return False
                if _parse(os.pread(fd, 4096, 0)) != holder:
                    return False  # refreshed meanwhile: judge it again
            try:
                if os.stat(self.path).st_ino != st.st_ino:
                    return False  # replaced meanwhile
            except FileNotFoundError:
                return False
            tmp = self.path.with_name(f"{self.path.name}.takeover-{os.getpid()}")
            new = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                _try_flock(new)
                info = self._new_info()
                self._write(new, info)
                os.replace(tmp, self.path)
            except BaseException:
                os.close(new)
                tmp.unlink(missing_ok=True)
                raise
            self._fd, self.info = new, info
            return True
        finally:
            os.close(fd)
