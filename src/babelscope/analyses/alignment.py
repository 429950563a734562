"""Cross-lingual alignment (MEXA, Kargaran et al.): how well a language's hidden states line up
with the pivot's on parallel sentences, layer by layer.

MEXA needs no benchmark, only parallel text, so it reaches every language a parallel corpus has.
The authors' code embeds one sentence per forward pass and loops over cosine pairs in Python;
here the model embeds every sentence of every language in one batched call (the backend's
``hidden_states``) and the cosine matrices of all layers come out of one matrix product, so the
whole analysis is a handful of array operations. The scores are the authors' definition exactly:
sentence i counts as aligned at a layer only if its pivot/translation cosine is *strictly*
greater than every other entry in its row and in its column of the cosine matrix.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..corpora.base import ParallelCorpus
from ..errors import ConfigError, CorpusError, ModelError
from ..languages import Language
from ..results import ResultRow
from .base import AnalysisOutput

log = logging.getLogger("babelscope.alignment")

NAME = "alignment"
#: Sentence embeddings the backends offer: position-weighted mean (MEXA's default, for causal
#: models whose later tokens have seen more of the sentence), last token, plain mean (encoders).
POOLINGS = ("weighted_mean", "last", "mean")
DEFAULT_SENTENCES = 100
#: How sentence embeddings are rounded before the cosines. The authors store them as float16,
#: and that rounding decides a few near-ties (on Gemma-3-270M, 1 sentence in 30 at some
#: layers), so "float16" reproduces their published numbers; "float32" keeps full precision.
PRECISIONS = ("float16", "float32")


# -- the math: embeddings in, scores out ----------------------------------------------------------


def cosine_matrices(pivot: np.ndarray, other: np.ndarray) -> np.ndarray:
    """C[l, i, j] = cos(pivot[i, l], other[j, l]) for every layer l at once.

    Inputs are (n, layers, d) arrays of the same n parallel sentences. float64 throughout, as
    the authors compute their cosines, so near-ties resolve the same way. A zero embedding gives
    NaN cosines, which never count as aligned (as in the reference).
    """
    if pivot.shape != other.shape or pivot.ndim != 3:
        raise ValueError(f"embeddings must be two (n, layers, d) arrays of one shape, got {pivot.shape} and {other.shape}")
    p = np.ascontiguousarray(np.transpose(pivot, (1, 0, 2)), dtype=np.float64)
    o = np.ascontiguousarray(np.transpose(other, (1, 0, 2)), dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = p / np.linalg.norm(p, axis=-1, keepdims=True)
        o = o / np.linalg.norm(o, axis=-1, keepdims=True)
    return p @ np.transpose(o, (0, 2, 1))


def mutual_nn_hits(cos: np.ndarray) -> np.ndarray:
    """hits[..., i]: is C[..., i, i] strictly above every other entry of row i and column i?

    Strict, as in the paper: a tie with another sentence is not a match. A NaN cosine (a zero
    embedding) counts as -inf: never a match, and never the reason another sentence misses
    (the authors' Python ``max`` over NaN depends on where the NaN sits).
    """
    n = cos.shape[-1]
    if cos.shape[-2] != n or n < 2:
        raise ValueError(f"need square cosine matrices of at least 2 x 2, got {cos.shape}")
    off = np.where(np.isnan(cos), -np.inf, cos)
    diag = np.diagonal(off, axis1=-2, axis2=-1).copy()
    idx = np.arange(n)
    off[..., idx, idx] = -np.inf
    row_max = off.max(axis=-1)
    col_max = off.max(axis=-2)
    return (diag > row_max) & (diag > col_max)


def mexa_scores(pivot: np.ndarray, other: np.ndarray) -> np.ndarray:
    """MEXA alignment per layer: share of sentences that are mutual nearest neighbours."""
    return mutual_nn_hits(cosine_matrices(pivot, other)).mean(axis=-1)


# -- results -------------------------------------------------------------------------------------


@dataclass
class AlignmentResult:
    """Per-language, per-layer MEXA scores on one set of parallel sentences.

    ``scores[k, l]`` is language k's alignment at layer l (layer 0 = the embedding layer).
    """

    pivot: Language
    pivot_code: str
    languages: list[Language]
    codes: list[str]
    ids: list[str]
    pooling: str
    scores: np.ndarray
    corpus: str = ""
    precision: str = "float16"

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def n_layers(self) -> int:
        return int(self.scores.shape[1])

    @property
    def mean(self) -> np.ndarray:
        return self.scores.mean(axis=1)

    @property
    def max(self) -> np.ndarray:
        return self.scores.max(axis=1)

    @property
    def best_layer(self) -> np.ndarray:
        return self.scores.argmax(axis=1)

    def aggregate(self, which: str) -> dict[Language, float]:
        """Per-language "mean" or "max" over layers (what calibration fits against)."""
        if which not in ("mean", "max"):
            raise ConfigError(f"alignment aggregate must be 'mean' or 'max', got {which!r}")
        values = self.mean if which == "mean" else self.max
        return {lang: float(v) for lang, v in zip(self.languages, values)}

    def to_output(self) -> AnalysisOutput:
        """Result rows (one per language and layer, plus mean/max per language) and the matrix."""
        rows: list[ResultRow] = []
        common = {"pooling": self.pooling, "pivot": self.pivot.tag, "precision": self.precision}
        for k, (lang, code) in enumerate(zip(self.languages, self.codes)):
            for layer in range(self.n_layers):
                score = float(self.scores[k, layer])
                rows.append(ResultRow(
                    NAME, "score", lang, score, variant=f"layer{layer}", corpus_code=code, n=self.n,
                    extra={"layer": layer, "score": score, **common},
                ))
            for metric, value in (("mean", self.mean[k]), ("max", self.max[k])):
                extra = {metric: float(value), **common}
                if metric == "max":
                    extra["best_layer"] = int(self.best_layer[k])
                rows.append(ResultRow(NAME, metric, lang, float(value), corpus_code=code, n=self.n, extra=extra))
        return AnalysisOutput(rows=rows, artifacts={"alignment_matrix": self.matrix_artifact()})

    def matrix_artifact(self) -> dict[str, Any]:
        """The languages x layers matrix the report draws as a heatmap."""
        return {
            "pivot": self.pivot.tag, "pivot_code": self.pivot_code, "pooling": self.pooling,
            "precision": self.precision, "corpus": self.corpus, "n": self.n,
            "languages": [lang.tag for lang in self.languages],
            "language_names": [lang.name for lang in self.languages],
            "corpus_codes": list(self.codes),
            "layers": list(range(self.n_layers)),
            "scores": [[float(v) for v in row] for row in self.scores],
            "mean": [float(v) for v in self.mean],
            "max": [float(v) for v in self.max],
        }

    def to_json(self) -> dict[str, Any]:
        """Compact JSON: one row per (language, layer) and one aggregate per language."""
        rows = []
        languages = []
        for k, (lang, code) in enumerate(zip(self.languages, self.codes)):
            for layer in range(self.n_layers):
                rows.append({"language": lang.tag, "corpus_code": code, "layer": layer,
                             "score": float(self.scores[k, layer])})
            languages.append({
                "language": lang.tag, "language_name": lang.name, "iso639_3": lang.iso639_3,
                "script": lang.script, "family": lang.family, "corpus_code": code,
                "mean": float(self.mean[k]), "max": float(self.max[k]),
                "best_layer": int(self.best_layer[k]), "n": self.n,
            })
        return {
            "pivot": self.pivot.tag, "pivot_code": self.pivot_code, "corpus": self.corpus,
            "pooling": self.pooling, "precision": self.precision, "n_sentences": self.n,
            "n_layers": self.n_layers,
            "rows": rows, "languages": languages,
        }


# -- running it on a model ---------------------------------------------------------------------


def select_segments(
    corpus: ParallelCorpus, languages: Sequence[Language | str], pivot: Language | str,
    n_sentences: int | None = DEFAULT_SENTENCES,
) -> tuple[str, list[Language], list[str], list[str]]:
    """Resolve corpus codes and pick the first ``n_sentences`` ids every language shares.

    Every language gets the *same* sentences so their scores are comparable. Raises
    CorpusError naming the languages at fault when fewer than two segments line up.
    """
    if n_sentences is not None and n_sentences < 2:
        raise ConfigError(f"--sentences must be at least 2 (MEXA compares each sentence with the others), got {n_sentences}")
    pivot = Language.parse(pivot)
    pivot_code = corpus.code_for(pivot)
    langs: list[Language] = []
    for lang in languages:
        lang = Language.parse(lang)
        if lang != pivot and lang not in langs:
            langs.append(lang)
    if not langs:
        raise ConfigError(f"--languages: give at least one language besides the pivot {pivot.tag}")
    codes = [corpus.code_for(lang) for lang in langs]  # CorpusError names a missing language
    pivot_ids = corpus.shared_ids([pivot_code])
    short = []
    for lang, code in zip(langs, codes):
        shared = len(corpus.shared_ids([pivot_code, code]))
        if shared < 2:
            short.append(f"{lang.tag} ({code}: {shared} shared)")
    if short:
        raise CorpusError(
            f"{corpus.name}: fewer than 2 segments shared with the pivot {pivot.tag} ({pivot_code}) "
            f"for: {', '.join(short)}; their segment ids do not match the pivot's"
        )
    ids = corpus.shared_ids([pivot_code, *codes])
    if len(ids) < 2:
        raise CorpusError(
            f"{corpus.name}: the languages {', '.join(codes)} and the pivot {pivot_code} share "
            f"{len(ids)} segment id(s) all together; MEXA needs at least 2 (the ids do not line up)"
        )
    want = len(pivot_ids) if n_sentences is None else min(n_sentences, len(pivot_ids))
    if len(ids) < want:
        lacking = [c for c in codes if len(corpus.shared_ids([pivot_code, c])) < want]
        log.warning("aligning on the %d segments all languages share (of %d wanted); missing some: %s",
                    len(ids), want, ", ".join(lacking) or "the combination")
    if n_sentences is not None:
        ids = ids[:n_sentences]
    return pivot_code, langs, codes, ids


def check_hidden_states(engine_or_model: Any, pooling: str, precision: str = "float16") -> None:
    """Fail before any work if the backend cannot give hidden states, or an option is unknown."""
    if pooling not in POOLINGS:
        raise ConfigError(f"--pooling: unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
    if precision not in PRECISIONS:
        raise ConfigError(f"--precision: unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")
    model = getattr(engine_or_model, "model", engine_or_model)
    caps = getattr(model, "capabilities", None)
    if caps is not None:
        from ..models.base import Capability, require

        require(model, Capability.HIDDEN_STATES)
    if not callable(getattr(engine_or_model, "hidden_states", None)):
        raise ModelError(
            f"model {getattr(model, 'name', type(model).__name__)!r} cannot give hidden states; "
            "alignment needs a local model (hf:<id or folder>, gguf-hf:<path> or the default)"
        )


def compute_alignment(
    engine_or_model: Any,
    corpus: ParallelCorpus,
    languages: Sequence[Language | str],
    pivot: Language | str = "en",
    n_sentences: int | None = DEFAULT_SENTENCES,
    pooling: str = "weighted_mean",
    precision: str = "float16",
) -> AlignmentResult:
    """Embed the pivot and every language's sentences in one batched call and score them."""
    check_hidden_states(engine_or_model, pooling, precision)
    pivot_code, langs, codes, ids = select_segments(corpus, languages, pivot, n_sentences)
    all_codes = [pivot_code, *codes]
    # Stripped, as the authors read their lines: FLORES has a few sentences with stray edge
    # whitespace, which would otherwise become tokens and shift the embeddings.
    texts = [t.strip() for code in all_codes for t in corpus.segments(code, ids)]
    emb = np.asarray(engine_or_model.hidden_states(texts, pooling=pooling))
    n = len(ids)
    if emb.ndim != 3 or emb.shape[0] != len(texts):
        raise ModelError(f"hidden_states returned shape {emb.shape} for {len(texts)} texts; expected (texts, layers, d)")
    if precision == "float16":
        emb = emb.astype(np.float16)  # as the authors store them; cosines are float64 either way
    blocks = emb.reshape(len(all_codes), n, emb.shape[1], emb.shape[2])
    scores = np.stack([mexa_scores(blocks[0], blocks[k]) for k in range(1, len(all_codes))])
    return AlignmentResult(Language.parse(pivot), pivot_code, langs, codes, ids, pooling, scores, corpus.name,
                           precision)


def run_alignment(
    engine_or_model: Any,
    corpus: ParallelCorpus,
    languages: Sequence[Language | str],
    pivot: Language | str = "en",
    n_sentences: int | None = DEFAULT_SENTENCES,
    pooling: str = "weighted_mean",
    precision: str = "float16",
) -> AnalysisOutput:
    """The analysis entry point: rows (metric "score" per layer, "mean", "max") + the matrix."""
    return compute_alignment(engine_or_model, corpus, languages, pivot, n_sentences, pooling,
                             precision).to_output()

