"""File formats: every writer has a reader beside it (round-trip tested)."""

from .atomic import atomic_path, read_json, write_json
from .exr import read_exr, write_exr
from .png import read_png, write_png

__all__ = ["atomic_path", "write_json", "read_json", "write_exr", "read_exr", "write_png", "read_png"]
