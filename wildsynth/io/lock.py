"""One writer per output location: an exclusive lock file, ``with RunLock(path):``.

    from wildsynth.io.lock import RunLock, LockHeld

    with RunLock(root / ".wildsynth.lock", stale_after=3600):
        ...  # only this process writes root

The lock is a file created with ``O_CREAT | O_EXCL`` holding one JSON line:
``{"pid": ..., "host": ..., "started": <unix time>, "token": ...}``. While held it
is also ``fcntl.flock``-ed (where the file system supports it), and removed on
release. A second ``RunLock`` on the same path fails at once with ``LockHeld``
(a ``UserError``: one line naming the holder's PID and host).

A lock left behind by a process that died is taken over:

- same host: when its PID is not alive (or is alive but started after the lock
  was written, i.e. the PID was reused), or its file is unlocked while the
  PID test cannot decide;
- another host: only when the lock is older than ``stale_after`` seconds (the
  caller's timeout; ``None``: never).

Taking over is atomic: the taker ``flock``-s the stale file (so two takers
cannot both proceed), re-checks that the path still names that same file, and
renames its own, already written and locked, lock file over it.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from ..params import UserError

try:
    import fcntl
except ImportError:  # not POSIX: O_EXCL alone
    fcntl = None  # type: ignore[assignment]


class LockHeld(UserError):
    """The lock is held by a live process (or one on another host that is not yet stale)."""


@dataclass(frozen=True)
class LockInfo:
    """Who holds a lock: what its file says."""

    pid: int
    host: str
    started: float
    token: str = ""

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return f"pid {self.pid} on host {self.host} since {when}"


def _hostname() -> str:
    return socket.gethostname()


def _parse(text: str | bytes) -> LockInfo | None:
    try:
        d = json.loads(text)
        return LockInfo(int(d["pid"]), str(d["host"]), float(d["started"]), str(d.get("token", "")))
    except (ValueError, KeyError, TypeError):
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


class RunLock:
    """An exclusive lock on ``path`` (the lock file itself, e.g. ``out.parent / ".out.lock"``).

    ``stale_after``: seconds after which a lock from another host is taken over (None:
    never; same-host locks are judged by their PID). ``what``: how the error names the
    locked thing (default: the lock path). Raises ``LockHeld`` from ``acquire``/``__enter__``.
    """

    def __init__(self, path: str | os.PathLike, stale_after: float | None = None, what: str | None = None):
        self.path = Path(path)
        self.stale_after = stale_after
        self.what = what or str(self.path)
        self.info: LockInfo | None = None
        self._fd: int | None = None

    # -- public ------------------------------------------------------------------------------

    def acquire(self) -> RunLock:
        if self._fd is not None:
            raise RuntimeError(f"{self.path}: already held by this RunLock")
        for _ in range(50):  # each round either takes the lock, refuses, or saw the file change
            if self._create():
                return self
            if self._take_over_if_stale():
                return self
        raise LockHeld(f"{self.what}: cannot take the lock {self.path} (it keeps changing); try again")

    def release(self) -> None:
        """Remove the lock file (if it is still ours) and drop the flock. Safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
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

    # -- internals -----------------------------------------------------------------------------

    def _new_info(self) -> LockInfo:
        return LockInfo(os.getpid(), _hostname(), time.time(), uuid.uuid4().hex)

    def _write(self, fd: int, info: LockInfo) -> None:
        data = json.dumps({"pid": info.pid, "host": info.host, "started": info.started, "token": info.token})
        os.write(fd, (data + "\n").encode())
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

    def _stale(self, holder: LockInfo | None, unlocked: bool, age: float) -> bool:
        if holder is None:  # empty or half-written, and unlocked for 5 s: its writer died there
            return True
        if holder.host == _hostname():  # this process too: a second RunLock here is refused
            return not pid_alive(holder.pid, holder.started)
        return self.stale_after is not None and age > self.stale_after

    def _take_over_if_stale(self) -> bool:
        """True: the lock is ours now. False: the file went away or changed (retry). Raises LockHeld."""
        try:
            fd = os.open(self.path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return False
        try:
            st = os.fstat(fd)
            unlocked = _try_flock(fd)  # the flock is the takers' mutex too: only one of them gets it
            holder = _parse(os.pread(fd, 4096, 0))
            age = time.time() - (holder.started if holder else st.st_mtime)
            if holder is None and not (unlocked and age > 5.0):
                time.sleep(0.05)  # its creator is between O_EXCL and writing: look again
                return False
            if not self._stale(holder, unlocked, age):
                raise LockHeld(f"{self.what}: locked by {holder.describe()} (lock file {self.path}); wait for "
                               "that run to finish, or remove the lock file if that process is gone")
            if not unlocked:  # another taker holds the stale file: let it finish, then look again
                time.sleep(0.05)
                return False
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
