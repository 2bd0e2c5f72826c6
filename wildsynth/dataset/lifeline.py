"""The first thing a local worker process runs: tie its life to the driver's, then the job.

Kept free of heavy imports on purpose: the worker sets its parent-death signal
before it unpickles the job (which imports the pipeline, numpy, Blender ...: seconds),
so a driver killed while its workers start up takes them along too.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """End this process when its driver ends, even when the driver is SIGKILLed.

    Linux: the kernel sends SIGKILL to this process when the thread that spawned it
    exits (``PR_SET_PDEATHSIG``; the local runner spawns from the driver's main
    thread, so that is the driver's death). Elsewhere, or if prctl is missing, a
    daemon thread polls the parent pid once a second. Either way a driver that died
    before this call (the pid we were given is no longer our parent) ends us here.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0:
                if os.getppid() != parent:
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def main(parent: int, payload: bytes, conn) -> None:
    """Entry point of a local worker: ``payload`` is the pickled ``(job function, JobTask)``.

    Ctrl-C in a terminal reaches the workers too (one process group): SIGINT kills a
    worker at once (the kernel's default action). Blender catches a KeyboardInterrupt
    raised inside a Cycles render, prints it and carries on, so the job could otherwise
    be finished, and marked complete, from a cut-short render. SIGTERM (the driver
    ending its workers) keeps its default action too: the process dies at once.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
    job, task = pickle.loads(payload)
    from .worker import serve

    serve(job, task, conn)
