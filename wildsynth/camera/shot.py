"""From the first view to the whole shot: trajectory x rig, every camera at every time.

``plan_shot`` takes the placed first camera (at the reference size), moves it
along the trajectory over the ground the scene's layout describes, builds the
rig at every time and gives every camera the output resolution. It never
looks at scene geometry, only at the layout's ground and obstacles, so the
scene can then be built for exactly these cameras.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.camera import Camera
from ..core.seeds import SeedTree
from ..core.shot import Shot, at_resolution
from .placement import Obstacles
from .rigs import make_rig
from .trajectories import Height, TrajectoryParams, make_trajectory


class ShotOptions(BaseModel):
    """What is filmed: frames over time, from which rig. One frame, mono, no flow is a still."""

    model_config = ConfigDict(extra="forbid")

    frames: int = Field(1, ge=1, le=100000, description="number of frames")
    fps: float = Field(24.0, gt=0.0, le=1000.0, description="frames per second")
    rig: Literal["mono", "stereo", "multiview"] = Field("mono", description="camera rig")
    baseline: float = Field(0.075, gt=0.0, le=100.0, description="stereo baseline, m")
    views: int = Field(8, ge=1, le=1000, description="cameras of the multiview ring")
    flow: bool | None = Field(None, description="optical and scene flow both ways (None: when there is more than "
                                                "one frame)")
    trajectory: TrajectoryParams = Field(default_factory=lambda: TrajectoryParams(kind="static"))

    @property
    def has_flow(self) -> bool:
        return self.flow if self.flow is not None else self.frames > 1


def plan_shot(first: Camera, options: ShotOptions, width: int, height: int, ground: Height,
              obstacles: Obstacles, seeds: SeedTree, info: dict | None = None) -> Shot:
    """The shot starting at ``first`` (any size; only its pose and field of view are used).

    With flow, one time before the first frame and one after the last are added (ground
    truth only), so every output frame has a neighbour on both sides.
    """
    o = options
    pad = 1 if o.has_flow else 0
    n = o.frames + 2 * pad
    times = [(k - pad) / o.fps for k in range(n)]
    ref = at_resolution(first, width, height)
    if n == 1 and o.trajectory.kind == "static":
        cams = [ref]
    else:
        cams = make_trajectory(o.trajectory, ref, n, o.fps, ground, obstacles, seeds.child("trajectory").rng())
    rigs = [make_rig(o.rig, c, o.baseline, o.views, ground) for c in cams]
    return Shot(times=times, rigs=rigs, frames=list(range(pad, pad + o.frames)), rig=o.rig, baseline=o.baseline,
                info=dict(info or {}))


def ground_point(camera: Camera, ground: Height) -> float:
    """Ground height below a camera."""
    p = camera.position
    return float(np.asarray(ground(p[:1], p[1:2]))[0])
