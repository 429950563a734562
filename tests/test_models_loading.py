"""Model specs, offline behaviour and option validation."""

from __future__ import annotations

import time

import pytest

from babelscope.errors import ConfigError, ModelError
from babelscope.models import load_model, parse_model_spec
from babelscope.models.loading import ModelSpec, resolve_device, resolve_dtype, weights_fingerprint
from tiny_models import tiny_causal_lm


def test_parse_model_spec_forms(tmp_path):
    assert parse_model_spec("default") == ModelSpec("default")
    assert parse_model_spec("hf:google/gemma-3-270m") == ModelSpec("hf", "google/gemma-3-270m")
    assert parse_model_spec("hf:google/gemma-3-270m@abc123") == ModelSpec("hf", "google/gemma-3-270m", "abc123")
    assert parse_model_spec("gguf:/x/m.gguf") == ModelSpec("gguf", "/x/m.gguf")
    assert parse_model_spec(str(tmp_path)) == ModelSpec("hf", str(tmp_path))  # a bare folder
    odd = tmp_path / "name@v2"
    odd.mkdir()
    assert parse_model_spec(f"hf:{odd}") == ModelSpec("hf", str(odd))  # '@' inside an existing path
    assert str(parse_model_spec("hf:a/b@r")) == "hf:a/b@r"


@pytest.mark.parametrize("bad, words", [("", "empty"), ("gpt-4", "unknown model spec"),
                                        ("org/model", "hf:org/model"), ("hf:a/b@", "empty revision"),
                                        ("gguf:", "names no file")])
def test_bad_specs_are_user_errors(bad, words):
    with pytest.raises(ModelError, match=words):
        parse_model_spec(bad)


def test_hub_id_offline_fails_fast(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    t = time.time()
    with pytest.raises(ModelError, match="not found in the local Hugging Face cache"):
        load_model("hf:babelscope-test/does-not-exist")
    assert time.time() - t < 10


def test_hub_id_without_network_fails_fast(monkeypatch, tmp_path):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")  # unresolvable: behaves like no network
    t = time.time()
    with pytest.raises(ModelError, match="babelscope-test/nothing"):
        load_model("hf:babelscope-test/nothing@main")
    assert time.time() - t < 15


def test_missing_paths_and_bad_options(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_model(f"hf:{tmp_path / 'nope'}")
    with pytest.raises(ModelError, match="does not exist"):
        load_model(f"gguf:{tmp_path / 'nope.gguf'}")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no config.json"):
        load_model(f"hf:{tmp_path / 'empty'}")
    with pytest.raises(ConfigError, match="--dtype"):
        resolve_dtype("int3", "cpu")
    assert resolve_dtype(None, "cpu") == "float32" and resolve_dtype("bf16", "cpu") == "bfloat16"
    with pytest.raises(ConfigError, match="--device"):
        resolve_device("tpu")


def test_dtype_and_device_reach_the_model(tmp_path):
    path = tiny_causal_lm("qwen2", tmp_path)
    m = load_model(str(path), device="cpu", dtype="bfloat16", concurrency=8)  # an API-only option is ignored
    assert str(m.dtype) == "torch.bfloat16" and m.signature.endswith("|bfloat16")
    assert m.info()["layers"] == 2
    import torch

    params = list(m.model.parameters())
    assert params and all(p.dtype == torch.bfloat16 for p in params), "every weight in bfloat16"
    assert {p.device.type for p in params} == {"cpu"}
    # the signature names these weights: same folder -> same 12-digit fingerprint, in the
    # signature; a model with other (seed 1) weights -> a different one
    fp = weights_fingerprint(path)
    assert len(fp) == 12 and f"|w:{fp}|" in m.signature
    assert weights_fingerprint(tiny_causal_lm("qwen2", tmp_path / "other", seed=1)) != fp


def test_model_info_cli(tmp_path):
    import json

    from typer.testing import CliRunner

    from babelscope.cli import app

    path = tiny_causal_lm("gpt2", tmp_path)
    res = CliRunner().invoke(app, ["model-info", f"hf:{path}", "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["architecture"] == "GPT2LMHeadModel" and info["layers"] == 2 and not info["adds_bos"]
    assert "loglikelihood" in info["capabilities"]
