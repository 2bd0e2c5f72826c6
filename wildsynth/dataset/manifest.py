"""The dataset manifest (``manifest.jsonl``) and what is done, failed or pending.

One JSON object per line, appended by the runner (one writer: the parent
process, which holds the root's lock) when a job finishes (``done``), fails
(``failed``) or is cut short by a stop (``interrupted``), flushed and fsynced. A crash can leave
a torn last line; the reader skips lines that do not parse, and the next
append starts on a fresh line so a torn line never swallows a good record.

The manifest is a log, not the truth about completeness: a job is done when
its folder holds ``scene.json`` (the pipeline writes it last). A job whose
latest record says ``failed`` or ``interrupted``, or that has no record, is run
again. A job finished by a worker whose driver was killed before it logged it has
``scene.json`` but no ``done`` record: ``recover_records`` writes one from
``scene.json`` (``"recovered": true``), so every done job has one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..run import MARKER
from .jobs import Job

MANIFEST_FILE = "manifest.jsonl"
COMPLETE_MARKER = MARKER  # the pipeline writes it last: a job folder holding it is complete


def manifest_path(root: Path) -> Path:
    return Path(root) / MANIFEST_FILE


def append_record(root: Path, record: dict) -> None:
    """Append one record as a line; flush and fsync before returning."""
    path = manifest_path(root)
    line = json.dumps(record, sort_keys=True, default=str)
    with open(path, "ab") as f:
        if f.tell() > 0:
            with open(path, "rb") as r:  # a torn last line (crash mid-write) gets its newline first
                r.seek(-1, os.SEEK_END)
                if r.read(1) != b"\n":
                    f.write(b"\n")
        f.write(line.encode("utf-8") + b"\n")
        f.flush()
        os.fsync(f.fileno())


def read_manifest(root: Path) -> list[dict]:
    """Every record that parses, in file order (torn or garbled lines are skipped)."""
    path = manifest_path(root)
    if not path.is_file():
        return []
    records = []
    for line in path.read_bytes().splitlines():
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(rec, dict) and "id" in rec:
            records.append(rec)
    return records


def latest_records(root: Path) -> dict[str, dict]:
    """The last record of each job id."""
    return {r["id"]: r for r in read_manifest(root)}


def is_done(job: Job) -> bool:
    return (Path(job.folder) / COMPLETE_MARKER).is_file()


def recover_records(root: Path, jobs: list[Job]) -> list[str]:
    """Append a ``done`` record, read from its ``scene.json``, for every done job whose latest
    record is not ``done``; returns their ids."""
    latest = latest_records(root)
    recovered = []
    for job in jobs:
        if not is_done(job) or latest.get(job.id, {}).get("status") == "done":
            continue
        try:
            meta = json.loads((Path(job.folder) / COMPLETE_MARKER).read_text())
        except (OSError, ValueError):
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
        stats, timings = meta.get("stats") or {}, meta.get("timings") or {}
        append_record(root, {"id": job.id, "scene": job.scene, "seed": job.seed, "folder": job.id, "status": "done",
                             "started": "", "seconds": timings.get("total"), "timings": timings, "stats": stats,
                             "error": None, "peak_rss_mb": stats.get("peak_rss_mb"), "cpu_s": None,
                             "recovered": True})
        recovered.append(job.id)
    return recovered


@dataclass
class Status:
    done: list[Job] = field(default_factory=list)
    failed: list[Job] = field(default_factory=list)
    pending: list[Job] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"done": len(self.done), "failed": len(self.failed), "pending": len(self.pending),
                "total": len(self.done) + len(self.failed) + len(self.pending)}


def job_status(root: Path, jobs: list[Job]) -> Status:
    """Split planned jobs into done (``scene.json`` present), failed (latest record
    failed, no ``scene.json``) and pending (everything else: never run, or interrupted)."""
    latest = latest_records(root)
    s = Status()
    for job in jobs:
        if is_done(job):
            s.done.append(job)
        elif latest.get(job.id, {}).get("status") == "failed":
            s.failed.append(job)
        else:
            s.pending.append(job)
    return s
