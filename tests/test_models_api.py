"""OpenAI-compatible backends without a model: specs, retries and back-off, outages, malformed
answers, key handling, and locating a continuation in an echoed prompt.

Every server here is a loopback fault proxy (tests/servers.py) with canned answers, so these
tests are fast and need no llama.cpp; tests/test_backends_server.py runs the same backends
against a real llama-cpp-python server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from babelscope.engine.requests import GenerationRequest, LoglikelihoodRequest, RollingLoglikelihoodRequest
from babelscope.errors import ModelError
from babelscope.models import Capability, load_model, parse_model_spec
from babelscope.models.api import OpenAIModel, parse_endpoint_target
from babelscope.models.base import require
from babelscope.models.loading import ModelSpec
from babelscope.models.openai_http import EndpointError, EndpointOutage, display_url, redact
from servers import ProxyScript, fault_proxy, free_port

REPO = Path(__file__).resolve().parents[1]


def test_specs_parse():
    assert parse_model_spec("api:http://127.0.0.1:8000/v1#gemma") == ModelSpec("api", "http://127.0.0.1:8000/v1#gemma")
    assert parse_model_spec("chat:https://api.example.com/v1#gpt-4o").kind == "chat"
    assert parse_model_spec("gguf-hf:/x/m.gguf") == ModelSpec("gguf-hf", "/x/m.gguf")
    assert parse_model_spec("default-gguf") == ModelSpec("default-gguf")
    base, model, opts = parse_endpoint_target("http://h:1/v1#m?concurrency=8&timeout=5&key_env=MY_KEY", "x")
    assert (base, model, opts) == ("http://h:1/v1", "m", {"concurrency": 8, "timeout": 5.0, "key_env": "MY_KEY"})
    assert parse_endpoint_target("http://h/v1#m?body.repeat_penalty=1&body.mode=fast", "x")[2] == {
        "body": {"repeat_penalty": 1, "mode": "fast"}}
    with pytest.raises(ModelError, match="needs a base URL"):
        parse_model_spec("api:127.0.0.1:8000#m")
    with pytest.raises(ModelError, match="option 'speed' is unknown"):
        parse_endpoint_target("http://h/v1#m?speed=9", "x")
    with pytest.raises(ModelError, match="not a valid int"):
        parse_endpoint_target("http://h/v1#m?concurrency=many", "x")


def test_display_url_drops_credentials():
    assert display_url("https://user:s3cret@host.example:8443/v1/?token=abc") == "https://host.example:8443/v1"
    m = OpenAIModel("https://user:s3cret@api.example.com/v1", "gpt-x", probe=False)
    assert m.signature == "gpt-x|openai-completions@api.example.com" and "s3cret" not in json.dumps(m.info())


def test_retries_with_exponential_backoff_then_success():
    answer = {"choices": [{"text": " Paris", "index": 0}], "usage": {"prompt_tokens": 5, "completion_tokens": 1}}
    script = ProxyScript(faults=[429, 503, 503, 500], after=answer)
    with fault_proxy(script) as base:
        m = OpenAIModel(base, "gemma", backoff=0.05, retries=5)
        out = m.generate([GenerationRequest(context="The capital of France is", max_tokens=3)])
    assert out == [" Paris"]
    d = m.endpoint.delays
    assert len(d) == 4 and m.endpoint.stats.retries == 4
    # equal jitter: retry k waits within [cap/2, cap], cap = 0.05 * 2**(k-1)
    for k, x in enumerate(d, start=1):
        cap = 0.05 * 2 ** (k - 1)
        assert cap / 2 <= x <= cap
    gaps = [b - a for a, b in zip(script.times, script.times[1:])]
    assert all(g >= 0.9 * x for g, x in zip(gaps, d))  # the client really waited before each retry
    assert m.endpoint.stats.statuses == {429: 1, 503: 2, 500: 1, 200: 2}  # 200s: the /models probe, the answer
    assert m.usage[GenerationRequest(context="The capital of France is", max_tokens=3).key()].prompt_tokens == 5


def test_retry_after_header_and_connection_drops_are_retried():
    answer = {"choices": [{"text": "ok"}]}
    script = ProxyScript(faults=["drop", 503], after=answer)
    with fault_proxy(script) as base:
        m = OpenAIModel(base, "gemma", backoff=0.01, retries=3)
        assert m.generate([GenerationRequest(context="x", max_tokens=1)]) == ["ok"]
    assert m.endpoint.stats.retries == 2


def test_outage_after_retries_names_endpoint_and_exits_1():
    with fault_proxy(ProxyScript(after=503)) as base:
        m = OpenAIModel(base, "gemma", backoff=0.01, retries=2)
        with pytest.raises(EndpointOutage) as e:
            m.generate([GenerationRequest(context="x", max_tokens=1)])
    assert base in str(e.value) and "after 3 attempts" in str(e.value) and "503" in str(e.value)
    assert e.value.exit_code == 1


def test_client_errors_are_not_retried():
    with fault_proxy(ProxyScript(faults=[404])) as base:
        m = OpenAIModel(base, "gemma", backoff=0.01, retries=5)
        with pytest.raises(EndpointError, match="HTTP 404.*base URL") as e:
            m.generate([GenerationRequest(context="x", max_tokens=1)])
    assert m.endpoint.stats.retries == 0 and e.value.exit_code == 2


def test_server_down_fails_at_load_naming_the_endpoint():
    port = free_port()  # nothing listens there
    with pytest.raises(EndpointError, match=f"127.0.0.1:{port}/v1") as e:
        load_model(f"api:http://127.0.0.1:{port}/v1#gemma?backoff=0.01")
    assert e.value.exit_code == 2


def test_malformed_json_is_a_clear_error():
    with fault_proxy(ProxyScript(faults=["malformed"])) as base:
        m = OpenAIModel(base, "gemma", retries=3)
        with pytest.raises(EndpointError, match="not JSON") as e:
            m.loglikelihood([LoglikelihoodRequest("a", " b")])
    assert base in str(e.value) and e.value.exit_code == 2


def test_key_comes_from_env_is_sent_and_never_echoed(monkeypatch):
    key = "sk-test-" + "9f3a" * 8
    monkeypatch.setenv("BABELSCOPE_API_KEY", key)
    script = ProxyScript(faults=["echo-auth"])
    with fault_proxy(script) as base:
        m = OpenAIModel(base, "gemma", retries=1)
        with pytest.raises(EndpointError) as e:
            m.generate([GenerationRequest(context="x", max_tokens=1)])
    assert script.seen[-1]["authorization"] == f"Bearer {key}"  # the server did get the key
    assert "bad request from Bearer ***" in str(e.value) and key not in str(e.value)
    assert key not in m.signature and key not in json.dumps(m.info()) and key not in repr(vars(m))
    assert redact(f"x {key} y") == "x *** y"


def test_key_env_option_names_another_variable(monkeypatch):
    monkeypatch.setenv("MY_PROVIDER_KEY", "sk-other-123456")
    monkeypatch.delenv("BABELSCOPE_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    script = ProxyScript(after={"choices": [{"text": "ok"}]})
    with fault_proxy(script) as base:
        m = load_model(f"api:{base}#gemma?key_env=MY_PROVIDER_KEY")
        m.generate([GenerationRequest(context="x", max_tokens=1)])
    assert script.seen[-1]["authorization"] == "Bearer sk-other-123456"


def test_probe_picks_the_only_model_and_chat_lacks_loglikelihood():
    with fault_proxy(ProxyScript()) as base:
        m = load_model(f"chat:{base}")
        assert m.name == "gemma" and m.signature == "gemma|openai-chat"  # a loopback port is no identity
        with pytest.raises(ModelError, match="cannot do loglikelihood .*: chat endpoints give no prompt"):
            require(m, Capability.LOGLIKELIHOOD)
        require(m, Capability.GENERATE)
        assert Capability.LOGLIKELIHOOD in load_model(f"api:{base}").capabilities


def _echo_answer(tokens: list[str], lps: list[float | None], generated: str = "X") -> dict:
    """An OpenAI-shaped echo answer: offsets are the cumulative lengths of the token strings."""
    offs, o = [], 0
    for t in tokens + [generated]:
        offs.append(o)
        o += len(t)
    tops = [None if x is None else {t: x} for t, x in zip(tokens, lps)] + [{generated: -0.1}]
    return {"choices": [{"text": "".join(tokens) + generated, "logprobs": {
        "tokens": tokens + [generated], "token_logprobs": lps + [-0.1], "text_offset": offs,
        "top_logprobs": tops}}], "usage": {"prompt_tokens": len(tokens) + 1, "completion_tokens": 1}}


def test_continuation_located_by_text_offsets():
    # context "Il gatto è" + continuation " sul tavolo": the continuation's tokens are the
    # echoed ones from offset len(context) on; the generated token after the prompt is ignored.
    tokens = ["Il", " gatto", " è", " sul", " tav", "olo"]
    lps = [None, -1.0, -2.0, -0.5, -0.25, -0.125]
    with fault_proxy(ProxyScript(after=_echo_answer(tokens, lps))) as base:
        m = OpenAIModel(base, "gemma")
        r = m.loglikelihood([LoglikelihoodRequest("Il gatto è", " sul tavolo"),
                             LoglikelihoodRequest("Il gatto è ", "sul tavolo")])  # trailing space moves
        roll = m.loglikelihood_rolling([RollingLoglikelihoodRequest("Il gatto è sul tavolo")])
    assert [x.logprob for x in r] == [-0.875, -0.875] and r[0].n_tokens == 3
    assert r[0].token_logprobs == (-0.5, -0.25, -0.125) and r[0].is_greedy  # each token was its top-1
    assert roll[0].nll == pytest.approx(3.875) and roll[0].n_tokens == 5  # the first token is unscored


def test_cli_exit_codes_for_malformed_and_outage(tmp_path, shared_data):
    """Through the real CLI: malformed JSON -> exit 2, outage after retries -> exit 1; both name
    the endpoint, and no eval run is stored."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "BABELSCOPE_WORKSPACE": str(tmp_path / "ws")}
    down = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens: fails at load, before any work
    res = subprocess.run([sys.executable, "-m", "babelscope", "eval", "--model", f"api:{down}#gemma?backoff=0.01",
                          "--task", "xcopa", "--languages", "it", "--data-dir", str(shared_data / "xcopa"), "--limit", "2"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 2 and down in " ".join(res.stderr.split()), res.stderr[-2000:]
    for fault, code in (("malformed", 2), (503, 1)):
        with fault_proxy(ProxyScript(after=fault)) as base:
            cmd = [sys.executable, "-m", "babelscope", "eval", "--model", f"api:{base}#gemma?retries=2&backoff=0.01",
                   "--task", "xcopa", "--languages", "it", "--data-dir", str(shared_data / "xcopa"),
                   "--limit", "2", "--json"]
            res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        assert res.returncode == code, res.stderr[-2000:]
        assert base in " ".join(res.stderr.split()), res.stderr[-2000:]
        from babelscope.store import Store

        db = tmp_path / "ws"
        stores = list(db.glob("*.sqlite")) + list(db.glob("*.db"))
        for path in stores:
            if "request_cache" in path.name:
                continue
            s = Store(path)
            assert not [r for r in s.runs() if r.status == "finished"]
            s.close()


def test_interrupted_run_keeps_every_finished_wave_and_resends_nothing(tmp_path):
    """Concurrency 2: answers reach the request cache two at a time; an outage in the third
    wave keeps the four answers already paid for, and the rerun sends only the last two."""
    from babelscope.engine.executor import Engine

    ok = {"choices": [{"text": "ok"}], "usage": {"prompt_tokens": 3, "completion_tokens": 1}}
    reqs = [GenerationRequest(context=f"prompt {i}", max_tokens=1) for i in range(6)]
    script = ProxyScript(faults=[ok] * 4, after=503)
    with fault_proxy(script) as base:
        m = OpenAIModel(base, "gemma", concurrency=2, retries=1, backoff=0.01)
        with pytest.raises(EndpointOutage):
            Engine(m, cache=tmp_path / "c.sqlite").generate(reqs)
    from babelscope.engine.cache import RequestCache

    assert RequestCache(tmp_path / "c.sqlite").count() == 4
    script2 = ProxyScript(after=ok)
    with fault_proxy(script2) as base:
        m2 = OpenAIModel(base, "gemma", concurrency=2)  # another port: the same model, the same cache
        out = Engine(m2, cache=tmp_path / "c.sqlite").generate(reqs)
    assert out == ["ok"] * 6
    assert sum(1 for s in script2.seen if s["method"] == "POST") == 2


def test_usage_rows_sum_billed_tokens_per_language(shared_data):
    """Every echo answer reports 7 prompt + 1 completion tokens, so a language's bill is
    7 and 1 times the requests sent for it (2 items x 2 choices = 4 per language)."""
    from babelscope.accounting import usage_rows
    from babelscope.evaluation import execute, plan
    from babelscope.tasks.base import Condition, DataSource, get_tasks

    n = 400  # one-character tokens covering any prompt of the test
    answer = {"choices": [{"text": "x" * n, "logprobs": {
        "tokens": ["x"] * n, "token_logprobs": [None] + [-0.5] * (n - 1), "text_offset": list(range(n)),
        "top_logprobs": [None] + [{"x": -0.5}] * (n - 1)}}], "usage": {"prompt_tokens": 7, "completion_tokens": 1}}
    slices = plan(get_tasks(["xcopa"]), ["it", "sw"], DataSource(data_dir=shared_data / "xcopa"), [Condition()], 2)
    with fault_proxy(ProxyScript(after=answer)) as base:
        m = OpenAIModel(base, "gemma", concurrency=4)
        execute(slices, m)
    rows = {(r.language.tag, r.metric): r.value for r in usage_rows(slices, m)}
    for lang in ("it", "sw"):
        assert rows[(lang, "prompt_tokens")] == 28 and rows[(lang, "completion_tokens")] == 4
        assert rows[(lang, "total_tokens")] == 32 and rows[(lang, "requests_billed")] == 4
