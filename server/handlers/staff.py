"""Handlers for host and moderator actions (issue 4)."""

from __future__ import annotations
