"""Serving a ``.rrd`` to Rerun's web viewer on this machine, offline.

``rerun FILE.rrd --serve-web`` (the CLI inside the rerun-sdk wheel) hosts the
viewer bundled in that wheel over HTTP on ``web_port`` and streams the
recording over a WebSocket on ``ws_port``; the page at ``url`` (the viewer
with ``?url=ws://…``) needs nothing from the internet. Both servers listen on
this machine; the process runs until it is stopped.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..params import UserError
from .recording import rerun_command

RENDERERS = ("webgl", "webgpu")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    web_port: int
    ws_port: int

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def viewer_url(web_port: int, ws_port: int, renderer: str | None = None) -> str:
    url = f"http://localhost:{web_port}/?url=ws://localhost:{ws_port}"
    return url + (f"&renderer={renderer}" if renderer else "")


def serve(rrd: Path, web_port: int = 0, ws_port: int = 0, renderer: str | None = "webgl",
          timeout: float = 30.0) -> Server:
    """Start the web viewer for ``rrd``; returns once its page answers (a one-line ``UserError`` if a port is
    taken or the server does not come up within ``timeout`` seconds)."""
    if renderer is not None and renderer not in RENDERERS:
        raise UserError(f"--renderer {renderer!r}: choose one of {', '.join(RENDERERS)}")
    for p, flag in ((web_port, "--port"), (ws_port, "--ws-port")):
        if p and _port_taken(p):
            raise UserError(f"{flag} {p}: the port is in use; give another (or 0 for a free one)")
    web_port = web_port or free_port()
    ws_port = ws_port or free_port()
    cmd = [*rerun_command(), str(rrd), "--serve-web", "--web-viewer-port", str(web_port), "--ws-server-port",
           str(ws_port)]
    if renderer:
        cmd += ["--renderer", renderer]
    log = tempfile.TemporaryFile()  # not a pipe: a long session's log lines must never block the server
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    server = Server(proc, viewer_url(web_port, ws_port, renderer), web_port, ws_port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            msg = log.read().decode(errors="replace").strip().splitlines()
            raise UserError(f"the Rerun web viewer stopped at start: {msg[-1] if msg else f'exit code {proc.returncode}'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/", timeout=1) as r:
                if r.status == 200 and _port_taken(ws_port):
                    return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise UserError(f"the Rerun web viewer did not answer on port {web_port} within {timeout:.0f} s")
