"""CTGAN's conditional vector with training-by-sampling (Xu et al. 2019), over every
discrete column of a table.

Each training row of a batch draws one *option* uniformly: one of the generated
discrete columns, or the label option (the label column of a conditional run; "no
column" otherwise). It then draws a category of that option in proportion to the log
of its frequency (so rare categories are asked for far more often than they occur),
and a real training row holding that category. The condition is the row's label
one-hot (conditional runs) followed by a mask over all discrete columns' categories
with a 1 at the asked category (all zeros for the label option). The critic sees the
condition beside each row, the generator gets it as input, and :class:`ConditionLoss`
makes the generator output the asked category.

Sampling later gives the generator only a label (or nothing): its mask is all zeros,
the condition the label option trained it for, under which real rows are drawn in the
label's own proportions.
"""

from __future__ import annotations

import numpy as np
import torch

from scigan.core.phases import ConditionLoss, Phase, StepContext, StepHook, Term

#: The name the sampler's (empty) state is saved under in checkpoints.
HOOK_NAME = "conditions"


def log_frequency(counts: np.ndarray) -> np.ndarray:
    """Probabilities (K,) proportional to log(1 + count) of each category (K,)."""
    weight = np.log1p(np.asarray(counts, dtype=np.float64))
    return weight / weight.sum()


class ConditionSampler(StepHook):
    """Draws conditions and matching real rows for every step (a trainer step hook).

    Args:
        rows: the training rows in model space (N, W), as the trainer holds them.
        codes: (N, k) int category index of each row in each generated discrete column.
        sizes: the number of categories of each of those k columns.
        positions: (sum of sizes,) the model-space column of each category, in mask order.
        labels: (N,) int labels of a conditional run, else None.
        num_classes: label values (0 when unconditional).
    """

    name = HOOK_NAME

    def __init__(
        self,
        rows: np.ndarray,
        codes: np.ndarray,
        sizes: list[int],
        positions: np.ndarray,
        labels: np.ndarray | None,
        num_classes: int,
    ):
        n = len(rows)
        self.num_classes, self.width = num_classes, int(sum(sizes))
        options = [labels if labels is not None else np.zeros(n, dtype=np.int64)]
        options += [codes[:, j] for j in range(codes.shape[1])]
        option_sizes = [max(num_classes, 1), *sizes]
        self.mask_offset = torch.tensor([0, *np.cumsum([0, *sizes[:-1]]).tolist()])  # option 0 has no mask
        self.has_mask = torch.tensor([False] + [True] * len(sizes))
        probs = np.zeros((len(options), max(option_sizes)))
        pool: list[np.ndarray] = []  # per (option, category): the rows holding it
        start: list[int] = []
        count: list[int] = []
        for o, (values, size) in enumerate(zip(options, option_sizes)):
            counts = np.bincount(values, minlength=size)
            probs[o, :size] = log_frequency(counts)
            for c in range(size):
                members = np.flatnonzero(values == c)
                start.append(sum(len(p) for p in pool))
                count.append(len(members))
                pool.append(members)
        self.probs = torch.from_numpy(probs).float()
        self.group_offset = torch.tensor(np.cumsum([0, *option_sizes[:-1]]))
        self.pool = torch.from_numpy(np.concatenate(pool)).long()
        self.start, self.count = torch.tensor(start), torch.tensor(count)
        self.rows = torch.from_numpy(np.asarray(rows, dtype=np.float32))
        self.labels = None if labels is None else torch.from_numpy(labels).long()
        self.positions = torch.from_numpy(np.asarray(positions, dtype=np.int64))

    def to(self, device: torch.device) -> ConditionSampler:
        """Move every table to ``device`` (in place); returns self."""
        for key, value in vars(self).items():
            if isinstance(value, torch.Tensor):
                setattr(self, key, value.to(device))
        return self

    def draw(self, rng: torch.Generator, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` (row index (n,), condition (n, num_classes + width)) pairs, all drawn
        from ``rng``: an option uniformly, a category by log-frequency, then a real row
        holding it uniformly."""
        device = self.probs.device
        option = torch.randint(len(self.probs), (n,), generator=rng, device=device)
        category = torch.multinomial(self.probs[option], 1, generator=rng)[:, 0]
        group = self.group_offset[option] + category
        pick = (torch.rand(n, generator=rng, device=device) * self.count[group]).long()
        index = self.pool[self.start[group] + torch.minimum(pick, self.count[group] - 1)]
        parts = []
        if self.num_classes:
            assert self.labels is not None, "a labelled sampler is built with labels"
            parts.append(torch.nn.functional.one_hot(self.labels[index], self.num_classes).float())
        mask = torch.zeros(n, self.width, device=device)
        asked = self.has_mask[option]
        rows_asked = torch.arange(n, device=device)[asked]
        mask[rows_asked, self.mask_offset[option[asked]] + category[asked]] = 1.0
        return index, torch.cat([*parts, mask], dim=1)

    def terms(self, weight: float = 1.0) -> list[Term]:
        """The generator-phase term: cross-entropy that the asked category is generated."""
        return [ConditionLoss(self.positions, weight)]

    # ---- the step-hook interface ---------------------------------------------------------
    def prepare(self, phase: Phase, ctx: StepContext) -> None:
        """Replace the step's real batch by rows drawn for fresh conditions; the fakes of
        the critic phase get the same conditions, those of the generator phase new ones."""
        if self.rows.device != ctx.real.device:
            self.to(ctx.real.device)
        index, condition = self.draw(ctx.rng, ctx.real.shape[0])
        ctx.real, ctx.labels = self.rows[index].to(ctx.real.dtype), condition
        ctx.fake_labels = self.draw(ctx.rng, ctx.z.shape[0])[1] if phase.trains_generator else condition
