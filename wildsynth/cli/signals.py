"""A command that a signal ends at once, cleaning up after itself: ``SignalExit``.

    with SignalExit(lambda name: f"{out}: interrupted by {name}; nothing was written") as exits:
        with exits.cleanup(lambda: shutil.rmtree(stage, ignore_errors=True)):
            ...  # render into stage

SIGTERM (``timeout``, systemd, batch schedulers), SIGINT (Ctrl-C, ``kill -INT``) and
SIGHUP (a closed terminal) then run the clean-up steps (the latest first), print one
line ``stopped: <message>`` on stderr and end the process with exit code 128 + N
(143, 130, 129), within moments, also in the middle of a Cycles render.

Why not a plain Python handler: Python runs handlers only in the main thread
between bytecodes, and a Cycles render keeps the main thread in Blender's C code
for the whole frame (a KeyboardInterrupt raised from a callback there is caught
by Blender, which renders on). So Python's C-level handler is only used to write
the signal number to a wake-up pipe (``signal.set_wakeup_fd``); a watcher thread
waiting on it does the clean-up and leaves with ``os._exit``. The Python-level
handler, if the main thread reaches it first, holds the main thread still, so it
writes nothing more meanwhile. SIGKILL cannot be handled: what it leaves behind
(a staging folder, a lock of a dead PID) the next run removes or takes over.

``exits.hold()`` ... ``exits.done()`` brackets work that must not be cut in half
(moving a finished run into place): a signal then waits for ``done()``. Outside
the main thread ``SignalExit`` does nothing (only the main thread can set handlers).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import Callable, Iterator, Optional

SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGTERM", "SIGINT", "SIGHUP")) if s is not None)

Step = Callable[[], object]


class SignalExit:
    """While active, SIGTERM/SIGINT/SIGHUP clean up and exit 128 + N (module docstring).

    ``message(signal_name)``: the line to print (after ``stopped: ``), asked once every
    clean-up step has run.
    """

    def __init__(self, message: Callable[[str], str]):
        self.message = message
        self.signum: Optional[int] = None
        self._steps: list[Step] = []
        self._mutex = threading.Lock()  # held by the main thread in hold()..done(), by the watcher to clean up
        self._holding = False
        self._never = threading.Event()
        self._active = False

    # -- for the command -----------------------------------------------------------------------

    @contextlib.contextmanager
    def cleanup(self, step: Step) -> Iterator[None]:
        """Run ``step`` if a signal ends the command while inside (steps added later run first)."""
        self._steps.append(step)
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):
                self._steps.remove(step)

    def hold(self) -> None:
        """From now until ``done()``, a signal waits (the work in between must not be cut)."""
        if self._active and not self._holding:
            self._holding = True  # first: a signal's handler on this thread must not stop it holding the mutex
            self._mutex.acquire()

    def done(self) -> None:
        """End ``hold()``. If a signal came meanwhile, the watcher ends the process now."""
        if not self._holding:
            return
        self._mutex.release()
        self._holding = False  # after: see hold()
        if self.signum is not None:
            self._never.wait()  # the watcher is cleaning up and exits the process

    # -- context -------------------------------------------------------------------------------

    def __enter__(self) -> SignalExit:
        if threading.current_thread() is not threading.main_thread():
            return self
        self._r, self._w = os.pipe()
        os.set_blocking(self._w, False)
        self._previous = {s: signal.getsignal(s) for s in SIGNALS}
        for s in SIGNALS:
            signal.signal(s, self._on_main_thread)
        self._old_fd = signal.set_wakeup_fd(self._w, warn_on_full_buffer=False)
        self._watcher = threading.Thread(target=self._watch, name="signal-exit", daemon=True)
        self._watcher.start()
        self._active = True
        return self

    def __exit__(self, *exc) -> None:
        if not self._active:
            return
        self._active = False
        signal.set_wakeup_fd(self._old_fd)
        for s, h in self._previous.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)
        os.write(self._w, b"\0")  # wakes the watcher: nothing to do
        self._watcher.join()
        for fd in (self._r, self._w):
            os.close(fd)

    # -- internals -----------------------------------------------------------------------------

    def _on_main_thread(self, signum: int, frame) -> None:
        """Python's handler (main thread, between bytecodes): keep the main thread still while the
        watcher cleans up, unless it is inside hold()..done() (the watcher waits for that)."""
        if not self._holding:
            self._never.wait()

    def _watch(self) -> None:
        while True:
            try:
                data = os.read(self._r, 64)
            except InterruptedError:
                continue
            if not data or 0 in data:
                return
            signum = next((b for b in data if b in SIGNALS), None)  # other handlers' signals pass by
            if signum is not None:
                break
        self.signum = signum
        code = 128 + signum
        try:
            self._mutex.acquire()  # wait for a hold()..done() stretch to end
            for step in reversed(list(self._steps)):
                with contextlib.suppress(Exception):
                    step()
            name = signal.Signals(signum).name
            try:
                text = self.message(name)
            except Exception:
                text = f"interrupted by {name}"
            prefix = "\r\x1b[2K\x1b[?25h" if sys.stderr.isatty() else ""  # over a progress bar; cursor back
            os.write(2, f"{prefix}stopped: {' '.join(text.split())}\n".encode(errors="replace"))
        finally:
            os._exit(code)
