"""The enhancement tasks' scores: PSNR and SSIM on the held-out pictures beside the
task's baseline (CycleGAN: of the A -> B -> A round trip against A). Standard library
only; ``Task.scores`` of the enhancement tasks."""

from scigan.metrics.registry import Score

SCORES: tuple[Score, ...] = (
    Score(
        "psnr",
        "PSNR (dB)",
        "higher",
        "10·log10(1/MSE) of the output against the target, mean over pictures",
        floor="psnr_baseline",
        floor_label="baseline",
        fmt=".2f",
    ),
    Score(
        "ssim",
        "SSIM",
        "higher",
        "structural similarity of output and target; 1 is identical",
        floor="ssim_baseline",
        floor_label="baseline",
        fmt=".4f",
    ),
    Score("cycle_psnr", "cycle PSNR (dB)", "higher", "PSNR of A -> B -> A against A", fmt=".2f"),
    Score("cycle_ssim", "cycle SSIM", "higher", "SSIM of A -> B -> A against A; 1 is identical", fmt=".4f"),
)
