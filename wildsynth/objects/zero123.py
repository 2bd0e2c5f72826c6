"""Zero-1-to-3 (Objaverse renders): ``<uid>/NNN.png`` RGBA and ``<uid>/NNN.npy``, the 3x4
world-to-camera matrix in Blender camera axes (x right, y up, looking along -z), cameras on a
random sphere of radius 1.5-2.2 around the unit-cube object; ``valid_paths.json`` at the root
lists the uids (train, then val, then test: Zero-1-to-3's loader takes the last 1 % as
validation, so ``splits.json`` is the split to trust)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..io import write_json
from ..io.png import write_png
from .base import ObjectLayout, ObjectRecord, register_object_layout, rgba8
from .cameras import blender_world_to_camera


def write(rec: ObjectRecord, folder: Path) -> None:
    for k, (cam, view) in enumerate(zip(rec.cameras, rec.views)):
        write_png(folder / f"{k:03d}.png", rgba8(view))
        np.save(folder / f"{k:03d}.npy", blender_world_to_camera(cam).astype(np.float32))


def finish(out: Path, records: list[dict]) -> None:
    order = {"train": 0, "val": 1, "test": 2}
    write_json(out / "valid_paths.json", [r["uid"] for r in sorted(records, key=lambda r: (order[r["split"]],
                                                                                             r["index"]))])


register_object_layout(ObjectLayout("zero123", "Zero-1-to-3: NNN.png RGBA + NNN.npy 3x4 world-to-camera "
                                    "(Blender camera axes), radius 1.5-2.2", (1.5, 2.2), write, finish))
