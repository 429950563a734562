"""Probes inside the model, at the level of words and layers (``babelscope probe KIND``).

Each probe is a function from a loaded model (and a dictionary spec) to an AnalysisOutput,
with rows keyed by the target language and the source language in ``extra["source"]``:

- :func:`babelscope.probes.latent_language.run_latent_language` (logit lens; HF backend only)
- :func:`babelscope.probes.bli.run_bli` (lexicon induction, NN/CSLS, with and without Procrustes)
- :func:`babelscope.probes.homographs.run_homographs` (cognates / homographs / non-cognates)
- :func:`babelscope.probes.word_similarity.run_word_similarity` (MEXA's word-level twin)

Dictionaries: :func:`babelscope.probes.dictionary.open_dictionary` (``freedict:<dir>``, a
dictd ``.index`` or a two-column TSV).
"""
