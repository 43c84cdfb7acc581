"""Pages: register, verify, log in, log out, language switch, password reset, confirming a new address."""
from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.auth import bp
from app.auth.credentials import confirm_email_change, reset_password, user_for_reset
from app.auth.forms import LoginForm, RegisterPageForm, ResendForm, ResetPageForm, ResetRequestForm
from app.auth.mails import send_reset_mail, send_sign_up_mail, send_verification_mail
from app.auth.operations import authenticate, end_sessions, sign_up, user_by_email, verify_email
from app.auth.sessions import fresh_session, start_session
from app.core.errors import DomainError
from app.core.forms import ActionForm
from app.core.security import login_failed, login_succeeded, login_wait, request_email_key, wait_message
from app.core.web import attempt, safe_next
from app.extensions import client_address, db, limiter

def _after_login() -> str:
    return safe_next(request.args.get("next"), url_for("ideas.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATIONS_PER_ADDRESS"], methods=["POST"], key_func=client_address)
def register():
    """Create an account; the answer is the same whether or not the address already has one."""
    if current_user.is_authenticated:
        return redirect(url_for("ideas.index"))
    form = RegisterPageForm(locale=session.get("locale", "ko"))
    done = attempt(lambda: sign_up(form.email.data, form.password.data, form.display_name.data, form.locale.data),
                   form=form, redirecting=False)
    if done:
        send_sign_up_mail(done.value)
        flash(_("We sent a message to %(email)s: follow its link to verify your address, then log in.",
                email=form.email.data.strip().lower()))
        return redirect(url_for("auth.login", email=form.email.data.strip().lower()))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


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
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("ideas.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password; failed attempts are counted (app/core/security.py) with the API's."""
    if current_user.is_authenticated:
        return redirect(_after_login())
    form = LoginForm(email=request.args.get("email", ""))
    wait = 0
    if form.validate_on_submit():
        wait = login_wait(form.email.data)
        if not wait:
            user = authenticate(form.email.data, form.password.data)
            if user is not None:
                login_succeeded(form.email.data)
                start_session(user, remember=form.remember.data)
                return redirect(_after_login())
            login_failed(form.email.data)
            form.password.errors.append(_("The email address or password is not correct."))
    if wait:
        response = make_response(render_template("auth/login.html", form=form, wait=wait_message(wait)), 429)
        response.headers["Retry-After"] = str(wait)
        return response
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out everywhere: a new session generation ends this session, the remember cookie and any copy of
    them (a POST with a CSRF token, so no link can log anyone out)."""
    form = ActionForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            end_sessions(current_user)
            db.session.commit()
        logout_user()
        fresh_session(logging_out=True)
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
    return redirect(safe_next(request.form.get("next"), url_for("ideas.index")))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.shared_limit(lambda: current_app.config["PASSWORD_RESETS_PER_EMAIL"], scope="password-reset-email",
                      methods=["POST"], key_func=request_email_key)
@limiter.shared_limit(lambda: current_app.config["PASSWORD_RESETS_PER_ADDRESS"], scope="password-reset-address",
                      methods=["POST"], key_func=client_address)
def reset_request():
    """Ask for a link to choose a new password; the answer is the same for any address."""
    form = ResetRequestForm(email=request.args.get("email", ""))
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user is not None and user.is_active:
            send_reset_mail(user)
        flash(_("If an account uses %(email)s, we sent it a link to choose a new password. The link works for an "
                "hour.", email=form.email.data.strip().lower()))
        return redirect(url_for("auth.login", email=form.email.data.strip().lower()))
    return render_template("auth/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"], endpoint="reset_password")
def reset_password_page(token):
    """Choose a new password from the mailed link."""
    try:
        user = user_for_reset(token)
    except DomainError as exc:
        return render_template("auth/reset_failed.html", message=exc.message), 400
    form = ResetPageForm()
    if attempt(lambda: reset_password(token, form.password.data), form=form, redirecting=False):
        login_succeeded(user.email)  # the link reached the mailbox: this address may log in even under attack
        if current_user.is_authenticated and current_user.id == user.id:
            logout_user()
            fresh_session(logging_out=True)
        flash(_("Your password is changed and every session is ended. Log in with the new password."))
        return redirect(url_for("auth.login", email=user.email))
    return render_template("auth/reset.html", form=form, user=user), 400 if form.errors else 200


@bp.route("/email/<token>")
def confirm_email(token):
    """Follow the link sent to a new address: it becomes the account's address."""
    try:
        user = confirm_email_change(token)
    except DomainError as exc:
        db.session.rollback()
        return render_template("auth/reset_failed.html", message=exc.message, email_change=True), 400
    db.session.commit()
    if current_user.is_authenticated and current_user.id == user.id:
        start_session(user)
    flash(_("Your email address is now %(email)s.", email=user.email))
    return redirect(url_for("account.index") if current_user.is_authenticated else url_for("auth.login",
                                                                                          email=user.email))
