"""Atomic writes: write to a temporary name beside the target, then rename."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any, Iterator

import numpy as np


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the same folder; rename it onto ``path`` on success.

    The temporary name keeps the real extension (libraries pick the format from it).
    On any exception the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    suffix = path.suffix if suffix is None else suffix
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _to_jsonable(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically. numpy arrays become lists."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=_to_jsonable) + "\n")


def read_json(path: str | os.PathLike) -> Any:
    return json.loads(Path(path).read_text())
