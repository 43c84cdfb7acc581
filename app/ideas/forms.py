"""Idea and comment forms (also used, without CSRF, to validate API input)."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import LENGTH_MSG, OneOf, Visible, strip
from app.extensions import db
from app.ideas.models import Category, Municipality



def municipality_choices(blank: bool = False) -> list[SelectChoice]:
    """Gyeonggi's cities and counties in Korean order, named in the current language."""
    rows = db.session.scalars(sa.select(Municipality).order_by(Municipality.name_ko))
    return ([SelectChoice("", "—")] if blank else []) + [SelectChoice(m.code, m.name) for m in rows]


class IdeaForm(FlaskForm):
    """Title, summary, Markdown body, category and municipality."""

    title = StringField(_l("Title"), filters=[strip], validators=[Visible(),
        DataRequired(_l("Give your idea a title.")), Length(min=4, max=120, message=LENGTH_MSG)])
    summary = StringField(_l("Summary"), filters=[strip], validators=[Visible(),
        DataRequired(_l("Sum the idea up in a sentence or two.")), Length(min=10, max=300, message=LENGTH_MSG)])
    body = TextAreaField(_l("Description (Markdown)"), filters=[strip], validators=[
        DataRequired(_l("Describe the problem and your idea.")), Length(min=20, max=20000, message=LENGTH_MSG)])
    category = SelectField(_l("Category"), validate_choice=False,
                           validators=[DataRequired(_l("Choose a category.")), OneOf()])
    municipality = SelectField(_l("City or county"), validate_choice=False,
                               validators=[DataRequired(_l("Choose a city or county.")), OneOf()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cats = db.session.scalars(sa.select(Category).order_by(Category.position)).all()
        self.category.choices = [SelectChoice(c.code, c.name) for c in cats]
        self.municipality.choices = municipality_choices()


class CommentForm(FlaskForm):
    """A comment, or a reply to one."""

    body = TextAreaField(_l("Comment"), filters=[strip], validators=[
        DataRequired(_l("Write something first.")), Length(min=1, max=5000, message=LENGTH_MSG)])
    parent_id = IntegerField(validators=[Optional()])


class AnswerForm(FlaskForm):
    """The stewards' official answer."""

    body = TextAreaField(_l("Official answer (Markdown)"), filters=[strip], validators=[
        DataRequired(_l("Write the answer first.")), Length(min=1, max=20000, message=LENGTH_MSG)])


class MergeForm(FlaskForm):
    """A steward merges a duplicate into another idea, named by its number."""

    target_id = IntegerField(validators=[DataRequired(_l("Give the number of an existing idea to merge into."))])
