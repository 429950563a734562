"""The analyses a study can run, registered lazily as "module:function" strings.

Importing an analysis pulls in its dependencies (torch, LID models, ...), so start-up only
imports the ones a study asks for. Each entry's function takes a unit context (see
:class:`babelscope.session.UnitContext`) and returns an AnalysisOutput (the
runners are in :mod:`babelscope.unit_runners`); an entry may name a
``preflight`` function that checks the unit's inputs before any model loads. Plugins add
analyses through the ``babelscope.analyses`` entry-point group.
"""

from __future__ import annotations

from ..registry import Entry, Registry

_A = "babelscope.unit_runners"

ANALYSES = Registry("analyses", [
    Entry("tokenizers", f"{_A}:analysis_tokenizers", needs_model=False,
          help="tokenizer premium, byte premium, fertility, UNK/byte-fallback rates",
          options={"preflight": f"{_A}:preflight_corpus"}),
    Entry("bits_per_byte", f"{_A}:analysis_bits_per_byte", needs_model=True, capabilities=("loglikelihood",),
          help="the model's bits per UTF-8 byte on parallel text",
          options={"preflight": f"{_A}:preflight_corpus"}),
    Entry("alignment", f"{_A}:analysis_alignment", needs_model=True, capabilities=("hidden_states",),
          help="MEXA cross-lingual alignment of hidden states with the pivot, per layer (optionally calibrated)",
          options={"preflight": f"{_A}:preflight_alignment"}),
    Entry("fidelity", f"{_A}:analysis_fidelity", needs_model=True, capabilities=("generate",),
          help="language fidelity (LCB LPR/WPR/LCPR) of stored or generated completions",
          options={"preflight": f"{_A}:preflight_fidelity"}),
    Entry("multi_if", f"{_A}:analysis_multi_if", needs_model=True, capabilities=("generate",),
          help="Multi-IF multi-turn instruction following per language and turn",
          options={"preflight": f"{_A}:preflight_multi_if"}),
    *(Entry(name, f"{_A}:analysis_{name}", needs_model=True, help=about, options={"preflight": f"{_A}:preflight_probe"})
      for name, about in (
          ("latent_language", "probe: logit lens over layers, P(target word) vs P(English word) per layer"),
          ("bli", "probe: bilingual lexicon induction, P@1/5/10 by NN and CSLS, without and with Procrustes"),
          ("homographs", "probe: cognates vs interlingual homographs vs non-cognates against chance"),
          ("word_similarity", "probe: cosine of translation pairs vs random pairs per layer (MEXA for words)"),
      )),
], what="analysis", normalise=lambda s: s.strip().lower().replace("-", "_"))

#: Kept for callers of the v0.1 name.
AnalysisEntry = Entry
