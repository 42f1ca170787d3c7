"""The molecule networks: MolGAN's (model ``molgan``) and LatentGAN's (``latentgan``).

MolGAN (De Cao & Kipf 2018): an MLP maps z to node-type logits (A, T+1) and bond-type
logits (4, A, A), symmetrised, each relaxed by a softmax, a Gumbel-softmax or a
straight-through Gumbel-softmax whose noise follows z (:mod:`scigan.nets.noise`). The
critic is a relational GCN: two graph convolutions (one weight per bond type plus a
self-connection, tanh), a gated sum over nodes to one graph vector (the paper's
aggregation), an MLP and a projection head for labels. The same body with a sigmoid
head is the reward network, which lives inside the critic module (``D.reward``) so it
is saved, restored and optimised with it (:mod:`.reward`).

LatentGAN (Prykhodko et al. 2019): MLPs on the autoencoder's latent codes, the
generator ending in tanh (the codes are in [-1, 1]).
"""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn

from scigan.nets.layers import ProjectionHead
from scigan.nets.noise import gumbel_noise, relax

#: The graph convolutions' widths and the graph vector's, at --width 32 (MolGAN's
#: (128, 64) and 128 scaled by width / 64).
GCN_WIDTHS, AGGREGATE = (2, 1), 2


class GraphGenerator(nn.Module):
    """(z (N, z_dim), y (N,) or None) -> relaxed graphs (N, A·(T+1) + 4·A·A)."""

    def __init__(
        self,
        z_dim: int,
        max_atoms: int,
        node_channels: int,
        bond_channels: int,
        num_classes: int,
        width: int,
        *,
        relaxation: str = "straight",
        temperature: float = 1.0,
    ):
        super().__init__()
        self.a, self.t, self.b = max_atoms, node_channels, bond_channels
        self.embed = nn.Embedding(num_classes, z_dim) if num_classes else None
        dims = [z_dim, 4 * width, 8 * width, 16 * width]
        layers: list[nn.Module] = []
        for d_in, d_out in pairwise(dims):
            layers += [nn.Linear(d_in, d_out), nn.Tanh()]
        self.body = nn.Sequential(*layers)
        self.nodes = nn.Linear(dims[-1], max_atoms * node_channels)
        self.bonds = nn.Linear(dims[-1], bond_channels * max_atoms * max_atoms)
        self.relaxation, self.temperature = relaxation, temperature

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = z if self.embed is None or y is None else z + self.embed(y)
        h = self.body(h)
        nodes = self.nodes(h).view(-1, self.a, self.t)
        bonds = self.bonds(h).view(-1, self.b, self.a, self.a)
        bonds = (bonds + bonds.transpose(2, 3)) / 2
        node_noise = bond_noise = None
        if self.relaxation != "softmax":
            node_noise = gumbel_noise(z, tuple(nodes.shape), key=1)
            upper = gumbel_noise(z, tuple(bonds.shape), key=2).triu(1)
            bond_noise = upper + upper.transpose(2, 3)  # one draw per atom pair
        nodes = relax(nodes, node_noise, self.relaxation, self.temperature, dim=-1)
        bonds = relax(bonds, bond_noise, self.relaxation, self.temperature, dim=1)
        return torch.cat([nodes.flatten(1), bonds.flatten(1)], 1)


class GraphEncoder(nn.Module):
    """MolGAN's relational GCN: graphs (N, A·(T+1) + 4·A·A) -> graph vectors (N, width·AGGREGATE)."""

    def __init__(self, max_atoms: int, node_channels: int, bond_channels: int, width: int):
        super().__init__()
        self.a, self.t, self.b = max_atoms, node_channels, bond_channels
        widths = [node_channels, *(w * width for w in GCN_WIDTHS)]
        # one linear map per bond type (no-bond channel excluded) and one for the node itself
        self.relations = nn.ModuleList(nn.Linear(d_in, d_out * (bond_channels - 1)) for d_in, d_out in pairwise(widths))
        self.selves = nn.ModuleList(nn.Linear(d_in, d_out) for d_in, d_out in pairwise(widths))
        feature = widths[-1] + node_channels
        self.gate = nn.Linear(feature, AGGREGATE * width)
        self.value = nn.Linear(feature, AGGREGATE * width)
        self.out_features = AGGREGATE * width

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, t, b = self.a, self.t, self.b
        nodes = x[:, : a * t].reshape(-1, a, t)
        adjacency = x[:, a * t :].reshape(-1, b, a, a)[:, 1:]  # (N, B-1, A, A): the bond types
        h = nodes
        for relation, self_map in zip(self.relations, self.selves):
            messages = relation(h).view(len(x), a, b - 1, -1).permute(0, 2, 1, 3)  # (N, B-1, A, D)
            h = torch.tanh(self_map(h) + torch.einsum("nbij,nbjd->nid", adjacency, messages))
        hx = torch.cat([h, nodes], -1)
        pooled = (torch.sigmoid(self.gate(hx)) * torch.tanh(self.value(hx))).sum(1)
        return torch.tanh(pooled)


class GraphCritic(nn.Module):
    """(graphs (N, width_in), y (N,) or None) -> scores (N,); ``reward`` holds the reward
    network (None without --reward)."""

    def __init__(
        self, max_atoms: int, node_channels: int, bond_channels: int, num_classes: int, width: int, reward: bool
    ):
        super().__init__()
        self.encoder = GraphEncoder(max_atoms, node_channels, bond_channels, width)
        f = self.encoder.out_features
        self.mlp = nn.Sequential(nn.Linear(f, f), nn.Tanh(), nn.Linear(f, f // 2), nn.Tanh())
        self.head = ProjectionHead(f // 2, num_classes, False)
        self.reward = RewardNetwork(max_atoms, node_channels, bond_channels, width) if reward else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.mlp(self.encoder(x)), y)


class RewardNetwork(nn.Module):
    """MolGAN's reward network: graphs -> a predicted normalised score in (0, 1) (N,)."""

    def __init__(self, max_atoms: int, node_channels: int, bond_channels: int, width: int):
        super().__init__()
        self.encoder = GraphEncoder(max_atoms, node_channels, bond_channels, width)
        f = self.encoder.out_features
        self.mlp = nn.Sequential(nn.Linear(f, f), nn.Tanh(), nn.Linear(f, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.mlp(self.encoder(x))).squeeze(1)


class LatentGenerator(nn.Module):
    """(z (N, z_dim), y (N,) or None) -> latent codes (N, latent_dim) in (-1, 1)."""

    def __init__(self, z_dim: int, latent_dim: int, num_classes: int, width: int):
        super().__init__()
        self.embed = nn.Embedding(num_classes, z_dim) if num_classes else None
        hidden = 8 * width
        self.body = nn.Sequential(
            nn.Linear(z_dim, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, latent_dim),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.body(z if self.embed is None or y is None else z + self.embed(y))


class LatentCritic(nn.Module):
    """(latent codes (N, latent_dim), y (N,) or None) -> scores (N,)."""

    def __init__(self, latent_dim: int, num_classes: int, width: int):
        super().__init__()
        hidden = 8 * width
        self.body = nn.Sequential(
            nn.Linear(latent_dim, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
        )
        self.head = ProjectionHead(hidden, num_classes, False)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.body(x), y)
