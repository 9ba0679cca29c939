"""The two probes of pixel features: a linear classifier trained on
labelled pixels, and a k-nearest-neighbour vote over a bank of them (no
training)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def fit_linear_probe(x: torch.Tensor, y: torch.Tensor, num_classes: int,
                     epochs: int = 10, lr: float = 1e-2,
                     batch_size: int = 4096, seed: int = 0) -> nn.Linear:
    """A linear classifier of pixels x (P, C) with labels y (P, ): Adam on
    the cross-entropy over mini-batches of pixels (seeded shuffles, zero
    init), on features standardised with their mean/std, which is folded
    into the returned layer (it takes raw features).

    The steps are too small to gain from threads, and lose much to them on
    busy cores, so the loop runs on one.
    """
    mean, std = x.mean(0), x.std(0).clamp(min=1e-6)
    linear = nn.Linear(x.shape[1], num_classes)
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    optimizer = torch.optim.Adam(linear.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for _ in range(epochs):
            for idx in torch.randperm(len(x), generator=generator).split(
                    batch_size):
                with torch.enable_grad():
                    loss = F.cross_entropy(
                        linear((x[idx] - mean) / std), y[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    finally:
        torch.set_num_threads(threads)
    with torch.no_grad():
        linear.weight.div_(std)
        linear.bias.sub_(linear.weight @ mean)
    return linear.requires_grad_(False)


@torch.no_grad()
def knn_predict(bank: torch.Tensor, bank_labels: torch.Tensor,
                queries: torch.Tensor, num_classes: int, k: int = 20,
                temperature: float = 0.07,
                chunk_size: int = 1024) -> torch.Tensor:
    """Labels (Q, ) of queries (Q, C) by their k most cosine-similar bank
    pixels (M, C): each neighbour votes for its label with weight
    ``exp(sim / temperature)``; the most voted class wins. The weights are
    computed relative to the nearest neighbour's (the same factor for every
    class of a query, so the same winner), which keeps a small temperature
    from overflowing them all to inf (a tie that class 0 would win)."""
    if k < 1 or not len(bank):
        raise ValueError(f'knn_predict: need k >= 1 and a non-empty bank, '
                         f'got k={k} and {len(bank)} bank pixels')
    if not 0 < temperature < float('inf'):
        raise ValueError('knn_predict: temperature must be a positive '
                         f'finite number, got {temperature}')
    bank = F.normalize(bank, dim=1)
    k = min(k, len(bank))
    out = []
    for chunk in F.normalize(queries, dim=1).split(chunk_size):
        sim, idx = (chunk @ bank.T).topk(k, dim=1)  # sorted, nearest first
        votes = torch.zeros(len(chunk), num_classes)
        votes.scatter_add_(1, bank_labels[idx],
                           ((sim - sim[:, :1]) / temperature).exp())
        out.append(votes.argmax(1))
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.long)
