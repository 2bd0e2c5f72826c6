"""``wildsynth view``: one-line errors for paths that are not wildsynth output and for bad flags; a real run
written with --save and served until Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from wildsynth.params import UserError
from wildsynth.view import serve


def _view(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wildsynth.cli", "view", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("make, words", [
    (lambda t: t / "missing", "no such file or folder"),
    (lambda t: t, "not a wildsynth output"),
    (lambda t: (t / "a.txt").write_text("x") and t / "a.txt", "not a folder"),
])
def test_not_wildsynth_output_is_one_line(tmp_path, make, words):
    r = _view(str(make(tmp_path)), "--no-open")
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and words in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert r.stdout == ""


def test_bad_flags_are_one_line(tmp_path):
    r = _view(str(tmp_path), "--save", str(tmp_path / "x.txt"))
    assert r.returncode == 2 and "ending in .rrd" in r.stderr and r.stderr.count("\n") == 1
    r = _view(str(tmp_path), "--no-serve")
    assert r.returncode == 2 and "--save" in r.stderr and r.stderr.count("\n") == 1


def test_serve_refuses_a_taken_port_and_an_unknown_renderer(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(UserError, match=f"--port {s.getsockname()[1]}: the port is in use"):
            serve(tmp_path / "x.rrd", web_port=s.getsockname()[1])
    with pytest.raises(UserError, match="--renderer 'vulkan'"):
        serve(tmp_path / "x.rrd", renderer="vulkan")


@pytest.mark.blender  # the session fixture renders a run
def test_view_saves_serves_and_stops_on_ctrl_c(view_run, tmp_path):
    rrd = tmp_path / "keep.rrd"
    r = _view(str(view_run / "left"), "--save", str(rrd), "--no-serve", "--max-points", "100")
    assert r.returncode == 0, r.stderr
    assert rrd.stat().st_size > 10_000 and "1 run(s), 2 view(s)" in " ".join(r.stderr.split())
    p = subprocess.Popen([sys.executable, "-m", "wildsynth.cli", "view", str(view_run), "--no-open", "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = p.stdout.readline().strip()
        assert url.startswith("http://localhost:") and "?url=ws://localhost:" in url, p.stderr.read()
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200 and b"re_viewer" in page.read()
        p.send_signal(signal.SIGINT)
        assert p.wait(30) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
