"""Unit runners: a unit context in, an AnalysisOutput out, for each registered analysis.

They sit above analyses/ and tasks/ (Multi-IF is a task family run as an analysis), at the
pipeline's layer.

The analyses themselves (tokenization, perplexity, alignment, fidelity, Multi-IF) know
nothing of studies; these adapters read a unit's options, ask the context for what the unit
shares with others (the opened corpus, the model's engine, the store for calibration) and
call them. Each ``preflight_*`` checks a unit's inputs cheaply, so that every user error of
a study surfaces before the first model loads.
"""

from __future__ import annotations

from typing import Any

from .analyses.base import AnalysisOutput
from .errors import ConfigError

# -- corpus analyses -------------------------------------------------------------------------


def preflight_corpus(ctx: Any) -> None:
    """A missing language or an unknown corpus fails here, not after a model loaded."""
    corpus = ctx.corpus()
    for lang in ctx.all_languages:
        corpus.code_for(lang)


def analysis_tokenizers(ctx: Any) -> AnalysisOutput:
    from .tokenizer_specs import DEFAULT_TOKENIZERS, load_tokenizer
    from .analyses.tokenization import run_tokenizers

    specs = list(ctx.options.get("tokenizers") or DEFAULT_TOKENIZERS)
    tokenizers = []
    for spec in ctx.options.get("model_tokenizers") or []:  # the studied models' own, first
        tok = _model_tokenizer(spec)
        if tok is not None:
            tokenizers.append(tok)
    tokenizers += [load_tokenizer(s) for s in specs]
    return run_tokenizers(ctx.corpus(), ctx.all_languages, ctx.pivot, tokenizers,
                          join=bool(ctx.options.get("join")), progress=ctx.progress)


def _model_tokenizer(spec: str) -> Any:
    """A model's tokenizer without loading its weights: a local HF folder's tokenizer files."""
    from pathlib import Path

    from .tokenizer_specs import load_tokenizer

    target = spec[3:] if spec.startswith("hf:") else spec
    folder = Path(target).expanduser()
    if folder.is_dir() and (folder / "tokenizer.json").exists():
        tok = load_tokenizer(f"hf:{folder / 'tokenizer.json'}")
        return tok
    return None


def analysis_bits_per_byte(ctx: Any) -> AnalysisOutput:
    from .analyses.perplexity import DEFAULT_MAX_SEGMENTS, run_bits_per_byte

    return run_bits_per_byte(ctx.engine, ctx.corpus(), ctx.all_languages, pivot=ctx.pivot,
                             max_segments=ctx.options.get("max_segments") or DEFAULT_MAX_SEGMENTS)


# -- alignment (MEXA) ----------------------------------------------------------------------------


def _alignment_options(ctx: Any) -> dict[str, Any]:
    from .analyses.alignment import DEFAULT_SENTENCES, POOLINGS, PRECISIONS

    o = ctx.options
    n = o.get("sentences") or o.get("max_segments") or DEFAULT_SENTENCES
    pooling = o.get("pooling") or "weighted_mean"
    precision = o.get("precision") or "float16"
    aggregate = o.get("against_aggregate") or "mean"
    if pooling not in POOLINGS:
        raise ConfigError(f"--pooling: unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
    if precision not in PRECISIONS:
        raise ConfigError(f"--precision: unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")
    if aggregate not in ("mean", "max"):
        raise ConfigError(f"--against-aggregate must be mean or max, got {aggregate!r}")
    return {"n": int(n), "pooling": pooling, "precision": precision, "aggregate": aggregate,
            "against": o.get("against"), "intercept": o.get("intercept", True)}


def preflight_alignment(ctx: Any) -> None:
    from .analyses.alignment import select_segments
    from .analyses.calibration import check_overlap, load_measured

    o = _alignment_options(ctx)
    if o["against"]:  # read it before the slow part, so a bad CSV fails at once
        measured, source = load_measured(o["against"], ctx.workspace)
        check_overlap([x for x in ctx.languages if x != ctx.pivot], measured, source)
    select_segments(ctx.corpus(), ctx.languages, ctx.pivot, o["n"])


def analysis_alignment(ctx: Any) -> AnalysisOutput:
    """MEXA per layer through the model's engine (a rerun reads hidden states from the cache),
    then, with ``against``, the calibration of alignment against measured scores."""
    from .analyses.alignment import check_hidden_states, compute_alignment
    from .analyses.calibration import calibrate, load_measured

    o = _alignment_options(ctx)
    check_hidden_states(ctx.model, o["pooling"], o["precision"])
    result = compute_alignment(ctx.engine, ctx.corpus(), ctx.languages, ctx.pivot, o["n"], o["pooling"],
                               o["precision"])
    out = result.to_output()
    cal = None
    if o["against"]:
        measured, source = load_measured(o["against"], ctx.workspace)
        cal = calibrate(result.aggregate(o["aggregate"]), measured, source=source or o["against"],
                        aggregate=o["aggregate"], intercept=bool(o["intercept"]))
        out.extend(cal.to_output())
    out.payload = (result, cal)
    return out


# -- language fidelity (Language Confusion Benchmark) ------------------------------------------------


def _fidelity_inputs(ctx: Any) -> tuple[float, Any, ConfigError | None]:
    """The LID threshold, the English word list (for WPR) and, when there is none, the error
    to raise if a WPR language turns up (only then is the list required)."""
    from .analyses.fidelity_text import find_english_words

    o = ctx.options
    threshold = float(o.get("threshold", 0.3))
    if not 0 <= threshold < 1:
        raise ConfigError(f"--threshold must be in [0, 1), got {threshold}")
    if not o.get("completions") and not o.get("lcb_data"):
        raise ConfigError("fidelity: give completions FILE (score existing outputs) or lcb_data DIR with a model")
    try:
        return threshold, find_english_words(o.get("english_words")), None
    except ConfigError as e:
        if o.get("english_words") is not None:
            raise
        return threshold, None, e


def _fidelity_records(ctx: Any) -> list[dict[str, str]]:
    from .analyses.fidelity_io import read_completions, read_lcb_prompts

    o = ctx.options
    if o.get("completions"):
        return read_completions(o["completions"])
    return read_lcb_prompts(o["lcb_data"], o.get("sources") or None, ctx.language_filter, o.get("limit"))


def preflight_fidelity(ctx: Any) -> None:
    from .lid import get_identifier
    from .analyses.fidelity import lcb_code
    from .analyses.fidelity_text import WPR_LANGUAGES

    _, _, missing_words = _fidelity_inputs(ctx)
    get_identifier(ctx.options.get("lid") or "py3langid")
    records = _fidelity_records(ctx)
    if missing_words and ctx.options.get("completions") and any(
            lcb_code(r["language"]) in WPR_LANGUAGES for r in records):
        raise missing_words


def analysis_fidelity(ctx: Any) -> AnalysisOutput:
    from .lid import get_identifier
    from .analyses.fidelity import lcb_code, report_output, score_completions
    from .analyses.fidelity_io import generate_completions
    from .analyses.fidelity_text import WPR_LANGUAGES, load_english_words

    o = ctx.options
    threshold, words_path, missing_words = _fidelity_inputs(ctx)
    identifier = get_identifier(o.get("lid") or "py3langid")
    records = _fidelity_records(ctx)
    if not o.get("completions"):
        records = generate_completions(records, ctx.engine, int(o.get("max_tokens", 100)))
    if missing_words and any(lcb_code(r["language"]) in WPR_LANGUAGES for r in records):
        raise missing_words
    words = load_english_words(words_path) if words_path else None
    report = score_completions(records, identifier, words, threshold)
    report.english_words = str(words_path or "")
    out = report_output(report, kind="task" if ctx.unit.needs_model else "analysis")
    out.payload = report
    return out


# -- Multi-IF ------------------------------------------------------------------------------------


def _multi_if_conversations(ctx: Any) -> Any:
    from .tasks import multi_if as mi

    o = ctx.options
    if not o.get("data"):
        raise ConfigError("multi_if: give data FILE (the Multi-IF file as published)")
    turns = int(o.get("turns", mi.MAX_TURNS))
    if not 1 <= turns <= mi.MAX_TURNS:
        raise ConfigError(f"--turns must be 1..{mi.MAX_TURNS}, got {turns}")
    convs = mi.load_conversations(o["data"], limit=o.get("limit"), languages=ctx.language_filter,
                                  checkers=o.get("checkers") or "auto")
    return convs, turns


def preflight_multi_if(ctx: Any) -> None:
    from .lid import get_identifier
    from .tasks import multi_if as mi

    convs, _ = _multi_if_conversations(ctx)
    get_identifier(ctx.options.get("lid") or "py3langid")
    if ctx.options.get("responses"):
        mi.read_responses(ctx.options["responses"], convs)


def analysis_multi_if(ctx: Any) -> AnalysisOutput:
    from .lid import get_identifier
    from .tasks import multi_if as mi

    o = ctx.options
    convs, turns = _multi_if_conversations(ctx)
    checkers = mi.resolve_checkers(o.get("checkers") or "auto", convs)  # default: the data's own published variant
    identifier = get_identifier(o.get("lid") or "py3langid")
    if o.get("responses"):
        answers = mi.read_responses(o["responses"], convs)
    else:
        answers = mi.generate_responses(convs, ctx.engine, max_tokens=int(o.get("max_tokens", 1024)), turns=turns)
    groups = mi.score(convs, answers, lid=identifier, turns=turns, checkers=checkers)
    rows = mi.result_rows(groups, n_boot=int(o.get("bootstrap", 1000)))
    items = mi.item_records(groups)
    if not o.get("responses"):
        for _, _, item_id, d in items:
            key, turn = item_id.rsplit("#turn", 1)
            d["response"] = answers.get((key, int(turn)), "")
    out = AnalysisOutput(rows=rows, items=items)
    out.payload = {"conversations": len(convs), "groups": groups, "checkers": checkers}
    return out


# -- probes (word- and layer-level: latent language, BLI, homographs, word similarity) ---------------


def _probe_pairs(ctx: Any) -> list[Any]:
    from .probes.words import parse_pairs

    pairs = ctx.options.get("pairs") or []
    return parse_pairs([pairs] if isinstance(pairs, str) else list(pairs))


def _probe_dictionary(ctx: Any) -> str:
    d = ctx.options.get("dictionary")
    if not d:
        raise ConfigError(f"{ctx.unit.name}: give dictionary (freedict:<dir>, a dictd .index or a TSV of word pairs)")
    return str(d)


def preflight_probe(ctx: Any) -> None:
    """Every dictionary a probe will read is located (and its pairs checked) before the model loads."""
    from .languages import Language, parse_languages
    from .probes.dictionary import locate_dictionary

    dictionary = _probe_dictionary(ctx)
    if ctx.unit.name == "latent_language":
        src = Language.parse(ctx.options.get("source") or "fr")
        targets = parse_languages(ctx.options.get("targets") or [])
        if not targets:
            raise ConfigError("--targets: give at least one target language, e.g. --targets de,ja,sw")
        en = Language.parse("en")
        pairs = [p for t in targets for p in ((src, en), (en, t)) if p[0] != p[1]]
    else:
        pairs = _probe_pairs(ctx)
        if not pairs:
            raise ConfigError("--pairs: give at least one language pair, e.g. --pairs en-de,en-sw")
        if ctx.unit.name == "homographs":
            from .probes.homographs import ENGLISH

            for a, b in pairs:
                if a != ENGLISH:
                    raise ConfigError(f"--pairs: homographs compares English with another language; {a.tag}-{b.tag} "
                                      "does not start with en")
        if ctx.unit.name == "word_similarity":
            from .analyses.alignment import POOLINGS

            pooling = ctx.options.get("pooling") or "mean"
            if pooling not in POOLINGS:
                raise ConfigError(f"--pooling: unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
    for a, b in pairs:
        locate_dictionary(dictionary, a, b)


def analysis_latent_language(ctx: Any) -> AnalysisOutput:
    from .probes.latent_language import DEFAULT_PROMPTS, DEFAULT_SHOTS, run_latent_language

    o = ctx.options
    return run_latent_language(ctx.model, _probe_dictionary(ctx), o.get("source") or "fr", list(o.get("targets") or []),
                               int(o.get("prompts") or DEFAULT_PROMPTS), int(o.get("shots") or DEFAULT_SHOTS),
                               n_boot=int(o.get("bootstrap", 1000)))


def analysis_bli(ctx: Any) -> AnalysisOutput:
    from .probes.bli import DEFAULT_SEED, DEFAULT_TEST, VECTORS, run_bli

    o = ctx.options
    return run_bli(ctx.model, _probe_dictionary(ctx), _probe_pairs(ctx), int(o.get("seed_size") or DEFAULT_SEED),
                   int(o.get("test") or DEFAULT_TEST), list(o.get("vectors") or VECTORS), o.get("layer"),
                   int(o.get("max_senses") or 3), n_boot=int(o.get("bootstrap", 1000)))


def analysis_homographs(ctx: Any) -> AnalysisOutput:
    from .probes.homographs import DEFAULT_ITEMS, run_homographs

    o = ctx.options
    return run_homographs(ctx.model, _probe_dictionary(ctx), _probe_pairs(ctx), int(o.get("items") or DEFAULT_ITEMS),
                          bool(o.get("generate", True)), float(o.get("cognate_max", 0.25)),
                          float(o.get("noncognate_min", 0.5)), n_boot=int(o.get("bootstrap", 1000)))


def analysis_word_similarity(ctx: Any) -> AnalysisOutput:
    """Through the engine, so a rerun reads the word embeddings from the request cache."""
    from .probes.word_similarity import DEFAULT_PAIRS, run_word_similarity

    o = ctx.options
    return run_word_similarity(ctx.engine, _probe_dictionary(ctx), _probe_pairs(ctx),
                               int(o.get("n_pairs") or DEFAULT_PAIRS), o.get("pooling") or "mean",
                               n_boot=int(o.get("bootstrap", 1000)))
