"""One state machine for every stateful thing: states, allowed transitions with guards, labels.

A feature declares its machine once (`IDEA = Machine("idea", IdeaStatus, {...})`); `move()` is the
only way to change a state, and `move_if()` is the compare-and-set for races (a conditional
UPDATE, so exactly one of two racers wins). Each move writes an audit entry and sends the
machine's `moved` signal, which observers (notifications, search) connect to.
"""
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from blinker import Namespace
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import Conflict
from app.core.i18n import locale_code
from app.extensions import db

_signals = Namespace()

#: a guard raises a DomainError (with a message fit to show) when the actor may not make the move
Guard = Callable[[object, object], None]


class InvalidTransition(Conflict):
    """The object cannot move from its state to the one asked for."""

    code = "invalid_transition"


def anyone(_obj, _actor) -> None:
    """Guard: no condition beyond the table itself (system moves, or checks done by the operation)."""


@dataclass
class Machine:
    """States, the allowed (from, to) pairs with a guard each, and labels for people."""

    name: str
    states: type[enum.Enum]
    transitions: dict[tuple[enum.Enum, enum.Enum], Guard]
    labels: dict[enum.Enum, object]
    #: the attribute (and column) that holds the state
    attr: str = "status"
    #: a named signal to send, besides `moved`, when a move ends in a given state
    events: dict = field(default_factory=dict)
    #: the states a new row may be created in (default: the first declared)
    initial: tuple = ()
    #: columns that follow the state (an idea's `active` flag): `derived(to)` gives their values, which
    #: move() and move_if() write with the state
    derived: Callable[[enum.Enum], dict] | None = None
    #: whether moves go to the public audit log; a machine over personal records (a backer's pledge) keeps its
    #: history on the row instead, and the decisions above it (the round's) are audited
    audited: bool = True
    #: the blinker signal sent after every move (sender: the object; frm, to, actor, reason)
    moved: object = field(init=False)
    #: {language: {value: name}}, filled by `names`
    _names: dict = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self.moved = _signals.signal(f"{self.name}-moved")
        self.initial = tuple(self.initial) or (next(iter(self.states)),)
        missing = set(self.states) - set(self.labels)
        if missing:
            raise ValueError(f"{self.name}: states without a label: {missing}")

    # reading
    def state(self, obj) -> enum.Enum:
        """The object's state as the enum member."""
        return self.states(getattr(obj, self.attr))

    def label(self, state) -> str:
        """A state's name in the current language."""
        return str(self.labels[self.states(state)])

    def names(self) -> dict[str, str]:
        """{value: name} of every state, in declaration order, in the current language (worked out once per
        language: a list page names a state on every row)."""
        language = locale_code()
        names = self._names.get(language)
        if names is None:
            names = self._names[language] = {state.value: str(self.labels[state]) for state in self.states}
        return names

    def targets(self, state) -> list[enum.Enum]:
        """The states the table allows from `state`, in declaration order."""
        state = self.states(state)
        return [to for (frm, to) in self.transitions if frm == state]

    def pairs(self) -> Iterable[tuple[enum.Enum, enum.Enum]]:
        """Every allowed (from, to) pair."""
        return self.transitions.keys()

    def allows(self, frm, to) -> bool:
        """Whether the table has the pair (guards aside)."""
        return (self.states(frm), self.states(to)) in self.transitions

    def can(self, obj, to, actor) -> bool:
        """Whether `actor` may move `obj` to `to` now (table and guard)."""
        from app.core.errors import DomainError

        try:
            self.check(obj, self.states(to), actor)
        except DomainError:
            return False
        return True

    def check(self, obj, to, actor) -> enum.Enum:
        """Raise unless the table and the guard allow the move now; return the current state."""
        to = self.states(to)
        current = self.state(obj)
        guard = self.transitions.get((current, to))
        if guard is None:
            raise InvalidTransition(_l("It cannot move from “%(old)s” to “%(new)s”.",
                                       old=self.label(current), new=self.label(to)))
        guard(obj, actor)
        return current

    # writing
    def move(self, obj, to, actor=None, *, reason: str | None = None, data: dict | None = None,
             values: dict | None = None) -> enum.Enum:
        """Move `obj` to `to` if the table and the guard allow it; audit and signal. Returns the old state.

        `values` are attributes that change with the state (a decision's time, who decided), set in
        the same flush, so the database's checks tying them to the state always hold.
        """
        to = self.states(to)
        current = self.check(obj, to, actor)
        for name, value in self._values(to, values).items():
            setattr(obj, name, value)
        setattr(obj, self.attr, to.value)
        db.session.flush()
        self._after(obj, current, to, actor, reason, data)
        return current

    def move_if(self, obj, to, actor=None, *, reason: str | None = None, data: dict | None = None,
                values: dict | None = None) -> bool:
        """Compare-and-set: move only if the row is still in the state `obj` shows; False if another won.

        One conditional UPDATE (`WHERE id = :id AND state = :seen`), so of two concurrent callers
        exactly one changes the row. `values` are written by the same UPDATE.
        """
        to = self.states(to)
        current = self.check(obj, to, actor)
        model = type(obj)
        column = getattr(model, self.attr)
        result = db.session.execute(
            sa.update(model).where(model.id == obj.id, column == current.value)
            .values({self.attr: to.value, **self._values(to, values)}).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            db.session.refresh(obj)
            return False
        db.session.refresh(obj)
        self._after(obj, current, to, actor, reason, data)
        return True

    def move_all(self, model, frm, to, *where, values: dict | None = None) -> list[int]:
        """Move every row of `model` in state `frm` matching `where` to `to` in one UPDATE; the ids moved.

        For batches the platform moves by rule (a round's pledges when it closes): no per-row guard,
        audit entry or signal; the caller audits the decision that moved them (the round's close).
        """
        frm, to = self.states(frm), self.states(to)
        if (frm, to) not in self.transitions:
            raise InvalidTransition(_l("It cannot move from “%(old)s” to “%(new)s”.",
                                       old=self.label(frm), new=self.label(to)))
        column = getattr(model, self.attr)
        ids = db.session.scalars(sa.select(model.id).where(column == frm.value, *where)).all()
        if ids:
            db.session.execute(sa.update(model).where(model.id.in_(ids), column == frm.value)
                               .values({self.attr: to.value, **self._values(to, values)})
                               .execution_options(synchronize_session=False))
        return list(ids)

    def move_each(self, model, frm, to, rows: list[dict]) -> None:
        """Move the rows (dicts with an `id` and the values that change with the state, the same keys in each)
        from `frm` to `to` in one executemany UPDATE, each only if still in `frm`; like `move_all`, no per-row
        guard, audit entry or signal."""
        frm, to = self.states(frm), self.states(to)
        if (frm, to) not in self.transitions:
            raise InvalidTransition(_l("It cannot move from “%(old)s” to “%(new)s”.",
                                       old=self.label(frm), new=self.label(to)))
        if not rows:
            return
        table = model.__table__
        names = [k for k in rows[0] if k != "id"]
        stmt = (sa.update(table).where(table.c.id == sa.bindparam("row_id"), getattr(table.c, self.attr) == frm.value)
                .values({self.attr: to.value, **self._values(to, None),
                         **{name: sa.bindparam(f"new_{name}") for name in names}}))
        db.session.execute(stmt, [{"row_id": row["id"], **{f"new_{n}": row[n] for n in names}} for row in rows])

    def _values(self, to, values: dict | None) -> dict:
        return {**(self.derived(to) if self.derived else {}), **(values or {})}

    def _after(self, obj, frm, to, actor, reason, data) -> None:
        if self.audited:
            audit.record(actor, f"{self.name}.{to.value}", obj, reason=reason,
                         data={"from": frm.value, "to": to.value, **(data or {})})
        kwargs = {"machine": self, "frm": frm, "to": to, "actor": actor, "reason": reason}
        self.moved.send(obj, **kwargs)
        if to in self.events:
            self.events[to].send(obj, **kwargs)
