"""The one exact split of reported revenue, used by the proposal page's worked example and by the real
distribution (app/distribution), so what people are shown is what they get.

    pool       = revenue x community_share_bp / 10000, rounded down
    pool parts = largest remainder over (proposer_bp, contributors_bp, backers_bp, commons_bp)
    contributors' part: largest remainder over their confirmed influence points
    backers' part: largest remainder over units held; a backer who has received
                   backers_cap_multiple_bp / 10000 times what they invested gets no more, and what they
                   would have got is shared again among the other backers, then goes to the commons fund
    withholding (people's income as backers only): gross x withholding_bp / 10000, rounded down, to tax payable

Every split sums exactly to its whole; ties go to the lowest key (callers list people in id order).
No part goes unpaid: a part with nobody to receive it (no contributors, no backers) goes to the
commons fund. Integers only.
"""
from dataclasses import dataclass, field

from app.core.money import allocate

BP = 10_000
ROLES = ("proposer", "contributor", "backer", "commons")


@dataclass(frozen=True)
class Terms:
    """The share terms as numbers (a ShareTerms row, or a report's frozen copy)."""

    community_share_bp: int
    proposer_bp: int
    contributors_bp: int
    backers_bp: int
    commons_bp: int
    backers_cap_multiple_bp: int | None = None

    @classmethod
    def of(cls, row) -> "Terms":
        """From any object with the six attributes."""
        return cls(row.community_share_bp, row.proposer_bp, row.contributors_bp, row.backers_bp, row.commons_bp,
                   row.backers_cap_multiple_bp)


@dataclass(frozen=True)
class Backer:
    """A holder of units: `key` names them (("user", 7) or ("organization", 3)), in the order ties favour."""

    key: tuple
    units: int
    invested_amount: int = 0
    #: what their units have earned from earlier reports (gross), counted against the cap
    received_amount: int = 0


@dataclass(frozen=True)
class Line:
    """One person's (or the commons fund's) part of a pool."""

    role: str
    key: tuple | None
    weight: int
    gross_amount: int
    withheld_amount: int = 0
    #: for backers under a cap: the most they may ever receive, and what they had received before
    cap_amount: int | None = None
    received_before_amount: int = 0

    @property
    def net_amount(self) -> int:
        """What reaches the wallet."""
        return self.gross_amount - self.withheld_amount


@dataclass
class Split:
    """A pool split exactly: its lines (people first, the commons fund last) and the parts per role."""

    revenue_amount: int
    pool_amount: int
    parts: dict[str, int]
    lines: list[Line] = field(default_factory=list)
    #: the backers' part that went to the commons fund because every backer had reached the cap (or none held units)
    capped_to_commons_amount: int = 0

    def total(self, role: str) -> int:
        """Gross won going to a role."""
        return sum(line.gross_amount for line in self.lines if line.role == role)

    @property
    def withheld_amount(self) -> int:
        """Tax withheld from backers' income."""
        return sum(line.withheld_amount for line in self.lines)


def pool_of(revenue_amount: int, community_share_bp: int) -> int:
    """The community's pool of a revenue report: rounded down (the rule printed on every statement)."""
    if revenue_amount < 0:
        raise ValueError("revenue cannot be negative")
    return revenue_amount * community_share_bp // BP


def capped_shares(total: int, backers: list[Backer], cap_multiple_bp: int | None) -> tuple[list[int], int]:
    """The backers' part split by units, each within their cap: (share per backer, left over for the commons).

    Repeated largest-remainder rounds: whoever a round would take past their cap gets their room only,
    the excess is split again among those with room left; the loop ends when nobody passes a cap.
    """
    shares = [0] * len(backers)
    if cap_multiple_bp is None:
        room = [None] * len(backers)
    else:
        room = [max(b.invested_amount * cap_multiple_bp // BP - b.received_amount, 0) for b in backers]
    active = [i for i, b in enumerate(backers) if b.units > 0 and (room[i] is None or room[i] > 0)]
    remaining = total
    while remaining > 0 and active:
        parts = allocate(remaining, [backers[i].units for i in active])
        remaining, still = 0, []
        for i, part in zip(active, parts):
            give = part if room[i] is None else min(part, room[i] - shares[i])
            shares[i] += give
            remaining += part - give
            if room[i] is None or shares[i] < room[i]:
                still.append(i)
        if len(still) == len(active):
            break  # nobody reached a cap: the split is final (and `remaining` is 0)
        active = still
    return shares, remaining


def split_pool(revenue_amount: int, terms: Terms, *, proposer: tuple | None,
               contributors: list[tuple[tuple, int]], backers: list[Backer], withholding_bp: int = 0) -> Split:
    """The exact split of one report's pool among the proposer, contributors (key, points), backers and commons."""
    pool = pool_of(revenue_amount, terms.community_share_bp)
    keys = ("proposer", "contributor", "backer", "commons")
    parts = dict(zip(keys, allocate(pool, [terms.proposer_bp, terms.contributors_bp, terms.backers_bp,
                                           terms.commons_bp])))
    result = Split(revenue_amount, pool, parts)
    commons = parts["commons"]
    if proposer is not None and parts["proposer"]:
        result.lines.append(Line("proposer", proposer, 1, parts["proposer"]))
    else:
        commons += parts["proposer"]
    counted = [(key, points) for key, points in contributors if points > 0]
    if counted and parts["contributor"]:
        for (key, points), amount in zip(counted, allocate(parts["contributor"], [p for _k, p in counted])):
            if amount:
                result.lines.append(Line("contributor", key, points, amount))
    else:
        commons += parts["contributor"]
    holders = [b for b in backers if b.units > 0]
    shares, left = capped_shares(parts["backer"], holders, terms.backers_cap_multiple_bp)
    for backer, amount in zip(holders, shares):
        if amount:
            # income tax is withheld from people; organizations (cities, companies) account for their own
            cap = (backer.invested_amount * terms.backers_cap_multiple_bp // BP
                   if terms.backers_cap_multiple_bp is not None else None)
            withheld = amount * withholding_bp // BP if backer.key[0] == "user" else 0
            result.lines.append(Line("backer", backer.key, backer.units, amount, withheld, cap, backer.received_amount))
    result.capped_to_commons_amount = left
    commons += left
    if commons:
        result.lines.append(Line("commons", None, 1, commons))
    assert sum(line.gross_amount for line in result.lines) == pool
    return result
