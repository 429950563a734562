"""The four probes end to end on a tiny random model and dictionaries written here.

Expectations are independent of the probe code: prompts are rebuilt from the documented
format and decoded by hand with transformers; BLI on identical word pairs must retrieve every
word itself (identical vectors); the homograph word sets are listed by hand from the entries;
log-likelihoods are summed by hand from one forward pass per option.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from babelscope.cli import app
from babelscope.errors import ConfigError, ModelError
from babelscope.models import load_model
from babelscope.probes.bli import run_bli
from babelscope.probes.dictionary import DictionaryError
from babelscope.probes.homographs import derive_sets, run_homographs
from babelscope.probes.latent_language import run_latent_language
from babelscope.probes.word_similarity import run_word_similarity
from test_probes_dictionary import write_dictd
from tiny_models import tiny_causal_lm, tiny_encoder

FR_EN = [("chien", "dog"), ("maison", "house"), ("arbre", "tree"), ("oiseau", "bird"), ("fille", "girl"),
         ("pomme", "apple"), ("livre", "book"), ("soleil", "sun")]
EN_DE = [("dog", "Hund"), ("house", "Gebäude"), ("tree", "Baum"), ("bird", "Vogel"), ("girl", "Mädchen"),
         ("apple", "Apfel"), ("book", "Buch"), ("sun", "Sonne"),
         # homographs: German word spelled like an English headword of another meaning
         ("poison", "Gift"), ("gift", "Geschenk"), ("advice", "Rat"), ("rat", "Ratte"), ("child", "Kind"),
         ("kind", "freundlich"), ("dung", "Mist"), ("mist", "Nebel"), ("type", "Art"), ("art", "Kunst"),
         ("hat", "Hut"), ("hut", "Hütte"),
         # cognates
         ("hotel", "Hotel"), ("museum", "Museum"), ("taxi", "Taxi"), ("film", "Film"), ("sport", "Sport"),
         ("radio", "Radio"), ("church", "Kirche")]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("probes")
    folder = root / "dicts"
    folder.mkdir()
    write_dictd(folder, "freedict-fra-eng", [(f, f"{f} /x/ <n>\n{e}\n") for f, e in FR_EN])
    write_dictd(folder, "freedict-eng-deu", [(e, f"{e} /x/\n{d} <masc>\n") for e, d in EN_DE])
    model = load_model(f"hf:{tiny_causal_lm('llama', root)}", device="cpu", dtype="float32", batch_size=3)
    return model, f"freedict:{folder}", root


def _lens_by_hand(model, text, token_ids):
    hf = model.model
    ids = [model.tok.bos_token_id] + model.tok.encode(text)
    with torch.no_grad():
        hs = hf(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
        return np.array([torch.softmax(hf.lm_head(h if i == len(hs) - 1 else hf.model.norm(h))[0, -1], -1)[token_ids]
                         .numpy() for i, h in enumerate(hs)])


def test_latent_language_curves_equal_hand_logit_lens(setup):
    model, spec, _ = setup
    out = run_latent_language(model, spec, "fr", ["de"], n_prompts=100, n_shots=2, n_boot=0)
    items = [d for _, _, _, d in out.items]
    # every fr->en->de chain whose words differ in first token and target != English
    assert {(d["source_word"], d["english_word"], d["target_word"]) for d in items} <= \
        {(f, e, dict(EN_DE)[e]) for f, e in FR_EN}
    assert len(items) >= 5
    order = [(d["source_word"], d["target_word"]) for d in items]
    want = []
    for i, d in enumerate(items):
        demos = [order[(i + 1 + j) % len(order)] for j in range(2)]
        text = "\n".join([f'French: "{s}" - German: "{t}"' for s, t in demos]
                         + [f'French: "{d["source_word"]}" - German: "'])
        toks = [model.tok.encode(d["target_word"])[0], model.tok.encode(d["english_word"])[0]]
        hand = _lens_by_hand(model, text, toks)
        np.testing.assert_allclose(d["p_target"], hand[:, 0], rtol=1e-4, atol=1e-8)
        np.testing.assert_allclose(d["p_english"], hand[:, 1], rtol=1e-4, atol=1e-8)
        want.append(hand)
    want = np.array(want)
    for r in out.rows:
        if r.metric in ("p_target", "p_english"):
            k = 0 if r.metric == "p_target" else 1
            assert r.language.tag == "de" and r.extra["source"] == "fr"
            assert r.value == pytest.approx(want[:, r.extra["layer"], k].mean(), rel=1e-4)


def test_latent_language_refuses_too_few_pairs_and_encoders(setup, tmp_path):
    model, spec, _ = setup
    with pytest.raises(ConfigError, match="only .* usable pairs"):
        run_latent_language(model, spec, "fr", ["de"], n_prompts=100, n_shots=50)
    enc = load_model(f"hf:{tiny_encoder('bert', tmp_path)}", device="cpu")
    with pytest.raises(ModelError, match="causal"):
        run_latent_language(enc, spec, "fr", ["de"])


def test_bli_identical_pairs_retrieve_themselves(setup, tmp_path):
    model, _, _ = setup
    words = ["human", "beings", "born", "free", "equal", "dignity", "rights", "reason", "conscience", "spirit",
             "brotherhood", "quick", "brown", "lazy"]
    lines = [f"{w}\t{w}" for w in words] + ["ice cream\tEis", "set\ta", "set\tb", "set\tc", "set\td"]
    p = tmp_path / "same.tsv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run_bli(model, str(p), [("en", "de")], n_seed=2, n_test=12, n_boot=0)
    art = out.artifacts["bli:en-de"]
    assert art["counts"]["multi-word"] == 1 and art["counts"]["ambiguous"] == 1
    assert art["counts"]["test"] == 12 and art["counts"]["seed"] == 2
    for r in out.rows:
        if r.extra["alignment"] == "none" and r.extra["retrieval"] == "nn":
            assert r.value == 1.0, r  # identical vectors: every word's nearest target is itself
        assert r.language.tag == "de" and r.extra["source"] == "en" and r.n == 12
    with pytest.raises(ConfigError, match="only 1 usable pairs"):
        q = tmp_path / "tiny.tsv"
        q.write_text("dog\tHund\n", encoding="utf-8")
        run_bli(model, str(q), [("en", "de")], n_boot=0)


def test_homograph_sets_are_derived_by_the_rules(setup):
    _, spec, _ = setup
    sets = derive_sets(spec, "en", "de", n_items=100)
    by = {c: {(f, e, d) for cc, f, e, d in sets.items if cc == c} for c in ("cognate", "homograph", "non-cognate")}
    assert by["homograph"] == {("Gift", "poison", "gift"), ("Rat", "advice", "rat"), ("Kind", "child", "kind"),
                               ("Mist", "dung", "mist"), ("Art", "type", "art"), ("Hut", "hat", "hut")}
    assert {f for f, _, _ in by["cognate"]} == {"Hotel", "Museum", "Taxi", "Film", "Sport", "Radio"}
    # distance >= 0.5 by hand: Apfel/apple 3/5 (three substitutions), Sonne/sun 3/5; left out
    # as neither: Ratte/rat 2/5, Hütte/hut 2/5 (accents ignored)
    assert {f for f, _, _ in by["non-cognate"]} == {"Apfel", "Hund", "Gebäude", "Baum", "Vogel", "Mädchen", "Buch",
                                                    "Sonne", "Geschenk", "freundlich", "Nebel", "Kunst",
                                                    "Kirche"}
    for c in ("cognate", "non-cognate"):
        assert all(d != e for _, e, d in by[c])


def _ll(model, context, continuation):
    ctx = [model.tok.bos_token_id] + model.tok.encode(context)
    whole = [model.tok.bos_token_id] + model.tok.encode(context + continuation)
    with torch.no_grad():
        lp = torch.log_softmax(model.model(input_ids=torch.tensor([whole])).logits[0].float(), -1)
    return sum(float(lp[i - 1, whole[i]]) for i in range(len(ctx), len(whole)))


def test_homograph_accuracy_equals_hand_loglikelihoods(setup):
    model, spec, _ = setup
    out = run_homographs(model, spec, [("en", "de")], n_items=100, generate=True, n_boot=0)
    sets = derive_sets(spec, "en", "de", n_items=100)
    for c in ("cognate", "homograph", "non-cognate"):
        hits = [1.0 if _ll(model, f'The German word "{f}" means "', e + '"')
                > _ll(model, f'The German word "{f}" means "', d + '"') else 0.0
                for cc, f, e, d in sets.items if cc == c]
        row = next(r for r in out.rows if r.metric == "accuracy" and r.variant == c)
        assert row.value == pytest.approx(np.mean(hits)) and row.n == len(hits)
        assert row.extra["random_baseline"] == 0.5 and row.extra["derived"] is True
        gen = next(r for r in out.rows if r.metric == "generative_accuracy" and r.variant == c)
        assert 0.0 <= gen.value <= 1.0


def test_word_similarity_against_hand_cosines(setup, tmp_path):
    model, _, _ = setup
    pairs = [("human", "humains"), ("free", "libres"), ("equal", "égaux"), ("dignity", "dignité"),
             ("rights", "droits"), ("born", "naissent"), ("beings", "êtres"), ("all", "tous"),
             ("reason", "raison"), ("spirit", "esprit"), ("brown", "brun")]
    p = tmp_path / "enfr.tsv"
    p.write_text("".join(f"{a}\t{b}\n" for a, b in pairs), encoding="utf-8")
    out = run_word_similarity(model, str(p), [("en", "fr")], n_pairs=50, n_boot=0)
    art = out.artifacts["word_similarity:en-fr"]
    chosen = [tuple(x) for x in art["examples"]]
    assert set(chosen) <= set(pairs) and art["n"] == len(pairs)
    # hand: mean-pooled states of each word alone (BOS + word), per layer, then cosines
    words = [w for pair in pairs for w in pair]
    emb = {}
    for w in words:
        ids = [model.tok.bos_token_id] + model.tok.encode(w)
        with torch.no_grad():
            hs = model.model(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
        emb[w] = np.stack([h[0].mean(0).numpy() for h in hs])
    order = [pair for pair in pairs]  # frequency order does not change a mean over all pairs
    for layer in range(len(art["layers"])):
        A = np.stack([emb[a][layer] for a, _ in order])
        B = np.stack([emb[b][layer] for _, b in order])
        A = A / np.linalg.norm(A, axis=1, keepdims=True)
        B = B / np.linalg.norm(B, axis=1, keepdims=True)
        C = A @ B.T
        n = len(order)
        assert art["translation"][layer] == pytest.approx(np.trace(C) / n, abs=1e-4)
        assert art["random"][layer] == pytest.approx((C.sum() - np.trace(C)) / (n * (n - 1)), abs=1e-4)


def _cli(*args):
    return CliRunner().invoke(app, ["--quiet", "probe", *args])


def test_cli_bad_input_fails_before_the_model(setup, tmp_path):
    _, spec, _ = setup
    res = _cli("bli", "--model", "hf:/no/such/model", "--pairs", "en-sw", "--dictionary", spec, "--json")
    assert isinstance(res.exception, DictionaryError) and "en-sw" in str(res.exception)
    bad = tmp_path / "x.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00....")
    res = _cli("homographs", "--model", "hf:/no/such/model", "--pairs", "en-de", "--dictionary", str(bad))
    assert isinstance(res.exception, DictionaryError) and "neither a dictd" in str(res.exception)
    res = _cli("homographs", "--pairs", "de-fr", "--dictionary", spec)
    assert isinstance(res.exception, ConfigError) and "de-fr" in str(res.exception)
    res = _cli("bli", "--pairs", "ende", "--dictionary", spec)
    assert isinstance(res.exception, ConfigError) and "ende" in str(res.exception)


def test_cli_exit_2_from_the_real_entry_point(setup, tmp_path):
    _, spec, root = setup
    enc = tiny_encoder("bert", tmp_path)
    proc = subprocess.run([sys.executable, "-m", "babelscope", "probe", "latent-language", "--model", f"hf:{enc}",
                           "--source", "fr", "--targets", "de", "--dictionary", spec, "--no-store"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2 and "causal" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_json_run_is_stored_and_reported(setup, tmp_path):
    model, spec, root = setup
    folder = str(next(root.glob("tiny-llama")))
    ws = tmp_path / "ws"
    res = _cli("latent-language", "--model", f"hf:{folder}", "--source", "fr", "--targets", "de",
               "--dictionary", spec, "--prompts", "5", "--shots", "1", "--workspace", str(ws), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["run_id"] and data["summary"]["latent_language:fr-de"]["n"] == 5
    assert {r["metric"] for r in data["rows"]} >= {"p_target", "p_english", "crossover_layer"}
    rep = CliRunner().invoke(app, ["--quiet", "report", data["run_id"], "--workspace", str(ws),
                                   "--out", str(tmp_path / "r.html")])
    assert rep.exit_code == 0, rep.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Latent language" in html


def test_report_has_a_section_per_probe_with_escaped_text(setup, tmp_path):
    """All four probes in one stored run; the report draws their sections. A hostile string in
    an artifact (a user's TSV may hold anything) must come out escaped."""
    from babelscope.analyses.base import AnalysisOutput
    from babelscope.report import render_report
    from babelscope.workspace import open_store
    from report_html import ReportParser

    model, spec, _ = setup
    words = ["human", "beings", "born", "free", "equal", "dignity", "rights", "reason", "conscience", "spirit",
             "brotherhood", "quick", "brown", "lazy"]
    tsv = tmp_path / "same.tsv"
    tsv.write_text("".join(f"{w}\t{w}\n" for w in words), encoding="utf-8")
    out = AnalysisOutput()
    out.extend(run_latent_language(model, spec, "fr", ["de"], n_prompts=5, n_shots=1, n_boot=50))
    out.extend(run_bli(model, str(tsv), [("en", "de")], n_seed=2, n_test=12, n_boot=50))
    out.extend(run_homographs(model, spec, [("en", "de")], n_items=6, generate=False, n_boot=50))
    out.extend(run_word_similarity(model, str(tsv), [("en", "de")], n_pairs=14, n_boot=50))
    out.artifacts["bli:en-de"]["examples"] = [["<script>alert(1)</script>", "x"]]
    out.artifacts["bli:en-de"]["counts"]["<img src=x>"] = 1
    ws = tmp_path / "ws"
    store = open_store(ws)
    try:
        run_id = store.start_run("probe all", "sig", {"probe": "all"})
        store.add_results(run_id, out.rows, out.items, out.artifacts)
        store.finish_run(run_id)
        html = render_report(store, run_id)
    finally:
        store.close()
    for title in ("Latent language (logit lens)", "Bilingual lexicon induction", "Cognates, homographs, non-cognates",
                  "Word similarity across languages"):
        assert title in html
    assert "<img src=x>" not in html and "&lt;img src=x&gt;" in html
    assert "<script>alert" not in html
    parser = ReportParser()
    parser.feed(html)
    bli = next(t for t in parser.tables if t.caption.startswith("P@1/5/10"))
    recs = bli.records()
    assert len(recs) == 8  # 2 vectors x 2 retrievals x 2 alignments
    nn_raw = [r for r in recs if r["Retrieval"].text == "nn" and r["Alignment"].text == "none"]
    assert all(r["P@1"].text.startswith("1") for r in nn_raw)
    assert html.count("<polyline") >= 4  # two latent-language curves, three word-similarity curves
