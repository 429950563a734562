"""Talking to an OpenAI-compatible endpoint: concurrency, retries, errors, and the API key.

Why this is its own module: every remote backend needs the same four guarantees, and each is
easy to get subtly wrong.

- **Concurrency.** Requests of one batch go out together (``asyncio`` + ``httpx``), at most
  ``concurrency`` at a time; answers come back in the order asked.
- **Retries.** 429, 5xx, timeouts and connection errors are retried with exponential back-off
  and jitter (the delay doubles from ``backoff`` up to ``backoff_max``; each wait is drawn
  uniformly from its upper half, so many clients that failed together do not retry together;
  a ``Retry-After`` header of a few seconds is honoured). Anything else (400, 401, 404, a body
  that is not the JSON the API promises) is a user-fixable error and is not retried.
- **Errors name the endpoint.** :class:`EndpointError` (exit code 2: a wrong URL, model, key
  or a server that speaks something else) and :class:`EndpointOutage` (exit code 1: the
  endpoint stayed unavailable through every retry - a transient condition, so a rerun, which
  resends only what the request cache lacks, may succeed).
- **The key never leaks.** It is read from the environment when a request is built (never
  kept on an object that could be printed, pickled or hashed into a signature), sent only in
  the Authorization header, and removed from every message this module raises or logs (a
  misbehaving server or proxy may echo headers back in an error body). URLs are shown without
  user-info or query strings, which can hold credentials too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import threading
from dataclasses import dataclass
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit, urlunsplit

from ..errors import ModelError

log = logging.getLogger("babelscope.models.api")

#: Environment variables read for the API key, in order (a spec's ``key_env=`` names another).
API_KEY_ENV = ("BABELSCOPE_API_KEY", "OPENAI_API_KEY")
RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
#: Longest ``Retry-After`` honoured; longer asks fall back to our own back-off.
MAX_RETRY_AFTER = 30.0


class EndpointError(ModelError):
    """The endpoint answered, but not usefully (bad URL/model/key, malformed body): exit 2."""


class EndpointOutage(EndpointError):
    """The endpoint stayed unavailable through every retry: exit 1 (a rerun may succeed)."""

    exit_code = 1


def display_url(url: str) -> str:
    """``url`` without user-info, query or fragment: what may appear in messages and signatures."""
    p = urlsplit(url)
    host = p.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host + (f":{p.port}" if p.port else "")
    return urlunsplit((p.scheme, netloc, p.path.rstrip("/"), "", ""))


def api_key(key_env: str | None = None) -> str | None:
    """The key from ``key_env`` (when given) or the first of :data:`API_KEY_ENV` that is set."""
    names = (key_env,) if key_env else API_KEY_ENV
    for n in names:
        v = os.environ.get(n, "").strip()
        if v:
            return v
    return None


def redact(text: str, key_env: str | None = None) -> str:
    """``text`` with any API key we might send replaced by ``***``."""
    for n in ((key_env,) if key_env else ()) + API_KEY_ENV:
        v = os.environ.get(n, "").strip()
        if len(v) >= 4:
            text = text.replace(v, "***")
    return text


@dataclass
class EndpointConfig:
    """Where and how to send requests. Holds no secret: the key is looked up per client."""

    base_url: str
    concurrency: int = 4
    timeout: float = 120.0
    max_retries: int = 6
    backoff: float = 0.5
    backoff_max: float = 20.0
    key_env: str | None = None

    def __post_init__(self) -> None:
        p = urlsplit(self.base_url)
        if p.scheme not in ("http", "https") or not p.hostname:
            raise ModelError(f"endpoint {display_url(self.base_url)!r}: the base URL must start with "
                             f"http:// or https:// and name a host (e.g. http://127.0.0.1:8000/v1)")
        if self.concurrency < 1 or self.max_retries < 0 or self.timeout <= 0:
            raise ModelError(f"endpoint {self.shown}: concurrency >= 1, retries >= 0 and timeout > 0 please")

    @property
    def shown(self) -> str:
        return display_url(self.base_url)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def delay(self, attempt: int, retry_after: str | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based): equal-jitter exponential."""
        if retry_after:
            try:
                ra = float(retry_after)
                if 0 <= ra <= MAX_RETRY_AFTER:
                    return ra
            except ValueError:
                pass
        cap = min(self.backoff_max, self.backoff * 2 ** (attempt - 1))
        return cap / 2 + (rng or random).uniform(0, cap / 2)


@dataclass
class CallStats:
    """What went over the wire (for benches and tests): requests sent, retries, failures seen."""

    requests: int = 0
    retries: int = 0
    statuses: dict[int, int] | None = None

    def seen(self, status: int) -> None:
        self.statuses = self.statuses or {}
        self.statuses[status] = self.statuses.get(status, 0) + 1


class Endpoint:
    """Sends JSON requests to one OpenAI-compatible endpoint (see the module docstring)."""

    def __init__(self, config: EndpointConfig, sleep: Callable[[float], Any] | None = None):
        self.config = config
        self.stats = CallStats()
        self._sleep = sleep  # tests may record the back-off delays instead of waiting
        self.delays: list[float] = []

    # -- public -----------------------------------------------------------------------------
    def get(self, path: str) -> dict[str, Any]:
        return _run_sync(self._many("GET", path, [None]))[0]

    def post_many(self, path: str, payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST every payload (``concurrency`` at a time, retried); JSON answers in order."""
        if not payloads:
            return []
        return _run_sync(self._many("POST", path, list(payloads)))

    # -- internals --------------------------------------------------------------------------
    async def _many(self, method: str, path: str, payloads: list[Any]) -> list[dict[str, Any]]:
        import httpx

        cfg = self.config
        headers = {"Content-Type": "application/json"}
        key = api_key(cfg.key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        del key
        sem = asyncio.Semaphore(cfg.concurrency)
        limits = httpx.Limits(max_connections=cfg.concurrency, max_keepalive_connections=cfg.concurrency)
        async with httpx.AsyncClient(timeout=cfg.timeout, limits=limits, headers=headers,
                                     trust_env=False) as client:
            async def one(payload: Any) -> dict[str, Any]:
                async with sem:
                    return await self._send(client, method, path, payload)

            tasks = [asyncio.ensure_future(one(p)) for p in payloads]
            try:
                return list(await asyncio.gather(*tasks))
            except BaseException:
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise

    async def _send(self, client: Any, method: str, path: str, payload: Any) -> dict[str, Any]:
        import httpx

        cfg = self.config
        url = cfg.url(path)
        where = f"{cfg.shown}/{path.lstrip('/')}"
        last = ""
        for attempt in range(cfg.max_retries + 1):
            if attempt:
                self.stats.retries += 1
            retry_after = None
            try:
                self.stats.requests += 1
                log.debug("%s %s (attempt %d)", method, where, attempt + 1)
                resp = await client.request(method, url, json=payload)
            except (httpx.TimeoutException, httpx.TransportError) as e:
                last = f"{type(e).__name__}: {_short(str(e)) or 'no answer'}"
            else:
                self.stats.seen(resp.status_code)
                if resp.status_code == 200:
                    try:
                        data = resp.json()
                    except ValueError:
                        raise EndpointError(redact(
                            f"endpoint {where} answered HTTP 200 with a body that is not JSON: "
                            f"{_short(resp.text)!r}", cfg.key_env)) from None
                    if not isinstance(data, dict):
                        raise EndpointError(f"endpoint {where} answered JSON that is not an object")
                    return data
                body = _error_text(resp)
                if resp.status_code not in RETRY_STATUS:
                    hint = _hint(resp.status_code, cfg.key_env)
                    raise EndpointError(redact(f"endpoint {where} answered HTTP {resp.status_code}: {body}{hint}",
                                               cfg.key_env))
                last = f"HTTP {resp.status_code}: {body}"
                retry_after = resp.headers.get("retry-after")
            if attempt == cfg.max_retries:
                break
            wait = cfg.delay(attempt + 1, retry_after)
            self.delays.append(wait)
            log.warning("%s", redact(f"endpoint {where}: {last}; retry {attempt + 1}/{cfg.max_retries} "
                                     f"in {wait:.2f} s", cfg.key_env))
            if self._sleep is not None:
                self._sleep(wait)
            else:
                await asyncio.sleep(wait)
        raise EndpointOutage(redact(f"endpoint {where} unavailable after {cfg.max_retries + 1} attempts "
                                    f"(last: {last}); finished answers are in the request cache, "
                                    f"rerun to resume", cfg.key_env))


def _run_sync(coro: Any) -> Any:
    """Run ``coro`` to completion from sync code, even when the caller already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["v"] = asyncio.run(coro)
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            box["e"] = e

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "e" in box:
        raise box["e"]
    return box["v"]


def _short(text: str, n: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n] + "..."


def _error_text(resp: Any) -> str:
    """The server's own error message when it sends one in the OpenAI shape, else the body."""
    try:
        data = resp.json()
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict) and err.get("message"):
            return _short(err["message"])
        if isinstance(err, str):
            return _short(err)
        if isinstance(data, dict) and isinstance(data.get("detail"), (str, list)):
            return _short(str(data["detail"]))
    except ValueError:
        pass
    return _short(resp.text) or resp.reason_phrase


def _hint(status: int, key_env: str | None) -> str:
    if status in (401, 403):
        names = key_env or " or ".join(API_KEY_ENV)
        return f" (set the API key in {names})"
    if status == 404:
        return " (check the base URL: it usually ends in /v1)"
    return ""
