"""Render settings (no bpy here, so the CLI can validate them without loading Blender)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Device = Literal["auto", "cpu", "cuda", "optix", "hip", "metal"]


class RenderSettings(BaseModel):
    """How the RGB image is path traced. Ground truth is always exact at pixel centres."""

    model_config = ConfigDict(extra="forbid")

    width: int = Field(1280, ge=8, le=16384, description="image width in pixels")
    height: int = Field(720, ge=8, le=16384, description="image height in pixels")
    samples: int = Field(64, ge=1, le=65536, description="path-traced samples per pixel (upper bound with adaptive sampling)")
    denoise: bool = Field(True, description="OpenImageDenoise on the RGB image")
    denoise_quality: Literal["HIGH", "BALANCED", "FAST"] = Field("BALANCED", description="OpenImageDenoise quality")
    adaptive_threshold: float = Field(0.07, ge=0.0, le=1.0, description="adaptive sampling noise threshold (0 = off; 0.07 rendered the benchmark forest 16% faster than 0.05 at 39 dB PSNR between the two)")
    adaptive_min_samples: int = Field(8, ge=0, le=65536, description="samples every pixel takes before adaptive sampling may stop it (0 = Cycles' automatic choice, which here took all samples everywhere; 8 rendered the benchmark forest 39% faster than 16 with 41 dB PSNR between the two)")
    max_bounces: int = Field(3, ge=0, le=64, description="total light bounces")
    diffuse_bounces: int = Field(1, ge=0, le=64, description="diffuse light bounces")
    glossy_bounces: int = Field(1, ge=0, le=64, description="glossy light bounces")
    device: Device = Field("auto", description="render device: auto (best available: optix > cuda > hip > metal > cpu), cpu, or one GPU backend (falls back to cpu, with a warning, when it is missing)")
    threads: int = Field(0, ge=0, le=1024, description="CPU threads (0 = all cores)")
    exposure: float = Field(0.0, ge=-10.0, le=10.0, description="film exposure in stops")
    view_transform: str = Field("AgX", description="Blender view transform for image.png (AgX, Filmic, Standard)")
