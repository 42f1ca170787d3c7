"""Class consistency: a generator term that asks each conditional sample to be
recognised as its own class by a frozen classifier trained on real data alone.

This is the auxiliary-classifier loss of AC-GAN (Odena et al. 2017) with the classifier
kept out of the discriminator: it never sees a generated sample in training, so it
cannot learn the generator's mistakes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from scigan.core.phases import StepContext, Term
from scigan.errors import ScienceError


class ClassConsistency(Term):
    """``weight`` × the mean cross-entropy that ``classifier`` ((B, ...) samples in model
    space -> (B, C) logits) gives the generator's fakes for the labels (B,) they were
    generated for. The classifier is frozen and moved to the fakes' device on first use."""

    name = "class"

    def __init__(self, classifier: nn.Module, weight: float):
        if weight <= 0:
            raise ScienceError(f"class-consistency weight must be > 0, got {weight}")
        self.classifier = classifier.eval().requires_grad_(False)
        self.weight = weight

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        if ctx.fake_labels is None or ctx.fake_labels.ndim != 1:
            raise ScienceError("--class-consistency needs a conditional run on class labels; pass --conditional")
        fake = ctx.fake()
        if next(self.classifier.parameters()).device != fake.device:
            self.classifier.to(fake.device)
        logits = self.classifier(fake)
        return self.weight * F.cross_entropy(logits, ctx.fake_labels)
