"""What one run makes: a scene and seed, filmed as a shot, rendered and written in some formats."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..camera.shot import ShotOptions
from ..generators.motion import MotionParams
from ..render.settings import RenderSettings
from .formats import FORMATS, default_formats


class RunOptions(BaseModel):
    """Everything of a run besides the scene's own parameters: the shot, the moving things, the formats."""

    model_config = ConfigDict(extra="forbid")

    shot: ShotOptions = Field(default_factory=ShotOptions, description="frames, rig and camera path")
    motion: MotionParams = Field(default_factory=MotionParams,
                                 description="things that move by themselves (shots with flow; movers in stills too) and point tracks")
    formats: tuple[str, ...] = Field(default_factory=default_formats, description="file formats besides the PNG previews and JSON")

    @field_validator("formats")
    @classmethod
    def _known(cls, v):
        bad = [f for f in v if f not in FORMATS]
        if bad:
            raise ValueError(f"unknown format(s) {', '.join(bad)}; allowed: {', '.join(FORMATS)}")
        return tuple(dict.fromkeys(v))


@dataclass
class RunSpec:
    """One run: ``params`` is the scene's validated parameter model."""

    scene: str
    seed: int
    params: BaseModel
    render: RenderSettings
    out: Path
    options: RunOptions = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if self.options is None:
            self.options = RunOptions()
