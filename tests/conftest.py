"""Shared fixtures: a private extractor cache and tiny, fast training settings."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Feature extractors are cached, and local C2PA credentials made, per test session,
    never in the user's home."""
    monkeypatch.setenv("SCIGAN_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("SCIGAN_HOME", str(tmp_path_factory.getbasetemp() / "home"))
