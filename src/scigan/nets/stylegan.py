"""A small style-based generator (StyleGAN2, Karras et al., 2020) for 32–64 px on a CPU.

* Mapping network: z (pixel-normalised; with a class embedding appended when
  conditional) -> w through 4 fully connected layers learning at 1/100 of the
  optimiser's rate (equalised learning rate with StyleGAN's multiplier 0.01).
* Synthesis network: a learned constant at the start size (4×4 or 7×7), then per ×2
  stage two 3×3 modulated convolutions (weights scaled per sample by an affine map of
  w and demodulated), each followed by a per-pixel noise input with a learned strength,
  a bias and a leaky ReLU; skip connections sum every stage's to-RGB output (modulated,
  not demodulated), tanh at the end. Each convolution reads its own w (``num_ws`` of
  them), which is what makes style mixing possible.
* Style mixing regularisation: in training mode, with probability 0.9 a batch uses
  the w of a second latent from a random layer on.

Randomness: in training mode the noise inputs and mixing latents come from the
network's own generator, reseeded from images seen before every step by the trainer's
step hook (``set_progress``, see :class:`scigan.nets.progress.ProgressHook`), so resume
stays exact; in eval mode the noise is a fixed buffer per layer (sampling and editing are deterministic given z).

The discriminator is the resnet architecture's (StyleGAN2 uses a residual D too).
Left out: path-length regularisation, equalised learning rate outside the mapping
network, the truncation trick.
"""

from __future__ import annotations

from itertools import pairwise

import torch
import torch.nn.functional as F
from torch import nn

from scigan.nets.dcgan import channel_plan
from scigan.nets.resnet import ResNetDiscriminator
from scigan.nets.spec import NetSpec, upsampling_plan

MIXING_PROBABILITY = 0.9
MAPPING_LAYERS = 4
MAPPING_LR = 0.01
"""Learning-rate multiplier of the mapping network (StyleGAN's equalised-lr trick): w
moves slowly, so the latents stay spread while the synthesis network learns."""


class MappingLinear(nn.Linear):
    """A linear layer whose effective learning rate (under Adam) is ``lr_mul`` times the
    optimiser's: weights are stored divided by it and scaled back, with the
    sqrt(2 / fan_in) of equalised learning rate (He gain, for the leaky ReLU after it),
    in the forward pass, so w keeps the unit scale of the normalised z."""

    def __init__(self, cin: int, cout: int, lr_mul: float):
        super().__init__(cin, cout)
        self.lr_mul = lr_mul
        with torch.no_grad():
            self.weight.normal_().div_(lr_mul)
            self.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * (self.lr_mul * (2 / self.in_features) ** 0.5), self.bias * self.lr_mul)


class ModulatedConv2d(nn.Module):
    """x (N, cin, H, W), w (N, w_dim) -> (N, cout, H, W): a k×k convolution whose input
    channels are scaled by ``affine(w)`` per sample and, with ``demodulate``, whose
    outputs are rescaled to unit expected variance (computed as scale-conv-rescale,
    which equals StyleGAN2's per-sample weights)."""

    def __init__(self, cin: int, cout: int, kernel: int, w_dim: int, demodulate: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, kernel, kernel) / (cin * kernel * kernel) ** 0.5)
        self.affine = nn.Linear(w_dim, cin)  # styles start at 1 ± O(1) across w
        nn.init.normal_(self.affine.weight, std=w_dim**-0.5)
        nn.init.ones_(self.affine.bias)
        self.demodulate = demodulate
        self.padding = kernel // 2

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        style = self.affine(w)  # (N, cin)
        out = F.conv2d(x * style[:, :, None, None], self.weight, padding=self.padding)
        if self.demodulate:
            energy = style.square() @ self.weight.square().sum(dim=(2, 3)).t()  # (N, cout)
            out = out * torch.rsqrt(energy + 1e-8)[:, :, None, None]
        return out


class StyleLayer(nn.Module):
    """Modulated 3×3 convolution (after a ×2 bilinear upsampling when ``up``), noise
    input, bias, leaky ReLU. The eval-mode noise is the fixed buffer ``noise`` (1, 1, r, r)."""

    noise: torch.Tensor

    def __init__(self, cin: int, cout: int, w_dim: int, resolution: int, up: bool):
        super().__init__()
        self.conv = ModulatedConv2d(cin, cout, 3, w_dim)
        self.up = up
        self.noise_strength = nn.Parameter(torch.zeros(()))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.register_buffer("noise", torch.randn(1, 1, resolution, resolution))

    def forward(self, x: torch.Tensor, w: torch.Tensor, rng: torch.Generator | None) -> torch.Tensor:
        if self.up:
            x = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
        h = self.conv(x, w)
        noise = (
            self.noise
            if rng is None
            else torch.randn(h.shape[0], 1, *h.shape[2:], generator=rng, device=h.device, dtype=h.dtype)
        )
        return F.leaky_relu(h + self.noise_strength * noise + self.bias[:, None, None], 0.2)


class StyleGenerator(nn.Module):
    """z (N, z_dim) [+ y (N,)] -> (N, C, size, size) in [-1, 1].

    Editing API: :meth:`mapping` (z, y -> w (N, z_dim)), :meth:`synthesis`
    (ws (N, num_ws, z_dim) -> images), ``num_ws``.
    """

    def __init__(self, spec: NetSpec):
        super().__init__()
        self.start, stages = upsampling_plan(spec.size, "stylegan")
        ch = channel_plan(spec, stages)
        w_dim = spec.z_dim
        self.embed = nn.Embedding(spec.num_classes, w_dim) if spec.num_classes else None
        dims = [w_dim * (2 if spec.num_classes else 1)] + [w_dim] * MAPPING_LAYERS
        self.mapping_net = nn.Sequential(
            *(m for a, b in pairwise(dims) for m in (MappingLinear(a, b, MAPPING_LR), nn.LeakyReLU(0.2)))
        )
        self.const = nn.Parameter(torch.randn(1, ch[0], self.start, self.start))
        layers = [StyleLayer(ch[0], ch[0], w_dim, self.start, up=False)]
        rgb = [ModulatedConv2d(ch[0], spec.channels, 1, w_dim, demodulate=False)]
        for i, (a, b) in enumerate(pairwise(ch), start=1):
            r = self.start * 2**i
            layers += [StyleLayer(a, b, w_dim, r, up=True), StyleLayer(b, b, w_dim, r, up=False)]
            rgb.append(ModulatedConv2d(b, spec.channels, 1, w_dim, demodulate=False))
        self.layers, self.to_rgb = nn.ModuleList(layers), nn.ModuleList(rgb)
        self.num_ws = len(layers)
        self._rng: torch.Generator | None = None

    def set_progress(self, images: int) -> dict[str, float]:
        """Reseed the training-mode noise and mixing draws from ``images`` seen."""
        self._rng = torch.Generator(device=self.const.device)
        self._rng.manual_seed(images)
        return {}

    def mapping(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Latents z (N, z_dim) and labels (N,) or None -> styles w (N, z_dim)."""
        h = z * torch.rsqrt(z.square().mean(dim=1, keepdim=True) + 1e-8)
        if self.embed is not None:
            e = self.embed(y)
            h = torch.cat([h, e * torch.rsqrt(e.square().mean(dim=1, keepdim=True) + 1e-8)], dim=1)
        return self.mapping_net(h)

    def synthesis(self, ws: torch.Tensor) -> torch.Tensor:
        """Per-layer styles ws (N, num_ws, z_dim) -> images (N, C, size, size) in [-1, 1]."""
        rng = self._generator() if self.training else None
        h = self.const.expand(ws.shape[0], -1, -1, -1)
        image: torch.Tensor | None = None
        for i, layer in enumerate(self.layers):
            h = layer(h, ws[:, i], rng)
            if i % 2 == 0:  # the last layer of a resolution: add its RGB to the upsampled sum
                if image is not None:
                    image = F.interpolate(image, scale_factor=2.0, mode="bilinear", align_corners=False)
                rgb = self.to_rgb[i // 2](h, ws[:, i])
                image = rgb if image is None else image + rgb
        assert image is not None  # layer 0 always adds its RGB
        return torch.tanh(image)

    def _generator(self) -> torch.Generator:
        if self._rng is None:
            self.set_progress(0)
        assert self._rng is not None  # set by set_progress
        return self._rng

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        w = self.mapping(z, y)
        ws = w[:, None].expand(-1, self.num_ws, -1)
        if self.training:
            rng = self._generator()
            draws = torch.rand(2, generator=rng, device=z.device)
            if draws[0] < MIXING_PROBABILITY:
                cutoff = 1 + int(draws[1] * (self.num_ws - 1))
                z2 = torch.randn(z.shape, generator=rng, device=z.device, dtype=z.dtype)
                w2 = self.mapping(z2, y)[:, None].expand(-1, self.num_ws - cutoff, -1)
                ws = torch.cat([ws[:, :cutoff], w2], dim=1)
        return self.synthesis(ws)


def build(spec: NetSpec) -> tuple[nn.Module, nn.Module]:
    """The style-based generator and the resnet discriminator for ``spec``."""
    return StyleGenerator(spec), ResNetDiscriminator(spec)
