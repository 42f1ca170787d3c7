"""Enhancement quality on held-out pictures: ×4 super-resolution of the nuclei and IHC
built-ins (the pixel-loss model at the end of its warm-up and the SRGAN model after the
adversarial + feature phase, beside bicubic upsampling), and denoising at σ = 25/255
(beside the noisy input). All measured by ``scigan evaluate`` (PSNR, SSIM) on the
bottom rows of each picture, which training never sees.

The pixel-loss model is the checkpoint at the last warm-up step of the same run the
GAN model continues (every draw is seeded, so it is the model a pixel-only run reaches).

    python benchmarks/enhance.py [--quick] [--threads 1] [--json out.json]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import parse, parser, table, write_json
from scigan.config import TrainConfig
from scigan.enhance.evaluate import evaluate_enhancer
from scigan.enhance.train import train_enhancer

#: (warm-up steps, GAN steps, denoising steps, batch, width, SR patch) per mode; denoising
#: trains on 32-px patches (at scale 1 every layer runs at full resolution).
BUDGETS = {"quick": (300, 100, 300, 16, 16, 32), "full": (1200, 300, 600, 16, 32, 64)}
DENOISE_PATCH = 32


def noise_ceiling(config: TrainConfig) -> float:
    """The PSNR (dB) a perfect, noise-free estimate would score against the run's held-out
    picture, whose own noise caps every method: 20·log10(1/σ), σ by Immerkær's (1996)
    estimator (mean over channels)."""
    import numpy as np
    from scipy.signal import convolve2d

    from scigan.enhance.pairs import read_pairs, split_pairs

    scale, patch = config.task_options.scale, config.task_options.patch
    pairs, _, _ = read_pairs(config.data, config.task, scale)
    x = split_pairs(pairs, config.holdout, config.seed, patch, scale)[1][0].target
    m = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]])
    h, w = x.shape[:2]
    sigma = np.mean(
        [
            np.abs(convolve2d(x[..., c], m, mode="valid")).sum() * np.sqrt(np.pi / 2) / (6 * (h - 2) * (w - 2))
            for c in range(x.shape[2])
        ]
    )
    return float(20 * np.log10(1 / sigma))


def run(
    data: str, task: str, out: Path, steps: int, warmup: int, batch: int, width: int, patch: int, device: str, **extra
) -> tuple[TrainConfig, float]:
    """Train one run into ``out``; returns (its resolved config, seconds)."""
    config = TrainConfig.from_flat(
        data=data,
        task=task,
        steps=steps,
        warmup=warmup,
        batch_size=batch,
        width=width,
        patch=patch,
        device=device,
        progress=False,
        checkpoint_every=warmup if warmup < steps else steps,
        keep_checkpoints=2,
        sample_every=steps,
        log_every=50,
        **extra,
    )
    start = time.perf_counter()
    trained, _ = train_enhancer(config, out, log=lambda s: print("  " + s, flush=True))
    return trained.config, time.perf_counter() - start


def main() -> None:
    args = parse(parser(__doc__.splitlines()[0]))
    warmup, gan, denoise_steps, batch, width, patch = BUDGETS["quick" if args.quick else "full"]
    sources = ["nuclei"] if args.quick else ["nuclei", "ihc"]
    rows, results = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for data in sources:
            out = Path(tmp) / f"sr-{data}"
            config, seconds = run(
                data, "superres", out, warmup + gan, warmup, batch, width, patch, args.device, scale=4
            )
            pixel = evaluate_enhancer(out, checkpoint=str(warmup), device=args.device, log=print)
            srgan = evaluate_enhancer(out, checkpoint="latest", device=args.device, log=print)
            results[f"superres_x4_{data}"] = {
                "pixel": pixel,
                "srgan": srgan,
                "train_seconds": seconds,
                "ceiling": noise_ceiling(config),
            }
            rows += [
                {
                    "task": f"SR x4 {data}",
                    "method": "bicubic",
                    "psnr": pixel["psnr_baseline"],
                    "ssim": pixel["ssim_baseline"],
                },
                {
                    "task": f"SR x4 {data}",
                    "method": f"scigan L1 ({warmup} steps)",
                    "psnr": pixel["psnr"],
                    "ssim": pixel["ssim"],
                    "gain_db": pixel["psnr"] - pixel["psnr_baseline"],
                },
                {
                    "task": f"SR x4 {data}",
                    "method": f"scigan SRGAN (+{gan})",
                    "psnr": srgan["psnr"],
                    "ssim": srgan["ssim"],
                    "gain_db": srgan["psnr"] - srgan["psnr_baseline"],
                },
            ]
        out = Path(tmp) / "denoise"
        _, seconds = run(
            "nuclei", "denoise", out, denoise_steps, denoise_steps, batch, width, DENOISE_PATCH, args.device, sigma=25.0
        )
        dn = evaluate_enhancer(out, device=args.device, log=print)
        results["denoise_sigma25_nuclei"] = {"pixel": dn, "train_seconds": seconds}
        rows += [
            {
                "task": "denoise σ=25 nuclei",
                "method": "noisy input",
                "psnr": dn["psnr_baseline"],
                "ssim": dn["ssim_baseline"],
            },
            {
                "task": "denoise σ=25 nuclei",
                "method": f"scigan L1 ({denoise_steps} steps)",
                "psnr": dn["psnr"],
                "ssim": dn["ssim"],
                "gain_db": dn["psnr"] - dn["psnr_baseline"],
            },
        ]
    print(table(rows, ["task", "method", "psnr", "ssim", "gain_db"]))
    for key, r in results.items():
        if "ceiling" in r:
            print(f"{key}: the held-out target's own noise caps PSNR near {r['ceiling']:.1f} dB")
    summary = {
        "settings": {
            "warmup": warmup,
            "gan_steps": gan,
            "denoise_steps": denoise_steps,
            "batch": batch,
            "width": width,
            "patch": patch,
            "denoise_patch": DENOISE_PATCH,
            "quick": args.quick,
        }
    }
    for key, r in results.items():
        if "srgan" in r:
            p, g = r["pixel"], r["srgan"]
            summary[key] = {
                "bicubic_psnr": p["psnr_baseline"],
                "bicubic_ssim": p["ssim_baseline"],
                "pixel_psnr": p["psnr"],
                "pixel_ssim": p["ssim"],
                "pixel_gain_db": p["psnr"] - p["psnr_baseline"],
                "pixel_target_met": p["psnr"] >= p["psnr_baseline"] + 2,
                "srgan_psnr": g["psnr"],
                "srgan_ssim": g["ssim"],
                "srgan_psnr_cost_db": p["psnr"] - g["psnr"],
                "train_seconds": r["train_seconds"],
                "noise_ceiling_psnr": r["ceiling"],
            }
        else:
            d = r["pixel"]
            summary[key] = {
                "noisy_psnr": d["psnr_baseline"],
                "noisy_ssim": d["ssim_baseline"],
                "psnr": d["psnr"],
                "ssim": d["ssim"],
                "gain_db": d["psnr"] - d["psnr_baseline"],
                "train_seconds": r["train_seconds"],
            }
    write_json(args.json, summary, rows=rows)


if __name__ == "__main__":
    main()
