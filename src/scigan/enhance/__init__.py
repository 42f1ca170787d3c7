"""Image enhancement and translation: degradations that make training pairs from the
user's clean images, paired-patch training on the core Trainer, tiled inference on
images of any size, and image-quality metrics (PSNR, SSIM)."""
