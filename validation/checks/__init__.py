"""Checks by family: structure (header and row shape), cells (types and constraints), keys
(primary, unique, foreign) and domain (the descriptor's ``checks``)."""
