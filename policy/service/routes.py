"""The JSON API under /api/v1 (docs/service.md): each answer is the document the matching
`subsidia … --json` command prints."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
