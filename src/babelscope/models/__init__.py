"""Model backends behind one small protocol (see base.py) and the spec parser (load_model)."""

from .base import Capability, Model, Tokenizer
from .loading import load_model, parse_model_spec

__all__ = ["Capability", "Model", "Tokenizer", "load_model", "parse_model_spec"]
