"""Analyses: turn corpora (and a model, through requests) into per-language result rows."""
