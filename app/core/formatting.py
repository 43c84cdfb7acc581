"""Locale-aware formatting of won amounts and dates, exposed as Jinja filters.

A list page formats hundreds of dates and numbers; Babel's formatting runs once per distinct
(value, format, locale) and is remembered, the time zone conversion uses zoneinfo.
"""
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask_babel import format_currency

from app.core.i18n import locale_code, timezone_name
from app.core.timeutil import as_utc


def format_won(amount: int | None) -> str:
    """An integer won amount for the current locale (Korean: 1,000원; English: ₩1,000)."""
    if amount is None:
        return ""
    if locale_code() == "ko":
        return f"{format_decimal(amount)}원"
    return format_currency(amount, "KRW")


def format_when(value, fmt: str = "medium") -> str:
    """A date and time in the user's time zone; Korean uses the 24-hour clock usual on Korean sites."""
    if not value:
        return ""
    locale = locale_code()
    if locale == "ko":
        fmt = "y. M. d. HH:mm"
    return _when(as_utc(value), fmt, locale, timezone_name())


@lru_cache(maxsize=8192)
def _when(value: datetime, fmt: str, locale: str, zone: str) -> str:
    """`format_when`, remembered: a discussion shows the same comment times to every reader
    (what Flask-Babel's format_datetime does, with the default formats GOPS keeps)."""
    return babel_dates.format_datetime(value, fmt, tzinfo=babel_dates.get_timezone(zone), locale=locale)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=4096)
def _day(day: date, fmt: str, locale: str) -> str:
    return babel_dates.format_date(day, fmt, locale=locale)


@lru_cache(maxsize=4096)
def _decimal(n, locale: str) -> str:
    return babel_numbers.format_decimal(n, locale=locale)


def format_day(value, fmt: str = "medium") -> str:
    """A calendar date (a `date`, or the day of a `datetime` in the user's time zone)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(_zone(timezone_name())).date()
    return _day(value, fmt, locale_code())


def format_decimal(n) -> str:
    """A number with the locale's grouping (1,234)."""
    return _decimal(n, locale_code())


def register_filters(app) -> None:
    """Install the formatting filters into Jinja."""
    from app.core.markdown import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["won"] = format_won
    app.jinja_env.filters["number"] = lambda n: format_decimal(n or 0)
    app.jinja_env.filters["datetime"] = format_when
    app.jinja_env.filters["date"] = format_day
