"""The demo end to end on Fashion-MNIST, shortened (slow: run with `make test-slow`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scigan.modalities.images.catalogue import fashion_mnist_dir


@pytest.mark.slow
def test_demo_prints_fd_beside_its_floor(tmp_path: Path) -> None:
    if fashion_mnist_dir() is None:
        pytest.skip("Fashion-MNIST is not installed")
    env = {**os.environ, "SCIGAN_DEMO_MINUTES": "1", "SCIGAN_DEMO_OUT": str(tmp_path / "demo")}
    done = subprocess.run([sys.executable, "-m", "scigan.demo"], capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    match = re.search(
        r"FD ([\d.]+) against a real-vs-real floor of ([\d.]+) \(an untrained generator scores ([\d.]+)\)", done.stdout
    )
    assert match, done.stdout
    fd, floor, untrained = map(float, match.groups())
    assert floor < fd < untrained / 4
    assert (tmp_path / "demo" / "per_class.png").is_file() and (tmp_path / "demo" / "report.html").is_file()
