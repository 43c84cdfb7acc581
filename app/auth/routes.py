"""Pages: register, verify, log in, log out, language switch."""
from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp
from app.auth.forms import LoginForm, RegisterPageForm, ResendForm
from app.auth.operations import authenticate, register_user, send_verification_mail, verify_email
from app.core.errors import DomainError
from app.core.forms import ActionForm
from app.core.security import login_account_key, login_failed
from app.extensions import client_address, db, limiter


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("ideas.index")


def start_session(user, remember: bool = False) -> None:
    """Log in with a fresh session, so a session id planted before login is worthless."""
    locale = session.get("locale")
    session.clear()
    login_user(user, remember=remember)
    if locale:
        session["locale"] = locale


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATIONS_PER_ADDRESS"], methods=["POST"], key_func=client_address)
def register():
    """Create an account and send the verification mail."""
    if current_user.is_authenticated:
        return redirect(url_for("ideas.index"))
    form = RegisterPageForm(locale=session.get("locale", "ko"))
    if form.validate_on_submit():
        try:
            user = register_user(form.email.data, form.password.data, form.display_name.data, form.locale.data)
        except DomainError as exc:
            db.session.rollback()
            for field, messages in exc.fields.items():
                getattr(form, field).errors.extend(messages)
        else:
            db.session.commit()
            send_verification_mail(user)
            start_session(user)
            flash(_("Welcome! We sent a link to %(email)s: follow it to verify your address.", email=user.email))
            return redirect(url_for("ideas.index"))
    return render_template("auth/register.html", form=form), 200 if not form.errors else 400


@bp.route("/verify/<token>")
def verify(token):
    """Follow the link from the verification mail."""
    try:
        user = verify_email(token)
    except DomainError as exc:
        db.session.rollback()
        return render_template("auth/verify_failed.html", message=exc.message, form=ResendForm()), 400
    db.session.commit()
    flash(_("Your email address is verified. You can now post, support and comment."))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", email=user.email))
    return redirect(url_for("ideas.index"))


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit("5 per hour", key_func=lambda: f"resend:{current_user.id}")
def resend_verification():
    """Send the verification mail again."""
    if current_user.is_verified:
        flash(_("Your email address is already verified."))
    else:
        send_verification_mail(current_user)
        flash(_("We sent a new verification link to %(email)s.", email=current_user.email))
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url) else url_for("ideas.index"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILS_PER_ACCOUNT"], methods=["POST"],
               key_func=login_account_key, deduct_when=login_failed)
@limiter.limit(lambda: current_app.config["LOGIN_FAILS_PER_ADDRESS"], methods=["POST"],
               key_func=client_address, deduct_when=login_failed)
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm(email=request.args.get("email", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        g.login_failed = True
        form.password.errors.append(_("The email address or password is not correct."))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out (a POST with a CSRF token, so no link can log anyone out)."""
    form = ActionForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are logged out."))
    return redirect(url_for("ideas.index"))


@bp.route("/locale", methods=["POST"])
def set_locale():
    """Switch the interface language (remembered on the account when logged in)."""
    form = ActionForm()
    locale = request.form.get("locale")
    if form.validate_on_submit() and locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
