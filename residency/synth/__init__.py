"""Synthesis machinery that needs no cdktf: writing cdktf.out whole or not at all (`output`), and
skipping synth when nothing it reads changed (`cache`)."""
