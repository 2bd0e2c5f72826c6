"""Job functions that inject faults into dataset workers, for tests/dataset/test_faults.py.

A local worker unpickles its job function by name, so these live in an importable
module (not in the test file). Each wraps ``run_job`` or stands in for it.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

from wildsynth.dataset.worker import JobTask, make_record, now, run_job

FULL_AT_SEED = 40  # the job of this seed finds the disk full


def disk_full_job(task: JobTask) -> dict:
    """``run_job`` with the writer's first PNG failing as on a full disk (ENOSPC) for the job of
    seed ``FULL_AT_SEED``; other jobs run as usual."""
    if task.seed == FULL_AT_SEED:
        from wildsynth.run import writer

        def full(path, *args, **kwargs):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

        writer.write_png = full
    return run_job(task)


def sleepy_job(task: JobTask) -> dict:
    """A job that takes a minute and renders nothing (a stand-in for a long render)."""
    Path(task.folder).mkdir(parents=True, exist_ok=True)
    (Path(task.folder) / "started").write_text(str(os.getpid()))
    time.sleep(60)
    return make_record(task, "done", now(), 60.0)


def instant_job(task: JobTask) -> dict:
    """A job that fails at once (no Blender)."""
    return make_record(task, "failed", now(), 0.0, error="instant", pid=os.getpid())
