"""A shot: every camera of every frame and view, with its time.

A single frame is a shot of one mono camera at one time. A sequence adds one
time before its first frame and one after its last (ground truth only, never
RGB), so every output frame has flow both ways. Scenes are built for the whole
shot: terrain and plants get their detail for every camera in it.

Placement is independent of the output resolution: the poses are chosen at a
reference resolution (``REFERENCE_SIZE``); cameras of a shot differ between
resolutions only in ``K``, ``width`` and ``height``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .camera import Camera, CameraRig

REFERENCE_SIZE = (1280, 720)  # placement scores views (and weather fills them) at this size


def at_resolution(camera: Camera, width: int, height: int) -> Camera:
    """The same pose and horizontal field of view at another image size."""
    return Camera.from_hfov(width, height, np.degrees(camera.hfov), camera.cam_to_world)


@dataclass
class Shot:
    """Rigs per time (``times[k]`` seconds); ``frames[i]`` is the time index of output frame ``i``."""

    times: list[float]
    rigs: list[CameraRig]
    frames: list[int]
    rig: str = "mono"
    baseline: float = 0.0
    info: dict = field(default_factory=dict)  # how the first view was chosen (for scene.json)

    def __post_init__(self) -> None:
        if len(self.times) != len(self.rigs):
            raise ValueError(f"{len(self.times)} times but {len(self.rigs)} rigs")
        if not self.frames:
            raise ValueError("a shot needs at least one output frame")

    @property
    def names(self) -> list[str]:
        return list(self.rigs[0].cameras)

    @property
    def first(self) -> Camera:
        """The first output frame's first camera (the one placement chose)."""
        return self.rigs[self.frames[0]].main

    @property
    def still(self) -> bool:
        """One time only: no neighbours, hence no flow."""
        return len(self.times) == 1

    @property
    def width(self) -> int:
        return self.first.width

    @property
    def height(self) -> int:
        return self.first.height

    def cameras(self) -> list[Camera]:
        """Every camera at every time (padding times included): what the scene is built for."""
        return [c for rig in self.rigs for c in rig.cameras.values()]

    def reference(self, camera: Camera | None = None) -> Camera:
        """``camera`` (default: the first) at the reference resolution: for anything that places
        objects from a camera's view (weather), so placements never depend on the output size."""
        return at_resolution(camera if camera is not None else self.first, *REFERENCE_SIZE)

    def duration(self) -> float:
        return float(self.times[-1] - self.times[0])
