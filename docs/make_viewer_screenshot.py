"""Make docs/viewer/viewer.png (and viewer_frame0.png): `wildsynth view` of a rendered stereo walk, as headless
Chromium shows Rerun's web viewer, at the last and the first frame.

Renders the run with `wildsynth generate` (or takes --run PATH), writes the recording, serves it on this
machine and drives Debian's Chromium through Playwright (wildsynth/view/browser.py), offline. Prints the
timings and the size of the recording (docs/viewer.md quotes them).

    python docs/make_viewer_screenshot.py [--scene plains] [--resolution 320x180] [--samples 16] [--frames 4]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    from wildsynth.view import select, serve, write_recording
    from wildsynth.view.browser import open_viewer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", help="an existing run to show (else one is rendered)")
    ap.add_argument("--scene", default="plains")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--resolution", default="320x180")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--frames", type=int, default=4)
    ap.add_argument("--out", default=str(Path(__file__).parent / "viewer"))
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="viewer_doc_") as tmp:
        run = Path(a.run) if a.run else Path(tmp) / "walk"
        if not a.run:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "wildsynth.cli", "generate", "--scene", a.scene, "--seed",
                            str(a.seed), "--frames", str(a.frames), "--rig", "stereo", "--resolution", a.resolution,
                            "--samples", str(a.samples), "--formats", "exr", "--out", str(run)], check=True)
            print(f"rendered {run} in {time.perf_counter() - t0:.1f} s")
        sels = select(run)
        t0 = time.perf_counter()
        written = write_recording(sels, Path(tmp) / "walk.rrd")
        print(f"recording: {written.views} views, {written.points} points, "
              f"{written.path.stat().st_size / 1e6:.2f} MB in {time.perf_counter() - t0:.1f} s")
        server = serve(written.path)
        try:
            t0 = time.perf_counter()
            with open_viewer(server.url, size=(1600, 900), last_frame=sels[0].frames[-1]) as v:
                print(f"viewer loaded {v.recording()} in {time.perf_counter() - t0:.1f} s; "
                      f"{len(v.external)} requests off this machine aborted")
                v.set_time(sels[0].frames[0])
                v.screenshot(out / "viewer_frame0.png", settle=4.0)
                v.set_time(sels[0].frames[-1])
                v.screenshot(out / "viewer.png", settle=4.0)
        finally:
            server.stop()
    print(f"wrote {out / 'viewer.png'} and {out / 'viewer_frame0.png'}")


if __name__ == "__main__":
    main()
