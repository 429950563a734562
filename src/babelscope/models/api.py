"""OpenAI-compatible endpoints as babelscope models: ``api:`` (completions) and ``chat:``.

Named after lm-evaluation-harness's ``local-completions`` / ``local-chat-completions``: the
same two endpoint kinds, and any server that speaks them works (OpenAI, vLLM, SGLang, TGI,
Ollama, llama.cpp's server, LiteLLM...).

- ``api:<base_url>#<model>`` talks to ``/completions``. Log-likelihoods come from ``echo`` +
  ``logprobs``: the server returns the prompt's tokens with their log-probabilities and
  character offsets, and the continuation is located by those offsets, so no local tokenizer
  is needed (and none could be trusted to match a remote model's). The boundary follows
  lm-evaluation-harness: trailing whitespace of the context belongs to the continuation; a
  token that straddles the boundary counts with the continuation (it holds continuation text).
- ``chat:<base_url>#<model>`` talks to ``/chat/completions``: generation only, the request's
  conversation sent as messages. Chat APIs give no prompt log-probabilities, so this backend
  lacks LOGLIKELIHOOD and ``require`` says so before any work: multiple-choice tasks need
  their generative formulation there.

Options follow the model after ``?``: ``api:http://127.0.0.1:8000/v1#gemma?concurrency=8``
(``concurrency``, ``timeout`` seconds, ``retries``, ``backoff`` - the first retry's delay in
seconds, doubling up to 20 -, ``key_env`` - the variable holding the
key, default BABELSCOPE_API_KEY then OPENAI_API_KEY), and ``body.<field>=<JSON value>`` for a
server-specific request field sent with every generation request (llama-cpp-python's server
applies ``repeat_penalty`` 1.1 by default, even at temperature 0: add
``?body.repeat_penalty=1`` for plain greedy decoding there); ``load_model(..., concurrency=8)``
sets the same. The ``usage`` of every answered request is kept per request key
(:attr:`OpenAIModel.usage`) so callers can sum what each language cost (see models/usage.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import parse_qsl, urlsplit

from .stopping import cut_at_stop
from ..request_types import (
    GenerationRequest,
    LoglikelihoodRequest,
    LoglikelihoodResult,
    RollingLoglikelihoodRequest,
    RollingResult,
)
from ..errors import ModelError
from .base import Capability
from .openai_http import Endpoint, EndpointConfig, EndpointError, display_url

COMPLETIONS = "completions"
CHAT = "chat"
_OPTIONS = {"concurrency": int, "timeout": float, "retries": int, "backoff": float, "key_env": str}


@dataclass(frozen=True)
class Usage:
    """Tokens one request was billed for, as the endpoint reported them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def parse_endpoint_target(target: str, spec: str) -> tuple[str, str, dict[str, Any]]:
    """``<base_url>#<model>[?k=v&...]`` -> (base_url, model or "", options)."""
    base, _, rest = target.partition("#")
    model, _, query = rest.partition("?")
    if not base:
        raise ModelError(f"model spec {display_url(spec)!r} names no base URL; "
                         "write e.g. 'api:http://127.0.0.1:8000/v1#my-model'")
    options: dict[str, Any] = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        if k.startswith("body.") and len(k) > 5:  # a server-specific request field, sent as given
            try:
                value: Any = json.loads(v)
            except ValueError:
                value = v
            options.setdefault("body", {})[k[5:]] = value
            continue
        if k not in _OPTIONS:
            raise ModelError(f"model spec option {k!r} is unknown; use {', '.join(_OPTIONS)} or body.<field>")
        try:
            options[k] = _OPTIONS[k](v)
        except ValueError:
            raise ModelError(f"model spec option {k}={v!r} is not a valid {_OPTIONS[k].__name__}") from None
    return base, model.strip(), options


class OpenAIModel:
    """An OpenAI-compatible completions (``kind="completions"``) or chat endpoint."""

    def __init__(self, base_url: str, model: str = "", *, kind: str = COMPLETIONS, concurrency: int = 4,
                 timeout: float = 120.0, retries: int = 6, key_env: str | None = None,
                 backoff: float = 0.5, backoff_max: float = 20.0, probe: bool = True,
                 body: dict[str, Any] | None = None, **_ignored: Any):
        if kind not in (COMPLETIONS, CHAT):
            raise ModelError(f"endpoint kind must be {COMPLETIONS!r} or {CHAT!r}, not {kind!r}")
        self.kind = kind
        self.endpoint = Endpoint(EndpointConfig(base_url, concurrency=int(concurrency), timeout=float(timeout),
                                                max_retries=int(retries), backoff=backoff,
                                                backoff_max=backoff_max, key_env=key_env))
        #: extra fields sent with every generation request (server-specific sampling settings)
        self.body = dict(body or {})
        self.model = model
        if probe or not model:
            self.model = self._probe(model)
        self.name = self.model
        caps = {Capability.GENERATE} | ({Capability.LOGLIKELIHOOD} if kind == COMPLETIONS else set())
        self.capabilities = frozenset(caps)
        #: The Engine writes each chunk's answers to the request cache as the chunk finishes;
        #: chunks of ``concurrency`` requests mean an interrupt loses at most that many answers.
        self.max_chunk = int(concurrency)
        #: usage per request key (requests answered by this process; cached answers cost nothing)
        self.usage: dict[str, Usage] = {}

    # -- protocol ---------------------------------------------------------------------------
    @property
    def signature(self) -> str:
        """Model name, API kind, and the host unless it is this machine.

        A local server's address is left out on purpose: servers restart on other ports, and a
        rerun should still find its answers in the request cache; the served name is what
        identifies the model there (serve different weights under different names).
        """
        api = "openai-completions" if self.kind == COMPLETIONS else "openai-chat"
        host = urlsplit(self.endpoint.config.base_url).hostname or ""
        where = "" if _is_local(host) else f"@{host}"
        body = f"|body:{json.dumps(self.body, sort_keys=True)}" if self.body else ""
        return f"{self.model}|{api}{where}{body}"

    @property
    def tokenizer(self) -> Any:
        raise ModelError(f"model {self.name!r} is behind an API ({self.endpoint.config.shown}): "
                         "it has no local tokenizer")

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[LoglikelihoodResult]:
        self._require(Capability.LOGLIKELIHOOD)
        prompts, bounds = [], []
        for r in requests:
            ctx = r.context.rstrip()  # lm-eval: trailing context whitespace goes with the continuation
            prompts.append(r.context + r.continuation)
            bounds.append(len(ctx))
        answers = self._post("completions", [self._echo_payload(p) for p in prompts], requests)
        out = []
        for r, p, b, a in zip(requests, prompts, bounds, answers):
            lps, greedy = self._prompt_logprobs(a, p, b, r)
            out.append(LoglikelihoodResult(float(sum(lps)), all(greedy), len(lps), tuple(lps)))
        return out

    def loglikelihood_rolling(self, requests: Sequence[RollingLoglikelihoodRequest]) -> list[RollingResult]:
        """Every token the server scores (all but a first token it gives no log-probability).

        One request per text: a text longer than the server's context is an error from the
        server, named with the endpoint (babelscope has no tokenizer here to cut windows).
        """
        self._require(Capability.LOGLIKELIHOOD)
        answers = self._post("completions", [self._echo_payload(r.text) for r in requests], requests)
        out = []
        for r, a in zip(requests, answers):
            lps, _ = self._prompt_logprobs(a, r.text, 0, r, allow_unscored=True)
            out.append(RollingResult(-float(sum(lps)), len(lps)))
        return out

    def generate(self, requests: Sequence[GenerationRequest]) -> list[str]:
        payloads = []
        for r in requests:
            p: dict[str, Any] = {**self.body, "model": self.model, "max_tokens": int(r.max_tokens),
                                 "temperature": float(r.temperature)}
            if r.stop:
                p["stop"] = [s for s in r.stop if s][:4]  # OpenAI accepts at most four
            if self.kind == CHAT:
                msgs = r.messages or (("user", r.context),)
                p["messages"] = [{"role": role, "content": content} for role, content in msgs]
            else:
                if r.messages:
                    raise ModelError(f"model {self.name!r} is a completions endpoint; conversations need "
                                     f"the chat endpoint: chat:{self.endpoint.config.shown}#{self.model}")
                p["prompt"] = r.context
            payloads.append(p)
        path = "chat/completions" if self.kind == CHAT else "completions"
        answers = self._post(path, payloads, requests)
        out = []
        for r, a in zip(requests, answers):
            choice = self._choice(a, path)
            if self.kind == CHAT:
                msg = choice.get("message")
                if not isinstance(msg, dict):
                    raise EndpointError(f"endpoint {self.endpoint.config.shown}/{path}: answer has no message")
                text = msg.get("content") or ""
            else:
                text = choice.get("text")
                if not isinstance(text, str):
                    raise EndpointError(f"endpoint {self.endpoint.config.shown}/{path}: answer has no text")
            out.append(cut_at_stop(text, r.stop))
        return out

    def hidden_states(self, texts: Sequence[str], pooling: str = "weighted_mean") -> Any:
        self._require(Capability.HIDDEN_STATES)

    def info(self) -> dict[str, Any]:
        cfg = self.endpoint.config
        return {"name": self.name, "signature": self.signature, "endpoint": cfg.shown, "api": self.kind,
                "concurrency": cfg.concurrency, "timeout": cfg.timeout, "retries": cfg.max_retries,
                "key_env": cfg.key_env or "BABELSCOPE_API_KEY or OPENAI_API_KEY",
                "capabilities": sorted(c.value for c in self.capabilities)}

    # -- accounting -------------------------------------------------------------------------
    def usage_of(self, keys: Sequence[str]) -> Usage:
        """Summed usage of the requests with these keys (those answered by this process)."""
        p = c = 0
        for k in keys:
            u = self.usage.get(k)
            if u is not None:
                p += u.prompt_tokens
                c += u.completion_tokens
        return Usage(p, c)

    def count_prompt_tokens(self, texts: Sequence[str]) -> list[int]:
        """What the endpoint bills for each text as a prompt (its ``usage.prompt_tokens``)."""
        payloads = []
        for t in texts:
            p: dict[str, Any] = {"model": self.model, "max_tokens": 1, "temperature": 0.0}
            if self.kind == CHAT:
                p["messages"] = [{"role": "user", "content": t}]
            else:
                p["prompt"] = t
            payloads.append(p)
        path = "chat/completions" if self.kind == CHAT else "completions"
        out = []
        for a in self.endpoint.post_many(path, payloads):
            u = a.get("usage")
            if not isinstance(u, dict) or not isinstance(u.get("prompt_tokens"), int):
                raise EndpointError(f"endpoint {self.endpoint.config.shown}/{path} reports no usage.prompt_tokens")
            out.append(int(u["prompt_tokens"]))
        return out

    # -- internals --------------------------------------------------------------------------
    def _probe(self, model: str) -> str:
        """Ask ``/models`` once: the endpoint answers (else a clear error now, not mid-run), and
        with no model named, the only model it serves is the one meant."""
        from .openai_http import EndpointOutage

        cfg = self.endpoint.config
        saved = cfg.max_retries
        cfg.max_retries = min(saved, 1)
        try:
            data = self.endpoint.get("models")
        except EndpointOutage as e:
            raise EndpointError(f"cannot reach the endpoint {cfg.shown}: {str(e).split('(last: ', 1)[-1].split(')')[0]}"
                                ) from None
        except EndpointError:
            if model:  # some servers have no /models; the first real request will tell
                return model
            raise
        finally:
            cfg.max_retries = saved
        ids = [m.get("id") for m in data.get("data", []) if isinstance(m, dict) and m.get("id")]
        if model:
            return model
        if len(ids) == 1:
            return str(ids[0])
        raise ModelError(f"endpoint {cfg.shown} serves {len(ids)} models ({', '.join(map(str, ids[:10]))}); "
                         f"name one after '#', e.g. api:{cfg.shown}#{ids[0] if ids else 'MODEL'}")

    def _echo_payload(self, prompt: str) -> dict[str, Any]:
        # max_tokens=1, not 0: some servers (llama.cpp's) read 0 as "until the context is full".
        return {"model": self.model, "prompt": prompt, "max_tokens": 1, "temperature": 0.0,
                "logprobs": 1, "echo": True}

    def _post(self, path: str, payloads: list[dict[str, Any]], requests: Sequence[Any]) -> list[dict[str, Any]]:
        answers = self.endpoint.post_many(path, payloads)
        for r, a in zip(requests, answers):
            u = a.get("usage") if isinstance(a, dict) else None
            if isinstance(u, dict):
                self.usage[r.key()] = Usage(int(u.get("prompt_tokens") or 0), int(u.get("completion_tokens") or 0))
        return answers

    def _choice(self, answer: dict[str, Any], path: str) -> dict[str, Any]:
        ch = answer.get("choices")
        if not isinstance(ch, list) or not ch or not isinstance(ch[0], dict):
            raise EndpointError(f"endpoint {self.endpoint.config.shown}/{path} answered without choices")
        return ch[0]

    def _prompt_logprobs(self, answer: dict[str, Any], prompt: str, boundary: int, request: Any,
                         allow_unscored: bool = False) -> tuple[list[float], list[bool]]:
        """Log-probs and greedy flags of the echoed prompt tokens that hold text at or after
        ``boundary`` (character offset), the generated token left out."""
        where = f"endpoint {self.endpoint.config.shown}/completions"
        lp = self._choice(answer, "completions").get("logprobs")
        if not isinstance(lp, dict) or not all(isinstance(lp.get(k), list)
                                               for k in ("tokens", "token_logprobs", "text_offset")):
            raise EndpointError(f"{where} gave no echoed log-probabilities (does it support "
                                "'echo' with 'logprobs' on /completions? chat-only servers do not)")
        offs, tlp, top = lp["text_offset"], lp["token_logprobs"], lp.get("top_logprobs") or []
        n = sum(1 for o in offs if o < len(prompt))  # prompt tokens; what follows was generated
        if not prompt:
            n = 0
        first = max([i for i in range(n) if offs[i] <= boundary] or [0])
        if boundary >= len(prompt):
            first = n
        lps: list[float] = []
        greedy: list[bool] = []
        for i in range(first, n):
            x = tlp[i]
            if x is None:
                if allow_unscored and i == 0:
                    continue
                raise EndpointError(f"{where} gave no log-probability for token {i} of the prompt "
                                    f"({_short_text(prompt)!r}); an empty context needs a server that "
                                    "echoes a BOS token")
            lps.append(float(x))
            t = top[i] if i < len(top) else None
            greedy.append(bool(isinstance(t, dict) and t and float(x) >= max(float(v) for v in t.values()) - 1e-9))
        if not lps and boundary < len(prompt):
            raise EndpointError(f"{where} echoed no tokens for the continuation of {_short_text(prompt)!r}")
        return lps, greedy

    def why_not(self, missing: Sequence[Capability]) -> str:
        """Why this endpoint lacks ``missing`` and what to use instead (see models.base.require)."""
        out = []
        if Capability.LOGLIKELIHOOD in missing:
            out.append("chat endpoints give no prompt log-probabilities; use the completions endpoint "
                       f"(api:{self.endpoint.config.shown}#{self.model}) or a task's generative formulation")
        if Capability.HIDDEN_STATES in missing or Capability.TOKENIZER in missing:
            out.append("an endpoint gives no hidden states and no local tokenizer")
        return "; ".join(out)

    def _require(self, cap: Capability) -> None:
        if cap not in self.capabilities:
            raise ModelError(f"model {self.name!r} cannot do {cap.value}: {self.why_not([cap])}")


def _is_local(host: str) -> bool:
    import ipaddress

    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False



def _short_text(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[:n] + "..."
