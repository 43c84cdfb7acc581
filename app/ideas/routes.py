"""Idea pages: the board, an idea, posting, editing, supporting, commenting, answers, merging."""
import math

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import pagecache
from app.core.errors import DomainError
from app.core.forms import ActionForm
from app.core.fragments import rendered, rendered_for
from app.core.lookup import get_by_id
from app.core.pagination import page_args
from app.core.security import user_key
from app.core.signals import values_from_signal
from app.core.timeutil import as_utc, utcnow
from app.core.web import attempt, safe_next, url_pattern
from app.extensions import db, limiter
from app.ideas import bp
from app.ideas.forms import AnswerForm, CommentForm, IdeaForm
from app.ideas.lifecycle import answer_idea, merge_ideas
from app.ideas.models import Idea
from app.ideas.operations import (
    add_comment, create_idea, edit_idea, support_idea, withdraw_idea, withdraw_support,
)
from app.ideas.parameters import shortlist_supports
from app.ideas.queries import (
    PAGE_LOADING, PUBLIC_STATUSES, answer_of, answers_due_page, comment_threads, get_visible_idea, ideas_page,
    page_key, recent_answers, reference_lists, reference_names, supported_idea_ids,
)
from app.ideas.signals import idea_page
from app.ideas.states import IDEA, IdeaStatus


def _idea_or_404(idea_id, options=()):
    try:
        return get_visible_idea(idea_id, current_user, options)
    except DomainError:
        abort(404)


@bp.route("/")
def home():
    """The front page is the idea board."""
    return redirect(url_for("ideas.index"))


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/ideas")
def index():
    """Browse ideas: sort by hot, new or top; filter by status, category, municipality."""
    args = {k: request.args.get(k) or None for k in ("status", "category", "municipality", "q")}
    if (args["q"] or "").strip():  # words go to the one Korean-aware search, keeping the filters
        return redirect(url_for("search.index", type="idea", **{k: v for k, v in args.items() if v}))
    sort = request.args.get("sort", "hot")
    page, per_page = page_args(current_app.config["IDEAS_PER_PAGE"])
    categories, municipalities = reference_lists()
    pagination = ideas_page(page, per_page, sort=sort, **args)
    supported = supported_idea_ids(current_user, [i.id for i in pagination.items])
    # what every card shows alike: labels translated once, links filled into one URL
    category_names, municipality_names = reference_names()
    card_context = {
        "supports_word": _("supports"), "idea_url": url_pattern("ideas.show", "idea_id"),
        "status_labels": IDEA.names(),
        "category_names": category_names, "municipality_names": municipality_names,
    }
    # the filter form is the same for every reader: one per language and choice (the values are known good here)
    chosen = (sort, args["status"], args["category"], args["municipality"])
    filters_form = rendered_for("ideas/_filters.html", chosen, "chosen", statuses=PUBLIC_STATUSES,
                                status_labels=card_context["status_labels"], categories=categories,
                                municipalities=municipalities)
    signed_in = current_user.is_authenticated
    return render_template(
        "ideas/index.html", pagination=pagination, ideas=pagination.items, supported=supported,
        filters_form=filters_form, query_args={k: v for k, v in {"sort": sort, **args}.items() if v},
        action_form=ActionForm() if signed_in else None,
        cards=None if signed_in else rendered("ideas/_card.html", pagination.items, _card_key, "idea",
                                              action_form=None, **card_context),
        next_path=request.full_path, **card_context,
    )


@bp.route("/ideas/new", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["POSTS_PER_USER"], methods=["POST"], key_func=user_key)
def new():
    """Post an idea."""
    if not current_user.can_participate():
        flash(_("Verify your email address before posting an idea."), "error")
        return redirect(url_for("ideas.index"))
    form = IdeaForm()
    done = attempt(lambda: create_idea(current_user, **_idea_fields(form)),
                   _("Your idea is posted. Share it so others can support it."), form=form, redirecting=False)
    if done:
        return redirect(url_for("ideas.show", idea_id=done.value.id))
    return render_template("ideas/form.html", form=form, idea=None), 200 if not form.errors else 400


def _idea_fields(form) -> dict:
    return {k: getattr(form, k).data for k in ("title", "summary", "body", "category", "municipality")}


def _card_key(idea) -> tuple:
    """Every value an idea card shows (templates/ideas/_card.html)."""
    return (idea.id, idea.title, idea.summary, idea.status, idea.support_count, idea.comment_count, idea.category_id,
            idea.municipality_id, idea.author.display_name, idea.created_at)


def _thread_key(thread) -> tuple:
    """Every value a comment and its replies show (templates/ideas/_comment.html), and the proposer they mark."""
    comment, replies = thread
    return tuple((c.id, c.body, c.created_at, c.author_id, c.author.display_name, c.author.roles)
                 for c in (comment, *replies))


def _idea_forms() -> dict:
    """The idea page's forms; a visitor who is not logged in sees none of them (and none is built)."""
    if not current_user.is_authenticated:
        return {"comment_form": None, "action_form": None, "answer_form": None}
    return {"comment_form": CommentForm(), "action_form": ActionForm(), "answer_form": AnswerForm()}


@bp.route("/ideas/<int:idea_id>")
def show(idea_id):
    """One idea with its discussion; a merged idea sends readers to the one it joined. A reader who is not
    logged in gets the page remembered under its key (one statement) while nothing it shows has changed."""
    key = None if current_user.is_authenticated else page_key(idea_id, utcnow())
    if key is None:
        return _show(idea_id)
    return pagecache.remembered(("ideas.show", *key), lambda: _show(idea_id))


def _show(idea_id):
    idea = _idea_or_404(idea_id, PAGE_LOADING)
    if idea.status == IdeaStatus.MERGED.value and idea.merged_into_id:
        flash(_("This idea was merged into a similar one; its supports and comments are here now."))
        return redirect(url_for("ideas.show", idea_id=idea.merged_into_id), 301)
    extras = {"similar": [], "proposal": None, **values_from_signal(idea_page.send(idea, viewer=current_user))}
    threads = comment_threads(idea)
    shown = None if current_user.is_authenticated else rendered(
        "ideas/_comment.html", threads, lambda t: (idea.author_id, _thread_key(t)), "thread",
        proposer_id=idea.author_id, can_reply=False)
    return render_template(
        "ideas/show.html", idea=idea, threads=threads, shown_threads=shown, answer=answer_of(idea),
        supported=bool(supported_idea_ids(current_user, [idea.id])),
        **_idea_forms(),
        threshold=shortlist_supports(), now=utcnow(), **extras,
    )


#: rows of the answers table per page
ANSWERS_PER_PAGE = 50


def overdue_days(idea, now) -> int:
    """Whole days past the answer deadline (0 on the day it falls due); negative: days still left."""
    seconds = (now - as_utc(idea.answer_due_at)).total_seconds()
    return math.floor(seconds / 86400) if seconds >= 0 else -math.ceil(-seconds / 86400)


@bp.route("/ideas/answers")
def answers():
    """Public accountability: shortlisted ideas awaiting an official answer, overdue first, and recent answers."""
    now = utcnow()
    page, per_page = page_args(ANSWERS_PER_PAGE)
    pagination = answers_due_page(page, per_page)
    waiting = [(idea, overdue_days(idea, now)) for idea in pagination.items]
    return render_template("ideas/answers.html", waiting=waiting, pagination=pagination,
                           answered=recent_answers() if page == 1 else [], now=now)


@bp.route("/ideas/<int:idea_id>/answer", methods=["POST"])
@login_required
def answer(idea_id):
    """A steward publishes the official answer."""
    idea = _idea_or_404(idea_id)
    form = AnswerForm()
    attempt(lambda: answer_idea(idea, current_user, form.body.data),
            _("The official answer is published; supporters are told."), form=form)
    return redirect(url_for("ideas.show", idea_id=idea.id, _anchor="answer"))


@bp.route("/ideas/<int:idea_id>/merge", methods=["POST"])
@login_required
def merge(idea_id):
    """A steward merges this idea into another (`target_id`)."""
    idea = _idea_or_404(idea_id)
    raw = request.form.get("target_id", "").strip().lstrip("#")
    if not raw.isdigit():
        flash(_("Give the number of the idea to merge into, in digits (e.g. 201)."), "error")
        return redirect(url_for("ideas.show", idea_id=idea.id))
    target = get_by_id(Idea, int(raw)) if len(raw) < 11 else None
    if target is None:
        flash(_("There is no idea number %(num)s. Check the number on the idea's page.", num=raw), "error")
        return redirect(url_for("ideas.show", idea_id=idea.id))
    if attempt(lambda: merge_ideas(idea, target, current_user), _("The ideas are merged; both authors are told."),
               form=ActionForm()):
        return redirect(url_for("ideas.show", idea_id=target.id))
    return redirect(url_for("ideas.show", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id):
    """Edit one's idea until the first support."""
    idea = _idea_or_404(idea_id)
    if not idea.can_edit(current_user):
        if current_user.id != idea.author_id:
            abort(403)
        flash(_why_not_editable(idea), "error")
        return redirect(url_for("ideas.show", idea_id=idea.id))
    form = IdeaForm(data=None if request.method == "POST" else {
        "title": idea.title, "summary": idea.summary, "body": idea.body,
        "category": idea.category.code, "municipality": idea.municipality.code,
    })
    if attempt(lambda: edit_idea(idea, current_user, **_idea_fields(form)), _("Your changes are saved."),
               form=form, redirecting=False):
        return redirect(url_for("ideas.show", idea_id=idea.id))
    return render_template("ideas/form.html", form=form, idea=idea), 200 if not form.errors else 400


def _why_not_editable(idea) -> str:
    """Why the author can no longer edit the idea, in words they can act on."""
    if idea.support_count > 0:
        return _("Your idea can no longer be edited: people have supported it as it is. "
                 "Add what is new in a comment instead.")
    if idea.status not in (IdeaStatus.DRAFT.value, IdeaStatus.OPEN.value):
        return _("Your idea can no longer be edited: its status is “%(status)s”.", status=idea.status_label)
    return _("Your account cannot edit ideas at the moment.")


@bp.route("/ideas/<int:idea_id>/withdraw", methods=["POST"])
@login_required
def withdraw(idea_id):
    """The author withdraws the idea."""
    idea = _idea_or_404(idea_id)
    attempt(lambda: withdraw_idea(idea, current_user), _("Your idea is withdrawn."), form=ActionForm())
    return redirect(url_for("ideas.show", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/support", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["SUPPORTS_PER_USER"], key_func=user_key)
def support(idea_id):
    """Support the idea."""
    idea = _idea_or_404(idea_id)
    attempt(lambda: support_idea(idea, current_user), form=ActionForm())
    return redirect(_back_to(idea))


@bp.route("/ideas/<int:idea_id>/support/withdraw", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["SUPPORTS_PER_USER"], key_func=user_key)
def unsupport(idea_id):
    """Take one's support back."""
    idea = _idea_or_404(idea_id)
    attempt(lambda: withdraw_support(idea, current_user), form=ActionForm())
    return redirect(_back_to(idea))


def _back_to(idea) -> str:
    """Return to the list the button was on, or to the idea."""
    return safe_next(request.form.get("next"), url_for("ideas.show", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/comments", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["COMMENTS_PER_USER"], key_func=user_key)
def comment(idea_id):
    """Add a comment or a reply."""
    idea = _idea_or_404(idea_id)
    form = CommentForm()
    done = attempt(lambda: add_comment(idea, current_user, form.body.data, form.parent_id.data), form=form)
    if done:
        return redirect(url_for("ideas.show", idea_id=idea.id, _anchor=f"comment-{done.value.id}"))
    return redirect(url_for("ideas.show", idea_id=idea.id, _anchor="comments"))
