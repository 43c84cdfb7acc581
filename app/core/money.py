"""Money helpers: integer won only, split exactly."""


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` by the largest-remainder method.

    The parts always sum to `total` exactly. Ties in the remainders go to the lowest index first
    (callers pass weights in id order, so the lowest id wins), which makes the split deterministic.
    """
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("total and weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [0] * len(weights)
    parts = [total * w // weight_sum for w in weights]
    remainders = [(total * w % weight_sum, -i) for i, w in enumerate(weights)]
    for _rem, neg_i in sorted(remainders, reverse=True)[: total - sum(parts)]:
        parts[-neg_i] += 1
    return parts
