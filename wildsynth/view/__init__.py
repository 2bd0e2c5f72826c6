"""``wildsynth view``: finished output as a Rerun recording, served to Rerun's web viewer (docs/viewer.md)."""

from .recording import LAYERS, Written, blueprint, view_layers, write_recording
from .select import Selection, select
from .serve import Server, serve, viewer_url

__all__ = ["LAYERS", "Written", "blueprint", "view_layers", "write_recording", "Selection", "select", "Server",
           "serve", "viewer_url"]
