"""Page arguments and capped pagination shared by list pages and the API."""
from math import ceil

import sqlalchemy as sa
from flask import request
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import SelectPagination

from app.core.errors import InvalidInput
from app.extensions import db

MAX_PER_PAGE = 100
#: past this a list is walked with filters, not page numbers (and the offset stays a sane integer)
MAX_PAGE = 100_000


def page_args(default_per_page: int = 20) -> tuple[int, int]:
    """Read `page` and `per_page` from the query string; refuse nonsense with InvalidInput."""
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", default_per_page))
    except ValueError:
        raise InvalidInput(code="invalid_page") from None
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE:
        msg = _l("Pages run from 1 to %(pages)d, with 1 to %(per)d items each.", pages=MAX_PAGE, per=MAX_PER_PAGE)
        raise InvalidInput(msg, code="invalid_page")
    return page, per_page


#: a list counts its rows only this far (or a few pages past the one shown): "10,000+" costs what 10,000 does
COUNT_CAP = 10_000
#: the pager always knows whether these many pages follow the current one
LOOKAHEAD_PAGES = 5


class CappedPagination(SelectPagination):
    """A page of a list whose count stops at a cap, so no request counts every matching row.

    `total` is exact up to the cap and None past it (`at_least` then says how many rows exist
    at least); `pages`, `has_next` and `iter_pages` reach at least LOOKAHEAD_PAGES past the current page.
    The count walks the list's own query (same filter, same order, same index) and stops at the cap.
    """

    def _query_items(self) -> list:
        rows = self._query_args.get("rows")
        return rows(self.per_page, self._query_offset) if rows else super()._query_items()

    def _query_count(self) -> int:
        cap = max(COUNT_CAP, (self.page + LOOKAHEAD_PAGES) * self.per_page)
        select = self._query_args["select"]
        sub = select.with_only_columns(sa.literal(1).label("one"), maintain_column_froms=True).limit(cap + 1).subquery()
        counted = self._query_args["session"].execute(sa.select(sa.func.count()).select_from(sub)).scalar()
        self.at_least = min(counted, cap)
        self.capped = counted > cap
        return None if self.capped else counted

    @property
    def pages(self) -> int:
        """Pages known to exist: all of them, or as many as the capped count reaches."""
        return max(1, ceil(self.at_least / self.per_page)) if self.at_least else 0

    @property
    def has_next(self) -> bool:
        """Whether a page follows (known even past the cap)."""
        return self.page < self.pages or self.capped


def paginate(select: sa.Select, page: int, per_page: int, total: int | None = None,
             rows=None) -> CappedPagination:
    """One page of `select` (ordered along an index); its `total` if the caller keeps it, else a capped count.

    `rows(limit, offset)`, when given, reads the page instead of `select` (a deferred join, say).
    """
    pagination = CappedPagination(select=select, session=db.session(), page=page, per_page=per_page,
                                  error_out=False, count=total is None, rows=rows)
    if total is not None:
        pagination.total, pagination.at_least, pagination.capped = total, total, False
    return pagination
