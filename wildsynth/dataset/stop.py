"""Why a dataset run ends early, and the signal handlers that ask it to.

A ``Stop`` is a request shared by the driver's pieces: the signal handlers set it
(SIGTERM from ``timeout``/systemd/batch schedulers, SIGINT from Ctrl-C or
``kill -INT``, SIGHUP from a closed terminal), and so does the driver itself when a
job reports a full disk. An *urgent* stop (a signal) ends the running jobs at once;
a non-urgent one (a full disk) only stops submitting new ones. The runners wait on
``Stop.fileno()`` beside their workers, so a request wakes them at once.

The handlers only set the request: they never raise, so a signal can not tear a
manifest line or leave ``concurrent.futures``-style joins hanging, and a second
Ctrl-C while the run winds down does nothing but make the stop urgent.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Iterator, Optional

SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGTERM", "SIGINT", "SIGHUP")) if s is not None)


class Stop:
    """A request to end a run: ``reason`` (one line), the ``signum`` that asked (if any), ``urgent``."""

    def __init__(self) -> None:
        self.reason: Optional[str] = None
        self.signum: Optional[int] = None
        self.urgent = False
        self._r, self._w = os.pipe()
        os.set_blocking(self._w, False)

    @property
    def requested(self) -> bool:
        return self.reason is not None

    def request(self, reason: str, signum: Optional[int] = None, urgent: bool = True) -> None:
        """Ask the run to end; the first reason is kept, ``urgent`` only ever turns on."""
        if self.reason is None:
            self.reason, self.signum = reason, signum
        self.urgent = self.urgent or urgent
        try:
            os.write(self._w, b"x")
        except (BlockingIOError, OSError):  # the pipe is full (or closed): the runner is awake anyway
            pass

    def fileno(self) -> int:
        """A file descriptor that turns readable on every request (for ``select``/``connection.wait``)."""
        return self._r

    def drain(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.set_blocking(self._r, False)
            os.read(self._r, 4096)

    @property
    def exit_code(self) -> int:
        """The shell's convention for a process ended by a signal: 128 + signum (SIGTERM 143, SIGINT 130)."""
        return 128 + self.signum if self.signum else 1

    def close(self) -> None:
        """Close the wake-up pipe (a request after this still sets the fields)."""
        for fd in (self._r, self._w):
            with contextlib.suppress(OSError):
                os.close(fd)


def _chain(previous, signum: int, frame) -> None:
    """Act as ``previous`` (a handler as ``signal.signal`` returned it) would have."""
    if callable(previous):
        previous(signum, frame)
    elif previous in (signal.SIG_DFL, None):
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


@contextlib.contextmanager
def catch_signals(stop: Stop, restore: bool = True) -> Iterator[Stop]:
    """While inside, SIGTERM, SIGINT and SIGHUP request an urgent ``stop`` instead of killing
    the process (or raising KeyboardInterrupt).

    On leaving, the previous handlers come back (``restore``), or, for a command that
    exits next: once a signal has stopped the run, the signals are ignored from then
    on (a second Ctrl-C must not end it by SIGINT halfway through its exit: Python
    resets its own handlers to the default during finalisation, but not SIG_IGN);
    otherwise these handlers stay and act as the previous ones would.
    Only the main thread can set handlers: elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    finished = threading.Event()

    def handler(signum: int, frame) -> None:
        if finished.is_set() and stop.signum is None:
            _chain(previous.get(signum), signum, frame)
        else:
            stop.request(f"interrupted by {signal.Signals(signum).name}", signum=signum, urgent=True)

    previous = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield stop
    finally:
        finished.set()
        if restore:
            for s, h in previous.items():
                signal.signal(s, h if h is not None else signal.SIG_DFL)
        elif stop.signum is not None:  # SIG_IGN, not a Python handler: finalisation resets those to SIG_DFL
            for s in SIGNALS:
                signal.signal(s, signal.SIG_IGN)
