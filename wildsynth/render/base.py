"""The renderer interface: numpy pass types, the ``Renderer`` protocol and the backend registry.

Nothing here imports bpy. Pipeline code asks ``make_renderer(scene, settings, seed)``
for a renderer and only ever sees this interface; the Cycles backend (the only
bpy code) is imported when a renderer is first made.

A new backend is one file that registers itself::

    from wildsynth.render.base import register_renderer
    register_renderer("mine", MyRenderer)   # MyRenderer(scene, settings, seed=...)

or, lazily, ``register_renderer("mine", "package.module:MyRenderer")``; a backend
whose module imports bpy must register this way (a bpy class held in the registry
makes bpy 4.5 hang at process exit).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional, Protocol, Sequence, Union, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from ..core.camera import Camera
    from ..core.motion import MotionSet
    from ..core.scene import Scene
    from .settings import RenderSettings

Progress = Callable[[float], None]


def _check(name: str, a: np.ndarray, dtype, ndim: int, channels: int | None = None) -> None:
    if not isinstance(a, np.ndarray) or a.dtype != dtype or a.ndim != ndim or (channels and a.shape[-1] != channels):
        got = f"{a.dtype} {a.shape}" if isinstance(a, np.ndarray) else type(a).__name__
        want = f"{np.dtype(dtype)} (H, W{', %d' % channels if channels else ''})"
        raise ValueError(f"{name}: expected {want}, got {got}")


@dataclass
class RGBPass:
    """The path-traced image."""

    linear: np.ndarray  # (H, W, 3) float32, scene-referred linear Rec.709 (no exposure, noise or vignetting)
    display: np.ndarray  # (H, W, 3) uint8 sRGB: exposed, sensor effects, then the view transform
    exposure: float = 0.0  # stops applied to ``display``
    film: dict = field(default_factory=dict)  # how ``display`` was developed and the lens (for frame.json)

    def __post_init__(self) -> None:
        _check("RGBPass.linear", self.linear, np.float32, 3, 3)
        _check("RGBPass.display", self.display, np.uint8, 3, 3)
        if self.linear.shape != self.display.shape:
            raise ValueError(f"RGBPass: linear {self.linear.shape} and display {self.display.shape} differ in size")


@dataclass
class GTPasses:
    """Raw ground truth at pixel centres, from exactly the geometry of the RGB image."""

    depth: np.ndarray  # (H, W) float32 z-depth in metres, inf = sky
    normal_world: np.ndarray  # (H, W, 3) float32 unit geometric normals, world axes; 0 = sky
    instance: np.ndarray  # (H, W) uint32, 0 = sky

    def __post_init__(self) -> None:
        _check("GTPasses.depth", self.depth, np.float32, 2)
        _check("GTPasses.normal_world", self.normal_world, np.float32, 3, 3)
        _check("GTPasses.instance", self.instance, np.uint32, 2)
        if not (self.depth.shape == self.instance.shape == self.normal_world.shape[:2]):
            raise ValueError(f"GTPasses: depth {self.depth.shape}, normal_world {self.normal_world.shape} and "
                             f"instance {self.instance.shape} differ in size")


@runtime_checkable
class Renderer(Protocol):
    """Holds one scene; renders RGB and ground-truth passes for any camera at any time.

    ``device_used`` names the device that renders, e.g. ``"cpu"`` or
    ``"optix:NVIDIA H200"``. Subclassing the protocol gives the context manager.
    """

    device_used: str

    def set_time(self, motions: MotionSet, t: float) -> None:
        """Pose every moving thing of ``motions`` at time ``t`` seconds."""
        ...

    def render_rgb(self, camera: Camera, progress: Optional[Progress] = None,
                   shutter: Optional[Sequence[tuple[Camera, Callable[[], None]]]] = None) -> RGBPass:
        """Path-trace the image; ``progress`` gets the finished fraction in [0, 1]. ``shutter``: motion
        blur, (camera, pose) per time across the open shutter (``CyclesRenderer.render_rgb``)."""
        ...

    def render_gt(self, camera: Camera) -> GTPasses:
        """Depth, geometric normals and instance ids through pixel centres."""
        ...

    def close(self) -> None:
        """Release what the renderer holds (temporary files, device memory)."""
        ...

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Factory = Callable[..., Renderer]
RENDERERS: dict[str, Union[Factory, str]] = {}


def register_renderer(name: str, factory: Union[Factory, str]) -> None:
    """Register a backend: ``factory(scene, settings, seed=...)`` or a lazy ``"module:attr"`` path to one."""
    if isinstance(factory, str) and ":" not in factory:
        raise ValueError(f"renderer {name!r}: a lazy factory is 'module:attr', got {factory!r}")
    RENDERERS[name] = factory


def make_renderer(scene: Scene, settings: RenderSettings, seed: int = 0, backend: str = "cycles") -> Renderer:
    """A renderer holding ``scene``; imports the backend (for Cycles: bpy) on first use."""
    if backend not in RENDERERS:
        raise ValueError(f"unknown renderer {backend!r}; known renderers: {', '.join(sorted(RENDERERS))}")
    factory = RENDERERS[backend]
    if isinstance(factory, str):
        # Resolved on every call (a dict lookup in sys.modules after the first import) and never
        # stored here: a bpy class held in this module's registry makes bpy 4.5 hang at process exit.
        module, attr = factory.split(":", 1)
        factory = getattr(importlib.import_module(module), attr)
    return factory(scene, settings, seed=int(seed))


register_renderer("cycles", "wildsynth.render.cycles:CyclesRenderer")
