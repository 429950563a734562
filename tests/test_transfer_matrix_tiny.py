"""The 4 x 4 transfer-matrix wiring on a tiny random-weight model (fast; no e2e mark).

Same checks as test_transfer_matrix_e2e.py (rows typed by source and target, store round
trip, fit), so the wiring is covered by `make test-fast` too; the e2e test adds the real model.
"""

from __future__ import annotations

from babelscope.models import load_model
from test_transfer_matrix_e2e import check_transfer_matrix
from tiny_models import tiny_causal_lm


def test_transfer_matrix_wiring_on_a_tiny_model(tmp_path):
    path = tiny_causal_lm("gpt2", tmp_path / "tiny")
    check_transfer_matrix(load_model(f"hf:{path}", device="cpu", dtype="float32", batch_size=8), tmp_path)
