"""Page arguments shared by list pages and the API."""
from flask import request

from app.core.errors import InvalidInput

MAX_PER_PAGE = 100


def page_args(default_per_page: int = 20) -> tuple[int, int]:
    """Read `page` and `per_page` from the query string; refuse nonsense with InvalidInput."""
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", default_per_page))
    except ValueError:
        raise InvalidInput(code="invalid_page") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(code="invalid_page")
    return page, per_page
