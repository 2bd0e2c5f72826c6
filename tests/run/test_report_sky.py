"""Every scene's report (scene.json) carries the drawn sky, which the captions read (time of day, sun)."""

from wildsynth.run.captions import caption_context
from wildsynth.run.compose import compose


def test_a_landscape_reports_its_drawn_sky():
    c = compose("desert", None, 0, 48, 32)
    sky = c.report["sky"]
    assert sky and sky == c.scene.sky.drawn
    ctx = caption_context("desert", 0, {}, c.report.get("sky"), None)
    assert ctx["sky"] == sky
