"""Page arguments shared by list pages and the API."""
from flask import request

from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput

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
