"""Form helpers shared by pages and the JSON API."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, DateField, DateTimeField, IntegerField, ValidationError
from wtforms.csrf.core import CSRFTokenField

from app.core.errors import InvalidInput
from app.core.pagecache import csrf_token


#: the message every length check uses
LENGTH_MSG = _l("Use between %(min)d and %(max)d characters.")


def strip(value):
    """Filter: drop NUL characters (PostgreSQL refuses them) and trim surrounding whitespace."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


#: characters that reorder or hide text ("Invoice \u202efdp.exe" shows as "Invoiceexe.pdf")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u3164\u115f\u1160") | BIDI_CONTROLS


def has_visible_text(value: str) -> bool:
    """Whether the text shows anything once invisible characters and spaces are taken out."""
    return any(not ch.isspace() and ch not in INVISIBLE for ch in value or "")


class Visible:
    """Validator: a name or title must show something and may not reorder text with bidi controls."""

    def __init__(self, message=None):
        self.message = message or _l("Use visible letters; control and invisible characters are not allowed.")

    def __call__(self, form, field):
        value = field.data or ""
        if value and (not has_visible_text(value) or any(ch in BIDI_CONTROLS for ch in value)):
            raise ValidationError(self.message)


class ActionForm(FlaskForm):
    """A form with nothing but the CSRF token, for buttons that change state."""


def csrf_field() -> Markup:
    """The hidden CSRF input of a button's form in the page frame (logging out, the language), as
    ActionForm renders it but without building a form for it, and without an id repeated in the page (in a page
    remembered for readers who are not logged in, a slot each reader's token fills: app.core.pagecache)."""
    return Markup('<input name="csrf_token" type="hidden" value="%s">') % csrf_token()


class OneOf:
    """Validator: the value must be one of the codes the field's `choices` offer."""

    def __init__(self, message=None):
        self.message = message or _l("Choose one of the listed options.")

    def __call__(self, form, field):
        if field.data not in {choice.value for choice in field.choices or []}:
            raise ValidationError(self.message)


def _json_type(field) -> type:
    """The JSON type a field accepts: numbers for IntegerField, booleans for BooleanField, else strings."""
    if isinstance(field, IntegerField):
        return int
    if isinstance(field, BooleanField):
        return bool
    return str


def _right_type(value, expected) -> bool:
    if value is None:
        return True
    if expected is bool:
        return isinstance(value, bool)
    return isinstance(value, expected) and not isinstance(value, bool)


def api_form(form_class, payload, **kwargs):
    """Build `form_class` from a JSON object, refusing wrong types before validators run.

    Raises InvalidInput (400) for a non-object body or a field of the wrong type, and
    InvalidInput (422 semantics via code 'validation_failed') with per-field messages when
    validation fails. Returns the validated form.
    """
    if not isinstance(payload, dict):
        raise InvalidInput(_l("Send a JSON object."), code="invalid_json")
    form = form_class(formdata=None, meta={"csrf": False}, **kwargs)
    wrong = {
        name: [str(_l("This field has the wrong type."))]
        for name, field in form._fields.items()
        if name in payload and not _right_type(payload[name], _json_type(field))
    }
    if wrong:
        raise InvalidInput(_l("Some fields have the wrong type."), code="invalid_type", fields=wrong)
    form.process(formdata=None, data={k: v for k, v in payload.items() if k in form._fields})
    for name, field in form._fields.items():
        _as_sent(field, payload.get(name), name in payload)
    if not form.validate():
        err = InvalidInput(_l("Some fields are not valid."), code="validation_failed", fields=form_errors(form))
        err.status = 422
        raise err
    return form


def _as_sent(field, value, present: bool) -> None:
    """Make a field look as a browser would have sent it, so Optional, InputRequired and DateField behave the
    same for JSON as for forms: `raw_data` is what was sent, and dates are parsed from their text."""
    if isinstance(field, CSRFTokenField):
        return
    field.raw_data = [value] if present and value is not None else []
    if isinstance(field, DateField | DateTimeField) and isinstance(value, str):
        try:
            field.process_formdata([value])
        except ValueError as exc:
            field.process_errors.append(exc.args[0])


def form_errors(form) -> dict[str, list[str]]:
    """A form's errors as plain strings per field."""
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}
