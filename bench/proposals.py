"""Proposal rows of the benchmark dataset: organizations, proposals at every stage, teams, terms, plans.

Older adoptions have gone further: a proposal in review or later has its city accepted as the
municipality partner; one in funding or later has frozen share terms and a steward's approval;
testbed and market proposals have milestones and updates. Team rows are invited or accepted, with
accepted_at set exactly when accepted (the CHECK on team_members). Not a script.
"""
from datetime import datetime, timezone

from bench.bulk import Writer, ts

DAY = 86400.0
#: (name, kind, team role)
PARTNERS = [(f"{a}{b}", kind, role) for a in ("경기", "한빛", "누리", "새솔", "다온", "미래", "그린", "하람")
            for b, kind, role in (("랩", "startup", "company"), ("테크", "company", "company"),
                                  ("모빌리티", "company", "company"), ("에너지", "company", "company"),
                                  ("데이터", "startup", "company"), ("시민모임", "citizen_group", "citizen_group"))]
PARTNERS += [(name, "university", "university") for name in (
    "아주대학교", "경기대학교", "수원대학교", "가천대학교", "한국공학대학교", "단국대학교 죽전캠퍼스", "한양대학교 ERICA")]
PARTNERS += [(name, "research_institute", "research_institute") for name in (
    "경기연구원", "한국전자기술연구원", "스마트시티연구센터")]
PARTNERS += [(name, "public_institution", "public_institution") for name in (
    "경기도경제과학진흥원", "경기도시공사", "경기교통공사")]
MILESTONES = ("현장 조사와 주민 설명회", "시범 설치", "효과 측정과 보고서")


class ProposalRows:
    """Writes the proposals of the dataset's adopted ideas, and what goes with them."""

    def __init__(self, data, w: Writer):
        """`data` is the bench.generate.Dataset whose ideas are written."""
        self.d, self.w, self.rng = data, w, data.rng

    def _stage(self, age_days: float) -> str:
        """How far a proposal adopted this many days ago has come."""
        r = self.rng.random()
        if age_days > 30 and r < 0.12:
            return "closed"
        if age_days < 30:
            return "drafting"
        if age_days < 60:
            return "drafting" if r < 0.6 else "review"
        if age_days < 120:
            return "review" if r < 0.4 else "funding"
        if age_days < 240:
            return "funding" if r < 0.35 else "testbed"
        return "testbed" if r < 0.55 else "market"

    def _organizations(self) -> None:
        """A municipal organization per city (with a confirmed representative), and partner organizations."""
        w, d = self.w, self.d
        oid, created = w.next_id("organizations"), w.value(ts(d.start - 30 * DAY))
        rows, self.city_org, self.partners = [], {}, []
        for code, (muni_id, name) in sorted(d.municipalities.items()):
            rows.append((oid, f"{name}청", "municipality", muni_id, created))
            self.city_org[code] = oid
            oid += 1
        for name, kind, role in PARTNERS:
            rows.append((oid, name, kind, None, created))
            self.partners.append((oid, role))
            oid += 1
        w.rows("organizations", ("id", "name", "kind", "municipality_id", "created_at"), rows)
        mid, confirmed = w.next_id("memberships"), w.value(ts(d.start - 20 * DAY))
        self.rep = {}
        members = []
        for (code, org), user in zip(sorted(self.city_org.items()), d.reps):
            members.append((mid, user, org, confirmed, d.stewards[0], created, "confirmed"))
            self.rep[code] = user
            mid += 1
        w.rows("memberships", ("id", "user_id", "organization_id", "confirmed_at", "confirmed_by_id", "created_at",
                               "status"), members)

    def write(self) -> None:
        """Write organizations, proposals, team members, share terms, milestones and updates."""
        self._organizations()
        d, w, rng, corpus = self.d, self.w, self.rng, self.d.corpus
        adopted = sorted((float(d.adopted_at[k]), int(k)) for k in range(d.n_ideas) if d.adopted[k])
        pid, tid, mid, uid = (w.next_id(t) for t in ("proposals", "team_members", "milestones", "proposal_updates"))
        proposals, team, terms, milestones, updates = [], [], [], [], []
        for at, k in adopted:
            code, muni_id, muni_name, title, body = d.idea_meta[k]
            lead = rng.choice([e for e in d.experts if e != d.author[k]])
            stage = self._stage((d.now - at) / DAY)
            reviewed = stage in ("funding", "testbed", "market") or (stage == "closed" and rng.random() < 0.5)
            partnered = reviewed or stage == "review"
            approved = min(at + rng.uniform(20, 60) * DAY, d.now) if reviewed else None
            last_update = None
            if stage in ("testbed", "market"):
                n_updates = rng.randint(1, 3)
                stamps = sorted(rng.uniform(approved, d.now) for _ in range(n_updates))
                for t in stamps:
                    updates.append((uid, pid, lead, corpus.paragraph(2), w.value(ts(t))))
                    uid += 1
                last_update = stamps[-1]
                for i, name in enumerate(MILESTONES):
                    due = datetime.fromtimestamp(approved + (i + 1) * 60 * DAY, timezone.utc).date().isoformat()
                    status = "done" if i == 0 else ("in_progress" if i == 1 else "planned")
                    milestones.append((mid, pid, name, due, status, corpus.sentence() if status == "done" else ""))
                    mid += 1
            proposals.append((pid, d.idea_ids[k], lead, title, body, corpus.paragraph(3), rng.choice(corpus.places[code]),
                              muni_id, rng.randrange(1, 200) * 10_000_000, corpus.paragraph(2), corpus.paragraph(1),
                              stage, w.value(ts(approved)), w.value(ts(last_update)), w.value(ts(at))))
            # The team: the lead, the city (accepted once in review), a few partners and people.
            team.append((tid, pid, None, lead, "lead_expert", "accepted", lead, w.value(ts(at)), lead, w.value(ts(at))))
            tid += 1
            invited_city = at + rng.uniform(1, 10) * DAY
            if partnered or rng.random() < 0.7:
                accepted = partnered or rng.random() < 0.3
                when = min(invited_city + rng.uniform(1, 10) * DAY, d.now)
                team.append((tid, pid, self.city_org[code], None, "municipality_partner",
                             "accepted" if accepted else "invited", lead, w.value(ts(when)) if accepted else None,
                             self.rep.get(code) if accepted else None, w.value(ts(min(invited_city, d.now)))))
                tid += 1
            for org, role in rng.sample(self.partners, rng.randint(0, 2)):
                accepted = rng.random() < 0.7
                when = min(at + rng.uniform(5, 40) * DAY, d.now)
                team.append((tid, pid, org, None, role, "accepted" if accepted else "invited", lead,
                             w.value(ts(when)) if accepted else None, None, w.value(ts(at))))
                tid += 1
            for person in rng.sample(d.pool, rng.randint(0, 2)):
                if person in (lead, d.author[k]):
                    continue
                accepted = rng.random() < 0.7
                when = min(at + rng.uniform(2, 30) * DAY, d.now)
                team.append((tid, pid, None, person, "member", "accepted" if accepted else "invited", lead,
                             w.value(ts(when)) if accepted else None, person if accepted else None, w.value(ts(at))))
                tid += 1
            if reviewed or rng.random() < 0.4:
                frozen = w.value(ts(approved - DAY)) if reviewed else None
                terms.append((pid, 3000, 2000, 2000, 4000, 2000, 20_000 if rng.random() < 0.5 else None, frozen,
                              w.value(ts(approved - DAY if reviewed else at + DAY))))
            pid += 1
        w.rows("proposals", ("id", "idea_id", "lead_expert_id", "title", "problem", "solution", "site",
                             "municipality_id", "budget_amount", "expected_impact", "risks", "stage",
                             "review_approved_at", "last_update_at", "created_at"), proposals)
        w.rows("team_members", ("id", "proposal_id", "organization_id", "user_id", "role", "status", "invited_by_id",
                                "accepted_at", "accepted_by_id", "created_at"), team)
        w.rows("share_terms", ("proposal_id", "community_share_bp", "proposer_bp", "contributors_bp", "backers_bp",
                               "commons_bp", "backers_cap_multiple_bp", "frozen_at", "updated_at"), terms)
        w.rows("milestones", ("id", "proposal_id", "title", "due_on", "status", "evidence"), milestones)
        w.rows("proposal_updates", ("id", "proposal_id", "author_id", "body", "created_at"), updates)
