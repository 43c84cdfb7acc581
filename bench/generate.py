"""The rows of the benchmark dataset, as the idea lifecycle would have left them; bench/data.py writes them.

Each idea gets a "support potential" from a heavy-tailed law; its supports arrive front-loaded over
the support window (cumulative share (t/W)^0.6). An idea whose potential reaches the threshold in
time is shortlisted at the moment of its threshold-th support (and keeps collecting, more slowly);
one that does not is archived at its deadline; the young ones are open. The potential's scale is
solved for so the total is exactly --supports. Not a script.
"""
import math
import random
import time
from bisect import bisect_right
from collections import Counter
from itertools import accumulate

import numpy as np

from bench.bulk import Writer, ts
from bench.corpus import Corpus
from bench.proposals import ProposalRows

#: the board's default states (app.ideas.states.ACTIVE; the generator stays free of the app)
ACTIVE = ("open", "shortlisted", "adopted")

DAY = 86400.0
HISTORY_DAYS = 730
SHAPE = 0.6            # supports in the window: cumulative share (t / W) ** SHAPE
NEGLECTED = 0.3        # share of ideas almost nobody supports
TAIL = 1.8             # Lomax shape of the others' potential
AFTER_WINDOW = 0.25    # a shortlisted idea gathers up to this share again over the next 180 days
WITHDRAWN, HIDDEN = 0.005, 0.002
UNVERIFIED = 0.03      # users who never confirmed their address (and never act)
HOT_SECONDS = 45000    # app/ideas/operations.py
#: residents in 10,000s, so cities post ideas in proportion to their size
POPULATION = {
    "suwon": 119, "seongnam": 92, "uijeongbu": 46, "anyang": 55, "bucheon": 79, "gwangmyeong": 28, "pyeongtaek": 58,
    "dongducheon": 9, "ansan": 64, "goyang": 107, "gwacheon": 8, "guri": 19, "namyangju": 73, "osan": 23,
    "siheung": 51, "gunpo": 27, "uiwang": 16, "hanam": 33, "yongin": 107, "paju": 49, "icheon": 22, "anseong": 19,
    "gimpo": 48, "hwaseong": 93, "gwangju": 39, "yangju": 24, "pocheon": 15, "yeoju": 11, "yeoncheon": 4,
    "gapyeong": 6, "yangpyeong": 12,
}
SURNAMES = "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 홍 전 고 문 양 손 배 백 허 남 심".split()
GIVEN = ("민준 서연 도윤 하은 시우 지우 예준 수아 지호 지민 현우 서윤 은우 채원 준서 하린 건우 소율 우진 다은 "
         "영수 정희 상철 미숙 성민 은정 동현 혜진 재훈 수빈").split()


def _step(label: str, started: float) -> float:
    """Print how long a step took; return the time now."""
    now = time.perf_counter()
    print(f"  {label} in {now - started:.1f}s", flush=True)
    return now


class Dataset:
    """Plans every row from one seeded random generator, then writes them."""

    def __init__(self, rng: random.Random, rules: dict, *, ideas: int, users: int, supports: int, comments: int,
                 proposals: int, password: str):
        """Keep the sizes and the rules in force (threshold, window, answer days)."""
        self.rng, self.np = rng, np.random.default_rng(rng.randrange(2**32))
        self.n_ideas, self.n_users, self.n_supports = ideas, users, supports
        self.n_comments, self.n_proposals, self.password = comments, proposals, password
        self.T, self.W, self.A = rules["threshold"], rules["window_days"] * DAY, rules["answer_days"] * DAY
        self.categories, self.municipalities = rules["categories"], rules["municipalities"]
        self.now = time.time() - 60
        self.start = self.now - HISTORY_DAYS * DAY
        self.corpus = Corpus(rng)

    # -- users -------------------------------------------------------------------------------------------

    def _users(self, w: Writer) -> None:
        """Users (a few stewards and experts, 3% never verified), one password hash for all, their roles."""
        from werkzeug.security import generate_password_hash

        rng, base = self.rng, w.next_id("users")
        hashed = generate_password_hash(self.password, method="scrypt")
        n = self.n_users
        self.user_ids = list(range(base, base + n))
        verified = int(n * (1 - UNVERIFIED))
        self.pool = self.user_ids[:verified]  # everyone who acts
        self.stewards = self.pool[:max(2, n // 1000)]
        self.experts = self.pool[len(self.stewards):len(self.stewards) + max(5, n // 130)]
        self.reps = self.pool[len(self.stewards) + len(self.experts):][:len(self.municipalities)]

        def rows():
            """One users row per id."""
            for i, uid in enumerate(self.user_ids):
                created = self.start - rng.uniform(1, 60) * DAY
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                yield (uid, f"user{uid}@bench.gops.kr", name, hashed, "ko" if rng.random() < 0.95 else "en",
                       w.value(ts(created)), w.value(ts(created + rng.uniform(60, 3600))) if i < verified else None,
                       "general", "immediate" if rng.random() < 0.8 else "daily")

        w.rows("users", ("id", "email", "display_name", "password_hash", "locale", "created_at", "verified_at",
                         "investor_category", "notification_mode"), rows())
        granted = w.value(ts(self.start - DAY))
        roles = [(u, "citizen", granted) for u in self.user_ids]
        roles += [(u, "steward", granted) for u in self.stewards] + [(u, "expert", granted) for u in self.experts]
        w.rows("user_roles", ("user_id", "role", "granted_at"), roles)

    # -- ideas: timeline, states, counts -----------------------------------------------------------------

    def _plan(self) -> None:
        """Creation times, potentials, states and support counts of every idea."""
        g, n, T, W, now = self.np, self.n_ideas, self.T, self.W, self.now
        self.created = np.sort(g.uniform(self.start, now - 600, n))
        age = now - self.created
        special = g.random(n)
        self.withdrawn, self.hidden = special < WITHDRAWN, (special >= WITHDRAWN) & (special < WITHDRAWN + HIDDEN)
        others = ~(self.withdrawn | self.hidden)
        self.ended = self.created + g.random(n) * np.minimum(age, W)  # withdrawn or hidden at
        neglected = g.random(n) < NEGLECTED
        small = np.floor(g.exponential(0.7, n))
        lomax = (1 - g.random(n)) ** (-1 / TAIL) - 1
        cap = len(self.pool) - 1
        extra_share = AFTER_WINDOW * g.uniform(0.3, 1.7, n)

        def counts(scale: float, end: np.ndarray):
            """States and support counts when potentials are scaled by `scale` (adopted ideas stop at `end`)."""
            dl = np.minimum(np.where(neglected, small, np.floor(scale * lomax)), cap)
            with np.errstate(divide="ignore"):
                tau = W * (T / np.maximum(dl, 1e-9)) ** (1 / SHAPE)
            short = others & (dl >= T) & (self.created + tau <= now)
            archived = others & ~short & (age >= W)
            opened = others & ~short & ~archived
            stop = np.where(archived, self.created + W, np.where(others, end, self.ended))
            window = np.minimum(stop - self.created, W)
            c_w = np.floor(dl * (window / W) ** SHAPE)
            c_w = np.where(short, np.maximum(c_w, T), np.where(opened | ~others, np.minimum(c_w, T - 1), c_w))
            after = np.clip((stop - self.created - W) / (180 * DAY), 0, 1)
            extra = np.where(short, np.floor(dl * extra_share * after), 0)
            return dl, tau, short, archived, opened, stop, c_w, np.minimum(c_w + extra, cap)

        end = np.full(n, now)
        lo, hi = 0.01, 10_000.0
        for _ in range(60):
            mid = math.sqrt(lo * hi)
            lo, hi = (mid, hi) if counts(mid, end)[-1].sum() < self.n_supports else (lo, mid)
        scale = hi
        short = counts(scale, end)[2]
        self._adopt(short, counts(scale, end)[1])
        end = np.where(self.adopted, self.adopted_at, now)
        dl, self.tau, short, self.archived, self.open, self.stop, self.c_window, total = counts(scale, end)
        self.shortlisted = short & ~self.adopted
        self.support_count = total.astype(np.int64)
        self._exact_total()

    def _adopt(self, short: np.ndarray, tau: np.ndarray) -> None:
        """Pick the ideas experts adopted (shortlisted a week ago or more), and when."""
        g, n = self.np, self.n_ideas
        self.shortlisted_at = np.where(short, self.created + tau, np.nan)
        eligible = np.flatnonzero(short & (self.now - self.shortlisted_at >= 7 * DAY))
        k = min(self.n_proposals, len(eligible))
        self.adopted = np.zeros(n, bool)
        self.adopted_at = np.full(n, np.nan)
        if k:
            chosen = g.choice(eligible, size=k, replace=False)
            self.adopted[chosen] = True
            since = self.now - self.shortlisted_at[chosen]
            self.adopted_at[chosen] = self.shortlisted_at[chosen] + np.clip(since * g.uniform(0.05, 0.6, k),
                                                                            DAY, 120 * DAY)
        if k < self.n_proposals:
            print(f"  only {k} ideas were shortlisted long enough to be adopted; {k} proposals", flush=True)

    def _exact_total(self) -> None:
        """Nudge archived ideas' counts (never across the threshold) so the total is exactly --supports."""
        diff = int(self.n_supports - self.support_count.sum())
        archived = np.flatnonzero(self.archived)
        rng = self.rng
        for _ in range(20 * abs(diff) + 1000):  # bounded: tiny datasets may have no room left
            if not (diff and len(archived)):
                break
            i = archived[rng.randrange(len(archived))]
            if diff > 0 and self.support_count[i] < self.T - 1:
                self.support_count[i] += 1
                self.c_window[i] += 1
                diff -= 1
            elif diff < 0 and self.support_count[i] > 0:
                self.support_count[i] -= 1
                self.c_window[i] -= 1
                diff += 1
        if diff:
            print(f"  {self.n_supports - diff:,} supports: no room for {diff:+,} more under the rules", flush=True)

    def status(self, k: int) -> str:
        """The idea's state now."""
        if self.withdrawn[k]:
            return "withdrawn"
        if self.hidden[k]:
            return "hidden"
        if self.adopted[k]:
            return "adopted"
        if self.shortlisted[k]:
            return "shortlisted"
        return "archived" if self.archived[k] else "open"

    def state_counts(self) -> dict[str, int]:
        """Ideas per state."""
        return dict(Counter(self.status(k) for k in range(self.n_ideas)))

    # -- supports -----------------------------------------------------------------------------------------

    def _support_times(self, k: int, c: int) -> list[float]:
        """When the idea's c supports came: front-loaded in the window, the threshold-th at shortlisting."""
        r, S, W, T = self.rng.random, 1 / SHAPE, self.W, self.T
        created, stop = self.created[k], self.stop[k]
        span = min(stop - created, W)
        if not (self.shortlisted[k] or self.adopted[k]):
            return [created + span * r() ** S for _ in range(c)]
        tau = self.tau[k]
        c_w = min(int(self.c_window[k]), c)
        f_t, f_end = (tau / W) ** SHAPE, (span / W) ** SHAPE
        times = [created + tau * r() ** S for _ in range(T - 1)] + [created + tau]
        times += [created + W * (f_t + (f_end - f_t) * r()) ** S for _ in range(c_w - T)]
        deadline = created + W
        times += [deadline + (stop - deadline) * r() for _ in range(c - c_w)]
        return times

    def _supports(self, w: Writer) -> None:
        """Support rows, one per (idea, user), never by the author; and each idea's latest support time."""
        sid = w.next_id("supports")
        pool, rng = self.pool, self.rng
        self.latest = self.created.copy()
        rows = []
        for k in range(self.n_ideas):
            c = int(self.support_count[k])
            if not c:
                continue
            users = rng.sample(pool, min(c + 1, len(pool)))
            author = self.author[k]
            users = [u for u in users if u != author][:c]
            times = self._support_times(k, c)
            self.latest[k] = max(times)
            idea_id = self.idea_ids[k]
            for u, t in zip(users, times):
                rows.append((sid, idea_id, u, w.value(ts(t))))
                sid += 1
        self.support_rows = rows

    # -- comments and answers ---------------------------------------------------------------------------

    def _comments(self, w: Writer) -> None:
        """Comments spread like supports (popular ideas get more), 30% replies to an earlier top-level comment."""
        rng, corpus, pool = self.rng, self.corpus, self.pool
        weights = list(accumulate(float(c + 1) ** 0.8 for c in self.support_count))
        per_idea = Counter(bisect_right(weights, rng.random() * weights[-1]) for _ in range(self.n_comments))
        cid = w.next_id("comments")
        self.comment_count = np.zeros(self.n_ideas, np.int64)
        rows = []
        for k in sorted(per_idea):
            n = per_idea[k]
            created = self.created[k]
            end = self.stop[k] if (self.archived[k] or self.withdrawn[k] or self.hidden[k]) else self.now
            times = sorted(created + (end - created) * rng.random() ** 1.7 for _ in range(n))
            tops: list[int] = []
            for t in times:
                if tops and rng.random() < 0.3:
                    parent = rng.choice(tops)
                    author = self.author[k] if rng.random() < 0.4 else rng.choice(pool)
                    rows.append((cid, self.idea_ids[k], author, parent, corpus.reply(), w.value(ts(t))))
                else:
                    tops.append(cid)
                    rows.append((cid, self.idea_ids[k], rng.choice(pool), None, corpus.comment(), w.value(ts(t))))
                cid += 1
            self.comment_count[k] = n
        self.comment_rows = rows

    def _answers(self) -> None:
        """Most shortlisted and adopted ideas are answered within 1-45 days; the rest are waiting."""
        rng = self.rng
        self.answered_at = {}
        for k in np.flatnonzero(self.shortlisted | self.adopted):
            at = self.shortlisted_at[k] + rng.uniform(1, 45) * DAY
            if rng.random() < 0.85 and at <= self.now:
                self.answered_at[int(k)] = at

    # -- writing ------------------------------------------------------------------------------------------

    def _idea_rows(self, w: Writer):
        """Idea rows with their texts, states, deadlines, counters and hot scores."""
        corpus, rng = self.corpus, self.rng
        codes = list(POPULATION)
        cum = list(accumulate(POPULATION[c] for c in codes))
        for k in range(self.n_ideas):
            code = codes[bisect_right(cum, rng.random() * cum[-1])]
            muni_id, muni_name = self.municipalities[code]
            category, title, summary, body = corpus.idea(code, muni_name)
            self.idea_meta.append((code, muni_id, muni_name, title, body))
            created, c = self.created[k], int(self.support_count[k])
            status = self.status(k)
            short = status in ("shortlisted", "adopted")
            answered = self.answered_at.get(k)
            yield (self.idea_ids[k], self.author[k], title, summary, body, self.categories[category], muni_id, status,
                   status in ACTIVE, c, int(self.comment_count[k]), math.log10(c + 1) + self.latest[k] / HOT_SECONDS,
                   w.value(ts(created)), w.value(ts(created + self.W)),
                   w.value(ts(self.shortlisted_at[k])) if short else None,
                   w.value(ts(self.shortlisted_at[k] + self.A)) if short else None,
                   w.value(ts(answered)) if answered else None,
                   w.value(ts(min(self.stop[k] + rng.uniform(0, 3600), self.now))) if status == "archived" else None)

    def _answer_rows(self, w: Writer, aid: int):
        """Official answers by a steward who is not the idea's author, ids from `aid`."""
        for k, at in sorted(self.answered_at.items()):
            steward = self.rng.choice([s for s in self.stewards if s != self.author[k]])
            yield (aid, self.idea_ids[k], steward, self.corpus.answer(self.idea_meta[k][2]), w.value(ts(at)))
            aid += 1

    def write(self, url: str) -> dict[str, int]:
        """Plan and write every row in one transaction; return rows per table."""
        w = Writer(url)
        t = time.perf_counter()
        self._users(w)
        t = _step(f"{self.n_users:,} users", t)
        self._plan()
        base = w.next_id("ideas")
        self.idea_ids = list(range(base, base + self.n_ideas))
        authors = self.pool[:]
        self.rng.shuffle(authors)
        cum = list(accumulate(1 / (i + 50) ** 0.6 for i in range(len(authors))))  # some post often
        self.author = [authors[bisect_right(cum, self.rng.random() * cum[-1])] for _ in range(self.n_ideas)]
        self._supports(w)
        t = _step(f"planned ideas and {len(self.support_rows):,} supports", t)
        self._comments(w)
        self._answers()
        t = _step(f"planned {len(self.comment_rows):,} comments", t)
        self.idea_meta = []
        w.rows("ideas", ("id", "author_id", "title", "summary", "body", "category_id", "municipality_id", "status",
                         "active", "support_count", "comment_count", "hot_score", "created_at", "support_deadline_at",
                         "shortlisted_at", "answer_due_at", "answered_at", "archived_at"), self._idea_rows(w))
        t = _step(f"wrote {self.n_ideas:,} ideas", t)
        w.rows("supports", ("id", "idea_id", "user_id", "created_at"), self.support_rows)
        t = _step(f"wrote {len(self.support_rows):,} supports", t)
        w.rows("comments", ("id", "idea_id", "author_id", "parent_id", "body", "created_at"), self.comment_rows)
        first_answer = w.next_id("answers")  # not inside the generator: COPY holds the connection
        w.rows("answers", ("id", "idea_id", "author_id", "body", "created_at"), self._answer_rows(w, first_answer))
        t = _step("wrote comments and answers", t)
        ProposalRows(self, w).write()
        t = _step("wrote proposals, teams, terms, milestones, updates", t)
        w.finish()
        _step("committed", t)
        del self.support_rows, self.comment_rows
        return dict(w.counts)
