"""Subsidia's public face: domain model, Python API and command line."""
