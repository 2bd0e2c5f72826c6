"""Typed parameters of the stereo-from-mono generator (defaults follow Watson et al. 2020)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator


class StereoParams(BaseModel):
    """Everything `from_mono` can be told; every field has a default."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    inverse: bool = Field(False, description="input is inverse depth (e.g. a monocular network's output) instead of z-depth")
    normalise: Literal["auto", "max", "minmax"] = Field(
        "auto",
        description="how depth becomes unit disparity before scaling: 'max' divides 1/z by its maximum "
        "(a real rig: nearest point gets the max disparity), 'minmax' maps to [0, 1] (paper, for "
        "affine-ambiguous inverse depth); 'auto' = max for depth, minmax for inverse depth",
    )
    max_disp_min: float = Field(50.0, gt=0, description="lower end of the sampled maximum disparity, pixels")
    max_disp_max: float = Field(192.0, gt=0, description="upper end of the sampled maximum disparity, pixels")
    p_extended: float = Field(0.01, ge=0, le=1, description="probability the max disparity is drawn from extended_range x max_disp_max")
    extended_range: tuple[float, float] = Field((1.05, 1.15), description="factor range for the rare extended max disparity")
    focal: Optional[float] = Field(None, gt=0, description="focal length fx in pixels; with baseline: exact d = f*B/z, no sampling")
    baseline: Optional[float] = Field(None, gt=0, description="stereo baseline in the depth's units (metres); needs focal")
    sharpen: bool = Field(True, description="replace flying pixels at depth discontinuities by the nearest valid value on their side")
    sobel_threshold: float = Field(3.0, gt=0, description="flying pixel if |Sobel gradient of disparity| (px of disparity per px) exceeds this")
    occlusion_tol: float = Field(1.0, ge=0, description="disparities within this many px of the nearest surface count as the same surface when splatting")
    fill: Literal["background", "inpaint"] = Field("background", description="how disocclusions are filled")
    augment: bool = Field(False, description="training augmentations (right-only noise/blur/jitter + shared jitter p=0.5)")
    p_shared_jitter: float = Field(0.5, ge=0, le=1, description="probability of one colour jitter applied to both images")
    p_right_noise: float = Field(0.5, ge=0, le=1, description="probability of Gaussian noise on the right image")
    noise_std: tuple[float, float] = Field((0.0, 0.02), description="range of the right-image noise sigma (image units 0..1)")
    p_right_blur: float = Field(0.5, ge=0, le=1, description="probability of Gaussian blur on the right image")
    blur_sigma: tuple[float, float] = Field((0.2, 1.0), description="range of the right-image blur sigma, pixels")
    p_right_jitter: float = Field(0.5, ge=0, le=1, description="probability of an extra colour jitter on the right image only")
    jitter: float = Field(0.2, ge=0, lt=1, description="colour jitter strength: brightness/contrast/saturation factors in 1 +- jitter")

    @model_validator(mode="after")
    def _check(self) -> "StereoParams":
        if self.max_disp_min > self.max_disp_max:
            raise ValueError(f"max_disp_min ({self.max_disp_min}) must be <= max_disp_max ({self.max_disp_max})")
        if (self.focal is None) != (self.baseline is None):
            raise ValueError("focal and baseline must be given together (or neither)")
        for name in ("extended_range", "noise_std", "blur_sigma"):
            lo, hi = getattr(self, name)
            if not 0 <= lo <= hi:
                raise ValueError(f"{name} must be 0 <= low <= high, got {(lo, hi)}")
        return self

    @property
    def metric(self) -> bool:
        return self.focal is not None and self.baseline is not None
