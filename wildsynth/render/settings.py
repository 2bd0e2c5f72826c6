"""Render settings (no bpy here, so the CLI can validate them without loading Blender).

Camera effects (depth of field, sensor noise, vignetting) are options, all off by
default; none of them reaches the ground truth, which stays the pinhole, pixel-centre truth
(docs/camera.md).
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

Device = Literal["auto", "cpu", "cuda", "optix", "hip", "metal"]
Sensor = Literal["full_frame", "aps_c", "micro_four_thirds", "one_inch"]

# Sensor sizes (width x height, mm) of the usual camera formats.
SENSORS_MM: dict[str, tuple[float, float]] = {
    "full_frame": (36.0, 24.0), "aps_c": (23.6, 15.6), "micro_four_thirds": (17.3, 13.0), "one_inch": (13.2, 8.8)}


class RenderSettings(BaseModel):
    """How the RGB image is path traced and developed. Ground truth is always exact at pixel centres."""

    model_config = ConfigDict(extra="forbid")

    width: int = Field(1280, ge=8, le=16384, description="image width in pixels")
    height: int = Field(720, ge=8, le=16384, description="image height in pixels")
    samples: int = Field(64, ge=1, le=65536, description="path-traced samples per pixel (upper bound with adaptive sampling)")
    denoise: bool = Field(True, description="OpenImageDenoise on the RGB image")
    denoise_quality: Literal["HIGH", "BALANCED", "FAST"] = Field("BALANCED", description="OpenImageDenoise quality")
    adaptive_threshold: float = Field(0.07, ge=0.0, le=1.0, description="adaptive sampling noise threshold (0 = off; 0.07 rendered the benchmark forest 16% faster than 0.05 at 39 dB PSNR between the two)")
    adaptive_min_samples: int = Field(8, ge=0, le=65536, description="samples every pixel takes before adaptive sampling may stop it (0 = Cycles' automatic choice, which here took all samples everywhere; 8 rendered the benchmark forest 39% faster than 16 with 41 dB PSNR between the two)")
    max_bounces: int = Field(3, ge=0, le=64, description="total light bounces")
    diffuse_bounces: int = Field(1, ge=0, le=64, description="diffuse light bounces (2 lit the 640x360 forest 1% brighter for 1% more CPU time: it is dark from its canopy, not from missing bounces)")
    glossy_bounces: int = Field(1, ge=0, le=64, description="glossy light bounces")
    device: Device = Field("auto", description="render device: auto (best available: optix > cuda > hip > metal > cpu), cpu, or one GPU backend (falls back to cpu, with a warning, when it is missing)")
    threads: int = Field(0, ge=0, le=1024, description="CPU threads (0 = all cores)")
    # -- developing the image ---------------------------------------------------------------
    exposure: Optional[float] = Field(None, ge=-20.0, le=20.0, description="exposure of image.png in stops (None: auto-exposure metered from the rendered image; image.exr is never exposed)")
    exposure_compensation: float = Field(0.0, ge=-5.0, le=5.0, description="stops added to the auto-exposure (like a camera's +/- dial)")
    view_transform: Literal["AgX", "Filmic", "Standard"] = Field("AgX", description="Blender view transform for image.png")
    look: str = Field("None", description="Blender look of the view transform (e.g. 'AgX - Medium High Contrast'; 'None' for the plain transform)")
    # -- air -------------------------------------------------------------------------------
    aerial_perspective: bool = Field(True, description="haze with distance from the sky's own air and dust densities (in shading, exact per sample)")
    volumetric_clouds: bool = Field(False, description="clouds as a volume slab (they shade the ground) instead of the sky texture's cloud layer; slower")
    # -- camera: all off by default; the ground truth never sees them ------------------------
    sensor: Sensor = Field("full_frame", description="sensor format (full_frame 36x24, aps_c 23.6x15.6, micro_four_thirds 17.3x13, one_inch 13.2x8.8 mm): sets the real focal length, depth of field and noise")
    fstop: Optional[float] = Field(None, ge=0.7, le=64.0, description="aperture f-number for depth of field (None: pinhole, all sharp)")
    focus_distance: Optional[float] = Field(None, gt=0.0, le=1.0e6, description="z-depth of the focal plane, m (None: the depth at the image centre)")
    iso: Optional[float] = Field(None, ge=50.0, le=409600.0, description="sensor noise at this ISO (Poisson photon noise plus Gaussian read noise on linear values, before the tone curve; None: off)")
    shutter: float = Field(0.0, ge=0.0, le=1.0, description="motion blur: the share of the frame interval the shutter is open (0.5 = a 180-degree shutter; 0: off; sequences only): the RGB is the mean of shutter_steps renders across it, the scene and camera posed at each")
    shutter_steps: int = Field(8, ge=2, le=64, description="renders across the open shutter, each with samples / shutter_steps samples (at least 1)")
    vignetting: float = Field(0.0, ge=0.0, le=1.0, description="natural vignetting: the cos^4 falloff raised to this power (0: off, 1: a thin lens' full cos^4)")

    @property
    def sensor_mm(self) -> tuple[float, float]:
        return SENSORS_MM[self.sensor]
