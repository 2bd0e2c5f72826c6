"""docs/materials.md's catalogue names every registered recipe and no other (it went stale once)."""

import re
from pathlib import Path

from wildsynth.materials import RECIPES

DOC = Path(__file__).resolve().parents[2] / "docs" / "materials.md"


def test_the_catalogue_lists_exactly_the_recipes():
    catalogue = DOC.read_text().split("## Catalogue", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z_]+)`", catalogue))
    assert sorted(set(RECIPES) - listed) == [], "recipes missing from docs/materials.md"
    assert sorted(listed - set(RECIPES)) == [], "docs/materials.md names recipes that do not exist"
