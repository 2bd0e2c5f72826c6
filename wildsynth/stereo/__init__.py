"""Stereo training pairs from a single image and its depth ("stereo from mono").

Implements the method of Watson et al., "Learning Stereo from Single Images"
(ECCV 2020) on numpy/scipy/numba: depth -> disparity, sharpening of flying
pixels, forward warping with occlusion ordering, hole filling, photometric
augmentation. See docs/stereo.md.
"""

from .disparity import StereoInputError, depth_to_disparity, sample_max_disparity
from .pair import StereoPair, from_mono
from .params import StereoParams
from .sharpen import sharpen_disparity
from .warp import forward_warp

__all__ = [
    "StereoInputError",
    "StereoPair",
    "StereoParams",
    "depth_to_disparity",
    "forward_warp",
    "from_mono",
    "sample_max_disparity",
    "sharpen_disparity",
]
