"""Training throughput: scigan's trainer beside a plain PyTorch loop, same networks,
measured alternately in one process. Prints images/s, the ratio, FLOPs per image,
achieved GFLOP/s and the fraction of a matmul peak measured in the same run.

    python benchmarks/throughput.py [--quick] [--json results/throughput.json]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from baseline import BaselineLoop
from common import parse, parser, table, write_json
from scigan.config import TrainConfig
from scigan.core.device import resolve_device
from scigan.core.trainer import Trainer
from scigan.nets import NetSpec, build

CASES = [
    ("dcgan", 28, 64),
    ("dcgan", 28, 128),
    ("dcgan", 32, 64),
    ("dcgan", 32, 128),
    ("resnet", 32, 64),
    ("resnet", 32, 128),
]
QUICK_CASES = [("dcgan", 28, 128), ("dcgan", 32, 128)]


def matmul_peak(dtype: torch.dtype, device: torch.device, n: int = 2048, seconds: float = 1.0) -> float:
    """Sustained GFLOP/s of an n×n matmul in ``dtype`` on ``device``."""
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    a @ b
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        count += 1
    if device.type == "cuda":
        torch.cuda.synchronize()
    return 2 * n**3 * count / (time.perf_counter() - start) / 1e9


def networks(model: str, size: int, channels: int, classes: int):
    torch.manual_seed(0)
    return build(model, NetSpec(size=size, channels=channels, num_classes=classes, width=32))


def flops_per_image(step, batch: int) -> float:
    """FLOPs of one training step, counted by torch's FlopCounterMode, per real image."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        step()
    return counter.get_total_flops() / batch


def images_per_second(step, batch: int, seconds: float, sync) -> float:
    step()
    sync()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        count += 1
    sync()
    return count * batch / (time.perf_counter() - start)


def main() -> None:
    args = parse(parser(__doc__.splitlines()[0]))
    device = resolve_device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    seconds, rounds = (4.0, 2) if args.quick else (10.0, 3)
    peak32 = matmul_peak(torch.float32, device)
    peak16 = matmul_peak(torch.bfloat16, device)
    print(f"matmul peak on {device}: fp32 {peak32:.0f} GFLOP/s, bf16 {peak16:.0f} GFLOP/s")
    rows = []
    for model, size, batch in QUICK_CASES if args.quick else CASES:
        channels, classes = (1, 10) if size == 28 else (3, 10)
        data = torch.randint(0, 256, (4096, channels, size, size), dtype=torch.uint8)
        labels = torch.randint(0, classes, (4096,))
        G, D = networks(model, size, channels, classes)
        base = BaselineLoop(G, D, data, labels, batch, 128, device=str(device))
        G2, D2 = networks(model, size, channels, classes)
        config = TrainConfig.from_flat(
            data="bench", model=model, loss="hinge", batch_size=batch, device=str(device), progress=False
        )
        trainer = Trainer(
            config,
            G2,
            D2,
            data,
            labels,
            lambda x: x.float() / 127.5 - 1,
            128,
            Path(tempfile.mkdtemp()),
            log=lambda s: None,
        )

        def ours(trainer: Trainer = trainer) -> None:
            trainer.train_step({})
            trainer.step += 1

        flops_base = flops_per_image(base.step, batch)
        flops_ours = flops_per_image(ours, batch)
        speeds: dict[str, list[float]] = {"baseline": [], "scigan": []}
        for _ in range(rounds):  # alternate, so drift in machine speed hits both alike
            speeds["baseline"].append(images_per_second(base.step, batch, seconds, sync))
            speeds["scigan"].append(images_per_second(ours, batch, seconds, sync))
        b, s = (statistics.median(speeds[k]) for k in ("baseline", "scigan"))
        peak = peak16 if trainer.autocast is torch.bfloat16 else peak32
        rows.append(
            {
                "case": f"{model}{size}_b{batch}",
                "baseline_img_s": b,
                "scigan_img_s": s,
                "speedup": s / b,
                "gflop_per_img": flops_ours / 1e9,
                "baseline_gflop_s": b * flops_base / 1e9,
                "scigan_gflop_s": s * flops_ours / 1e9,
                "baseline_peak_frac": b * flops_base / 1e9 / peak32,
                "scigan_peak_frac": s * flops_ours / 1e9 / peak,
                "scigan_precision": "bf16" if trainer.autocast is torch.bfloat16 else "fp32",
            }
        )
        print(table(rows[-1:], list(rows[-1])), flush=True)
    print()
    print(table(rows, list(rows[0])))
    summary = {f"speedup_{r['case']}": round(r["speedup"], 3) for r in rows}
    summary.update({f"scigan_img_s_{r['case']}": round(r["scigan_img_s"], 1) for r in rows})
    write_json(args.json, summary, peak_gflop_s={"fp32": peak32, "bf16": peak16}, rows=rows)


if __name__ == "__main__":
    main()
