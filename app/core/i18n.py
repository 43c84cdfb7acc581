"""The current locale and its translations, looked up once per request instead of once per string.

A list page translates and formats a few hundred strings; Flask-Babel finds the locale and the
translations anew for each (several context lookups every time), which cost a board page about a
fifth of its time. These helpers remember both on `g` beside Flask-Babel's own state, keyed by
the locale object Flask-Babel holds, so `force_locale` (mail in the recipient's language) still
switches them.
"""
from flask import g
from flask_babel import get_locale, get_timezone, get_translations


def _state():
    """(locale, its code, translations, time zone name) for the locale Flask-Babel holds now."""
    try:
        babel_ctx = g._flask_babel
        cached = g._gops_i18n
        if babel_ctx.babel_locale is cached[0]:
            return cached
    except AttributeError:
        pass
    except RuntimeError:  # no application context: Flask-Babel's own answers (no locale, no translations)
        return None, "", get_translations(), "Asia/Seoul"
    translations = get_translations()
    locale = get_locale()
    cached = g._gops_i18n = (locale, str(locale), translations, str(get_timezone()))
    return cached


def locale_code() -> str:
    """The current locale's code ("ko", "en")."""
    return _state()[1]


def timezone_name() -> str:
    """The reader's time zone ("Asia/Seoul")."""
    return _state()[3]


def gettext(message: str) -> str:
    """The message in the current language (Jinja's `_` and `gettext`)."""
    return _state()[2].ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for n in the current language (Jinja's `ngettext`)."""
    return _state()[2].ungettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """The message in a context, in the current language."""
    return _state()[2].upgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """The singular or plural message in a context, in the current language."""
    return _state()[2].unpgettext(context, singular, plural, n)


def install(app) -> None:
    """Give Jinja these translation callables in place of Flask-Babel's (same behaviour, one lookup per request)."""
    app.jinja_env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=True,
                                            pgettext=pgettext, npgettext=npgettext)


__all__ = ["gettext", "install", "locale_code", "ngettext", "npgettext", "pgettext", "timezone_name"]
