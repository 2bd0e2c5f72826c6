"""Scene recipes and their registry."""

from . import meadow  # noqa: F401  (registers itself)
from .base import SCENES, SceneRecipe, SkyParams, get, register

DEFAULT_SCENE = "meadow"

__all__ = ["DEFAULT_SCENE", "SCENES", "SceneRecipe", "SkyParams", "get", "register"]
