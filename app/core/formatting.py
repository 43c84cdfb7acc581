"""Locale-aware formatting of won amounts and dates, exposed as Jinja filters."""
from datetime import datetime

from flask_babel import format_currency, format_date, format_datetime, format_decimal

from app.core.timeutil import as_utc


def format_won(amount: int | None) -> str:
    """An integer won amount for the current locale (Korean: 1,000원; English: ₩1,000)."""
    if amount is None:
        return ""
    from flask_babel import get_locale

    if str(get_locale()) == "ko":
        return f"{format_decimal(amount)}원"
    return format_currency(amount, "KRW")


def format_when(value, fmt: str = "medium") -> str:
    """A date and time in the user's time zone; Korean uses the 24-hour clock usual on Korean sites."""
    if not value:
        return ""
    from flask_babel import get_locale

    if str(get_locale()) == "ko":
        fmt = "y. M. d. HH:mm"
    return format_datetime(as_utc(value), fmt)


def format_day(value, fmt: str = "medium") -> str:
    """A calendar date (a `date`, or the day of a `datetime` in the user's time zone)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = as_utc(value)
    return format_date(value, fmt)


def register_filters(app) -> None:
    """Install the formatting filters into Jinja."""
    from app.core.markdown import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["won"] = format_won
    app.jinja_env.filters["number"] = lambda n: format_decimal(n or 0)
    app.jinja_env.filters["datetime"] = format_when
    app.jinja_env.filters["date"] = format_day
