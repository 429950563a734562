"""Instruction following benchmarks (IFEval, M-IFEval, Multi-IF): data, generation, scoring.

One idea per module: :mod:`.data` reads the three published layouts into one Conversation
type, :mod:`.generate` runs the multi-turn loop, :mod:`.responses` reads stored answers,
:mod:`.scoring` checks them with a named checker variant and makes the result rows.
"""
