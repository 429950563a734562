"""End to end: tasks -> engine -> metrics, on a tiny random-weight causal LM.

The expected log-likelihoods come from a deliberately naive computation written here: one
unbatched forward pass per (context, continuation) over the full sequence, log-softmax at
every position, the continuation split off as lm-evaluation-harness does. The evaluation must
reproduce them (within 1e-4), and its accuracy must be the argmax over them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from babelscope.evaluation import evaluate, parse_conditions  # noqa: E402
from babelscope.tasks.base import Condition, DataSource, get_task  # noqa: E402

XCOPA = {
    "it": [
        {"premise": "Il ragazzo cadde.", "choice1": "Era scivolato.", "choice2": "Rise forte.", "question": "cause", "label": 0, "idx": 0},
        {"premise": "Piovve tutto il giorno.", "choice1": "Le strade erano bagnate.", "choice2": "Il sole splendeva.", "question": "effect", "label": 0, "idx": 1},
        {"premise": "La donna aveva fame.", "choice1": "Mangiò un panino.", "choice2": "Dormì.", "question": "effect", "label": 0, "idx": 2},
        {"premise": "Il vetro si ruppe.", "choice1": "Qualcuno lo colpì.", "choice2": "Era pulito.", "question": "cause", "label": 1, "idx": 3},
    ],
    "sw": [
        {"premise": "Mtoto alilia.", "choice1": "Alikuwa na njaa.", "choice2": "Alicheka.", "question": "cause", "label": 0, "idx": 0},
        {"premise": "Mvua ilinyesha.", "choice1": "Barabara zililowa.", "choice2": "Jua liliwaka.", "question": "effect", "label": 1, "idx": 1},
        {"premise": "Mlango ulifungwa.", "choice1": "Upepo ulivuma.", "choice2": "Alikula.", "question": "cause", "label": 0, "idx": 2},
    ],
}


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    d = tmp_path_factory.mktemp("tiny-gpt2")
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    texts = [r[k] for rows in XCOPA.values() for r in rows for k in ("premise", "choice1", "choice2")] * 5
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"],
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", bos_token="<|endoftext|>")
    fast.save_pretrained(d)
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=tok.get_vocab_size(), n_positions=256, n_embd=32, n_layer=2, n_head=2,
                     bos_token_id=0, eos_token_id=0)
    GPT2LMHeadModel(cfg).save_pretrained(d)
    return d


def reference_logliks(model_dir: Path, pairs: list[tuple[str, str]]) -> list[float]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    out = []
    for ctx, cont in pairs:
        n = len(ctx) - len(ctx.rstrip())
        if n:
            ctx, cont = ctx[:-n], ctx[-n:] + cont
        whole = tok(ctx + cont, add_special_tokens=True)["input_ids"]
        c_ids = tok(ctx, add_special_tokens=True)["input_ids"]
        cont_ids = whole[len(c_ids):]
        ids = torch.tensor([whole])
        with torch.no_grad():
            logp = torch.log_softmax(model(ids).logits[0].double(), dim=-1)
        start = len(whole) - len(cont_ids)
        out.append(float(sum(logp[p - 1, t] for p, t in zip(range(start, len(whole)), cont_ids))))
    return out


def _data(tmp_path: Path) -> Path:
    for code, rows in XCOPA.items():
        d = tmp_path / "data" / code
        d.mkdir(parents=True)
        (d / f"test.{code}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return tmp_path


def test_evaluate_matches_naive_reference(tiny_model_dir, tmp_path):
    from babelscope.models import load_model

    model = load_model(f"hf:{tiny_model_dir}", device="cpu", dtype="float32", batch_size=3)
    task = get_task("xcopa")
    src = DataSource(_data(tmp_path))
    out = evaluate(model, [task], ["it", "sw"], src, limit=3, n_boot=200)
    assert len(out.samples) == 6
    items = {c: task.items(c, src, Condition())[:3] for c in ("it", "sw")}
    pairs = [(it.context, cont) for c in ("it", "sw") for it in items[c] for cont in it.continuations]
    ref = reference_logliks(tiny_model_dir, pairs)
    got = [ll for s in out.samples for ll in s["logliks"]]
    assert got == pytest.approx(ref, abs=1e-4)
    # accuracy per language is the mean of argmax-correct over the reference numbers
    for code, lang_tag in (("it", "it"), ("sw", "sw")):
        samples = [s for s in out.samples if s["corpus_code"] == code]
        exp = sum(float(max(range(2), key=lambda k: s["logliks"][k]) == s["target"]) for s in samples) / 3
        row = next(r for r in out.rows if r.corpus_code == code and r.metric == "acc")
        assert row.value == pytest.approx(exp)
        assert row.n == 3 and row.ci_low <= row.value <= row.ci_high
        d = row.to_dict()
        assert d["task"] == "xcopa" and d["language"] == lang_tag and d["iso639_3"] in ("ita", "swa")


def test_conditions_matrix():
    conds = parse_conditions("lit=native,en;shots=0,2;demos=same,en")
    names = [c.name for c in conds]
    # zero-shot appears once per literal setting, not once per demo language
    assert names == ["lit=native|shots=0|demos=same", "lit=native|shots=2|demos=same", "lit=native|shots=2|demos=en",
                     "lit=en|shots=0|demos=same", "lit=en|shots=2|demos=same", "lit=en|shots=2|demos=en"]
    assert parse_conditions(None) == [Condition()]
    from babelscope.errors import ConfigError
    with pytest.raises(ConfigError, match="--conditions"):
        parse_conditions("shots=many")
    with pytest.raises(ConfigError, match="no English demonstrations"):
        get_task("xcopa").check_condition(Condition(shots=1, demos="en"))


def test_generative_task_rows(tiny_model_dir, tmp_path):
    """A real (tiny) model generates; the rows are checked against expectations written here."""
    from babelscope.models import load_model

    (tmp_path / "mgsm_sw.tsv").write_text("Swali la kwanza?\t12\nSwali la pili?\t1,000\n", encoding="utf-8")
    model = load_model(f"hf:{tiny_model_dir}", device="cpu", dtype="float32")
    task = get_task("mgsm")
    task.max_tokens = 8
    out = evaluate(model, [task], ["sw"], DataSource(tmp_path), n_boot=50)
    assert [s["target"] for s in out.samples] == [12.0, 1000.0]
    assert all(isinstance(s["response"], str) for s in out.samples)
    rows = {r.metric: r for r in out.rows}
    assert set(rows) == {"exact_match", "extraction_failure"}
    assert rows["exact_match"].n == 2


def test_generative_task_rows_against_hand_scored_answers(tmp_path):
    """Scripted answers whose scores are worked out by hand: "12." is right; "sijui" has no
    number (an extraction failure, and wrong); "4, hapana, 5" ends in 5 (extracted, wrong);
    "999" for 1000 (extracted, wrong). Exact match 1/4, extraction failures 1/4; the CI is a
    naive seeded bootstrap of [1, 0, 0, 0] (plain loop, same seed as babelscope's)."""
    import math

    import numpy as np

    from babelscope.metrics.bootstrap import SEED

    (tmp_path / "mgsm_sw.tsv").write_text(
        "Swali la kwanza?\t12\nSwali la pili?\t7\nSwali la tatu?\t3\nSwali la nne?\t1000\n", encoding="utf-8")
    runner = _Scripted({"kwanza": "Jibu ni 12.", "pili": "sijui", "tatu": "Labda 4, hapana, 5",
                        "nne": "Jibu ni 999"})
    out = evaluate(runner, [get_task("mgsm")], ["sw"], DataSource(tmp_path), n_boot=200)
    rows = {r.metric: r for r in out.rows}
    assert [s["extracted"] for s in out.samples] == [12.0, None, 5.0, 999.0]
    assert rows["exact_match"].value == 0.25, "exact_match"
    assert rows["extraction_failure"].value == 0.25, "extraction_failure rate"
    rng = np.random.default_rng(SEED)
    vals = [1.0, 0.0, 0.0, 0.0]
    reps = sorted(sum(vals[int(rng.integers(0, 4))] for _ in range(4)) / 4 for _ in range(200))
    qs = []
    for q in (0.025, 0.975):
        h = 199 * q
        lo = math.floor(h)
        qs.append(reps[lo] + (h - lo) * (reps[lo + 1] - reps[lo]))
    assert (rows["exact_match"].ci_low, rows["exact_match"].ci_high) == pytest.approx(qs, rel=1e-12), "accuracy CI"


class _Scripted:
    """Answers generation requests from a table (context substring -> response)."""

    def __init__(self, answers: dict[str, str]):
        self.answers = answers

    def generate(self, requests):
        return [next(v for k, v in self.answers.items() if k in r.context) for r in requests]


def test_generative_task_reports_language_fidelity(tmp_path):
    from babelscope.lid import get_identifier

    (tmp_path / "mgsm_sw.tsv").write_text("Swali la kwanza?\t12\nSwali la pili?\t7\nSwali la tatu?\t3\n",
                                          encoding="utf-8")
    sw = "Jibu ni 12 kwa sababu watoto wote walikuwa wanakula chakula cha mchana shuleni pamoja na walimu wao."
    en = "The answer is 7 because all the children were eating lunch at school together with their teachers."
    runner = _Scripted({"kwanza": sw, "pili": en, "tatu": sw.replace("12", "3")})
    lid = get_identifier("py3langid")
    out = evaluate(runner, [get_task("mgsm")], ["sw"], DataSource(tmp_path), n_boot=0, lid=lid)
    assert [s["detected_language"] for s in out.samples] == ["sw", "en", "sw"]
    rows = {(r.name, r.metric): r for r in out.rows}
    assert rows[("mgsm", "language_match")].value == pytest.approx(2 / 3)
    # the LCB rows: 3 completions, one of which has a line in English -> LPR 2/3
    fid = [r for r in out.rows if r.name == "mgsm:fidelity" and r.language.tag == "sw"]
    lpr = next(r for r in fid if r.metric == "lpr")
    assert lpr.value == pytest.approx(2 / 3) and lpr.n == 3
    # without an identifier nothing is added
    plain = evaluate(runner, [get_task("mgsm")], ["sw"], DataSource(tmp_path), n_boot=0)
    assert {r.metric for r in plain.rows} == {"exact_match", "extraction_failure"}
