"""FLORES translation in any direction, scored by chrF++ (sacrebleu).

Each *target* language is a row; the source is the pivot by default (``--pivot``), and
``directions`` can ask for a full sources x targets matrix (zero-shot transfer studies): every
cell is then a row variant "from=<src>". Reads the FLORES-200 layout
(``<dir>/<split>/<code>.<split>``, one sentence per line, lines aligned across languages).
"""

from __future__ import annotations

from typing import Any

from ..languages import Language
from .base import GENERATE, Condition, DataSource, Item, Task, TaskError


class FloresTranslation(Task):
    name = "flores_translation"
    kind = GENERATE
    description = "FLORES-200 translation, chrF++ (sources x targets)"
    languages: dict[str, str] = {}
    metrics = ("chrf",)
    supports_shots = True
    supports_demos_en = False
    default_shots = 0

    def __init__(self, sources: tuple[str, ...] = ("en",)):
        self.languages = {}
        self.sources = tuple(sources)

    def code_for(self, language: Language | str) -> str:
        lang = Language.parse(language)
        self.languages[lang.tag] = lang.tag
        return lang.tag

    def _corpus(self, source: DataSource, langs: list[Language]):
        from ..corpora.flores import open_flores200

        d = source.require_dir(self.name)
        return open_flores200(d, langs, split=source.split or "devtest")

    def items(self, code: str, source: DataSource, condition: Condition) -> list[Item]:
        tgt = Language.parse(code)
        srcs = [Language.parse(s) for s in self.sources if Language.parse(s) != tgt]
        if not srcs:
            raise TaskError(f"task 'flores_translation': target {tgt.tag} is its only source; give another --pivot")
        corpus = self._corpus(source, [tgt, *srcs])
        tcode = corpus.code_for(tgt)
        shots = self.shots_for(condition)
        out = []
        for s in srcs:
            scode = corpus.code_for(s)
            ids = corpus.shared_ids([scode, tcode])
            src_text, tgt_text = corpus.segments(scode, ids), corpus.segments(tcode, ids)
            demo = "".join(f"{s.name}: {src_text[j]}\n{tgt.name}: {tgt_text[j]}\n\n" for j in range(shots))
            for j in range(shots, len(ids)):
                out.append(Item(id=f"{s.tag}>{ids[j]}", kind=GENERATE,
                                context=f"{demo}{s.name}: {src_text[j]}\n{tgt.name}:",
                                target=tgt_text[j], stop=("\n",), max_tokens=256,
                                subsets=() if len(srcs) == 1 else (f"from={s.tag}",)))
        return out

    def score(self, item: Item, response: Any, code: str) -> dict[str, Any]:
        from ..metrics.chrf import sentence_chrfpp

        hyp = str(response).strip()
        return {"response": hyp, "chrf": sentence_chrfpp(hyp, str(item.target))}

    def corpus_scores(self, items: list[Item], scores: list[dict[str, Any]]) -> dict[str, float]:
        """Corpus-level chrF++ from summed statistics: the number translation papers report
        (the mean of sentence scores, ``chrf``, is what the bootstrap resamples)."""
        from ..metrics.chrf import corpus_chrfpp

        if not items:
            return {}
        return {"chrf_corpus": corpus_chrfpp([sc["response"] for sc in scores], [str(it.target) for it in items])}


    def corpus_intervals(self, items: list[Item], scores: list[dict[str, Any]],
                         n_boot: int = 1000) -> dict[str, tuple[float, float]]:
        """95% bootstrap interval of each corpus-level score (sentences resampled, chrF++
        recomputed from the resample's summed statistics); {} without items or resamples."""
        from ..metrics.chrf import corpus_chrfpp_ci

        if not items or n_boot < 1:
            return {}
        r = corpus_chrfpp_ci([sc["response"] for sc in scores], [str(it.target) for it in items], n_boot=n_boot)
        return {"chrf_corpus": (r.ci_low, r.ci_high)}
