"""Handlers for business cards (issue 3)."""

from __future__ import annotations
