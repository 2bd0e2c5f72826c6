"""Parameters of an object set (``wildsynth objects``), checked before anything is built."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..render.settings import Device

MAX_SEED = 2**63 - 1


class ObjectSetParams(BaseModel):
    """One object set: ``count`` assets of ``kind``, ``views`` posed renders each, in ``layout``."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(..., description="asset kind, group (rocks, trees, plants, ...), comma list of them, or all")
    count: int = Field(..., ge=1, le=1_000_000, description="number of assets")
    views: int = Field(12, ge=1, le=1000, description="views per asset")
    size: int = Field(256, ge=16, le=4096, description="square image size in pixels")
    layout: Literal["zero123", "pointe", "nerf"] = Field("zero123", description="output layout")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="root seed of the set")
    samples: int = Field(16, ge=1, le=4096, description="path-traced samples per pixel")
    denoise: bool = Field(True, description="OpenImageDenoise on the beauty pass")
    light: Literal["uniform", "sky"] = Field("uniform", description="uniform white world, or the default sun and sky")
    points: int = Field(16384, ge=1, le=10_000_000, description="surface samples per asset (pointe)")
    split: tuple[float, float, float] = Field((0.8, 0.1, 0.1), description="train, val, test fractions (by asset)")
    device: Device = Field("auto", description="render device")
    threads: int = Field(0, ge=0, le=1024, description="CPU threads (0 = all cores)")

    @field_validator("split")
    @classmethod
    def _split(cls, v):
        if not all(0.0 <= x <= 1.0 for x in v) or not abs(sum(v) - 1.0) <= 1e-6:
            raise ValueError(f"fractions must be non-negative and sum to 1, got {v}")
        return v

    @field_validator("kind")
    @classmethod
    def _kinds(cls, v: str) -> str:
        from ..generators.assets import resolve_kinds

        resolve_kinds(v)  # ValueError names the known kinds and groups
        return v
