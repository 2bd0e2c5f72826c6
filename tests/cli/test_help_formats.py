"""The --formats help (kept free of heavy imports, so written out) names every registered format."""

import re

import pytest

from wildsynth.run.formats import FORMATS


@pytest.mark.parametrize("module", ["generate", "dataset"])
def test_formats_help_lists_the_registry(module):
    import importlib

    src = importlib.import_module(f"wildsynth.cli.{module}").__file__
    listed = re.search(r'"--formats", help="comma list of ([a-z0-9,]+)', open(src).read()).group(1).split(",")
    assert listed == list(FORMATS)
