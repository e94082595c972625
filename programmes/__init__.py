"""The bundled rule catalogue, installed as the package `subsidia_programmes`.

This file only makes the folder an importable package, so the installed rule files are found
with `importlib.resources` (policy/engine.py, `bundled_rules`) wherever the package lives.
"""
