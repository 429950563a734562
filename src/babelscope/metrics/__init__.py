"""Metrics: per-item scores, bootstrap confidence intervals, paired significance, roll-ups."""
