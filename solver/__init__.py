"""Compilation of checked rule IR to clingo programs, and solving."""
