"""How strong a new password must be: long enough, not the email address, and hard to guess by zxcvbn's estimate.

zxcvbn is used here only; its advice (English sentences) is shown through our own catalog.
"""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

#: zxcvbn's advice, translatable; a sentence it adds later is shown in English rather than lost
_ADVICE = (
    _l("Use a few words, avoid common phrases."),
    _l("No need for symbols, digits, or uppercase letters."),
    _l("Add another word or two. Uncommon words are better."),
    _l("Straight rows of keys are easy to guess."),
    _l("Short keyboard patterns are easy to guess."),
    _l("Use a longer keyboard pattern with more turns."),
    _l('Repeats like "aaa" are easy to guess.'),
    _l('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    _l("Avoid repeated words and characters."),
    _l('Sequences like "abc" or "6543" are easy to guess.'),
    _l("Avoid sequences."),
    _l("Recent years are easy to guess."),
    _l("Avoid recent years."),
    _l("Avoid years that are associated with you."),
    _l("Dates are often easy to guess."),
    _l("Avoid dates and years that are associated with you."),
    _l("This is a top-10 common password."),
    _l("This is a top-100 common password."),
    _l("This is a very common password."),
    _l("This is similar to a commonly used password."),
    _l("A word by itself is easy to guess."),
    _l("Names and surnames by themselves are easy to guess."),
    _l("Common names and surnames are easy to guess."),
    _l("Capitalization doesn't help very much."),
    _l("All-uppercase is almost as easy to guess as all-lowercase."),
    _l("Reversed words aren't much harder to guess."),
    _l("Predictable substitutions like '@' instead of 'a' don't help very much."),
)
#: zxcvbn's English sentence (the msgid) -> the translatable text
ADVICE = {text._args[0]: text for text in _ADVICE}

#: words anyone would try first against this site
SITE_WORDS = ("gops", "gyeonggi", "smartcity", "suwon", "korea")

#: zxcvbn's time grows with the length; past this many characters a password is long enough to judge by its start
#: (zxcvbn itself refuses longer ones with a ValueError, its own `max_length`)
SCORED_LENGTH = 72


def _advice(feedback: dict) -> list[str]:
    sentences = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
    return [str(ADVICE.get(s, s)) for s in sentences if s]


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why a new password is refused, with zxcvbn's advice in the user's language; None when it is strong enough."""
    min_len = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_len:
        return _("Use at least %(n)d characters.", n=min_len)
    if len(password) > 200:
        return _("Use at most 200 characters.")
    lowered, local = password.lower(), email.split("@")[0].lower()
    if email and (lowered == email.lower() or (len(local) >= 4 and local in lowered)):
        return _("The password must not contain your email address.")
    result = zxcvbn(password[:SCORED_LENGTH], max_length=SCORED_LENGTH, user_inputs=[w for w in (email, local, name, *SITE_WORDS) if w])
    if result["score"] < current_app.config["PASSWORD_MIN_SCORE"]:
        return " ".join([_("This password is too easy to guess."), *_advice(result["feedback"])])
    return None
