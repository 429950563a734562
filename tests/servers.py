"""Loopback servers for the backend tests: llama-cpp-python's OpenAI server and a fault proxy.

Both bind 127.0.0.1 on a free port and are stopped by their context managers whatever happens
in the test (no leftover process or thread).

The server is the real llama-cpp-python server (``llama_cpp.server``, its own code and
settings). By default it is started through tests/llama_server_fast.py, which replaces one
thing: the pure-Python O(V log V) sort of the whole vocabulary that llama-cpp-python runs for
every token whose log-probabilities are asked for, only to keep the top ``logprobs`` entries
(about 0.3 s per token with Gemma's 262k vocabulary on this machine's cores). The replacement
selects the same entries in the same order with numpy; the JSON the server answers is
byte-identical (tests/test_backends_server.py starts both and compares). ``fast=False`` runs
``python -m llama_cpp.server`` untouched.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def llama_server(gguf: Path, alias: str = "gemma", log: Path | None = None,
                 startup_timeout: float = 180.0, chat_format: str = "gemma", fast: bool = True,
                 n_ctx: int = 2048, n_batch: int | None = None) -> Iterator[str]:
    """llama-cpp-python's server for ``gguf`` (``fast``: through tests/llama_server_fast.py, see
    the module docstring; else ``python -m llama_cpp.server``); yields its base URL (``.../v1``)."""
    port = free_port()
    launcher = [str(Path(__file__).with_name("llama_server_fast.py"))] if fast else ["-m", "llama_cpp.server"]
    cmd = [sys.executable, *launcher, "--model", str(gguf), "--model_alias", alias,
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--logits_all", "True",
           "--n_threads", "2", "--verbose", "False", "--chat_format", chat_format]
    if n_batch is not None:  # 1: every token alone, so logits no longer depend on request order
        cmd += ["--n_batch", str(n_batch), "--n_ubatch", str(n_batch)]
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + startup_timeout
        while True:
            if proc.poll() is not None:
                tail = Path(log).read_text(errors="replace")[-2000:] if log else ""
                raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}: {tail}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/v1/models")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"llama_cpp.server did not answer on port {port} within {startup_timeout:.0f} s")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        if log:
            out.close()  # type: ignore[union-attr]


@dataclass
class ProxyScript:
    """What the fault proxy answers: ``faults`` is consumed one entry per POST, then requests
    pass through to ``upstream`` (or get ``after`` when there is no upstream: a fault, or a dict
    sent as a 200 JSON answer). Without an upstream, GET (the /models probe) lists one model."""

    faults: list[int | str] = field(default_factory=list)
    upstream: str | None = None
    after: int | str | dict = 503
    seen: list[dict] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)  # the "prompt" of each POST, in arrival order
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextlib.contextmanager
def fault_proxy(script: ProxyScript) -> Iterator[str]:
    """A loopback HTTP server acting out ``script``; yields its base URL (``.../v1``).

    Faults: an int is that HTTP status with an OpenAI-shaped error body; "malformed" is HTTP 200
    with a body that is not JSON; "echo-auth" is HTTP 400 whose message repeats the request's
    Authorization header (a misbehaving server that would leak a key into an error message);
    "drop" closes the connection without an answer.
    """

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _handle(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            with script.lock:
                script.seen.append({"path": self.path, "method": self.command,
                                    "authorization": self.headers.get("Authorization")})
                if self.command == "GET" and not script.upstream:  # the backend's /models probe
                    action: object = {"object": "list", "data": [{"id": "gemma", "object": "model"}]}
                elif self.command == "GET":
                    action = "pass"
                else:
                    script.times.append(time.monotonic())
                    with contextlib.suppress(ValueError, AttributeError):
                        script.prompts.append(str(json.loads(body).get("prompt", "")))
                    action = script.faults.pop(0) if script.faults else ("pass" if script.upstream else script.after)
            if isinstance(action, dict):
                return self._send(200, json.dumps(action).encode(), "application/json")
            if action == "pass":
                return self._forward(body)
            if action == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if action == "malformed":
                return self._send(200, b"{\"choices\": [ this is not json", "application/json")
            if action == "echo-auth":
                msg = {"error": {"message": f"bad request from {self.headers.get('Authorization')}"}}
                return self._send(400, json.dumps(msg).encode(), "application/json")
            status = int(action)
            msg = {"error": {"message": f"simulated {status}", "type": "server_error"}}
            self._send(status, json.dumps(msg).encode(), "application/json")

        do_GET = _handle
        do_POST = _handle

        def _forward(self, body: bytes) -> None:
            up = urlsplit(script.upstream)
            c = http.client.HTTPConnection(up.hostname, up.port, timeout=600)
            path = up.path.rstrip("/") + self.path[len("/v1"):] if self.path.startswith("/v1") else self.path
            c.request(self.command, path, body=body or None,
                      headers={"Content-Type": self.headers.get("Content-Type", "application/json")})
            r = c.getresponse()
            data = r.read()
            self._send(r.status, data, r.getheader("Content-Type", "application/json"))

        def _send(self, status: int, data: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        t.join(timeout=10)
