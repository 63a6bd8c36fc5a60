"""Riding out a database outage (a restart, a failover, a network cut).

- Web: `DatabaseOutageMiddleware` (and `server_error` and `bad_request`, the 500 and 400 handlers, for
  errors raised outside a view, e.g. saving the session after a case was registered) answer a Chinese
  "temporarily unavailable" page with status 503 and Retry-After instead of a server error. A public
  form marked with `@keeps_form_during_outage(FormClass)` is shown again with what the visitor typed
  (its one-time token included, so sending it again later makes one record), rendered without the
  database: choices that come from the database travel as hidden fields.
- Background processes: `wait_for_database()` logs the outage once, retries with backoff until the
  database answers, logs its end once and returns, so the task worker and the clock carry on.

Nothing about the visitor is logged: only the kind of database error, at most once a minute per process.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable

from django import db, forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.views import defaults

from .context_processors import LARGE_TEXT_COOKIE

logger = logging.getLogger("dangjian.outage")

DATABASE_ERRORS: tuple[type[Exception], ...] = (db.OperationalError, db.InterfaceError)
RETRY_AFTER_SECONDS = 10
WEB_LOG_INTERVAL = 60.0
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 5.0


def describe(error: BaseException) -> str:
    """The kind of error and the first line of its message (connection errors carry no personal data)."""
    first_line = (str(error).strip().splitlines() or [""])[0][:200]
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__


# --- Web -------------------------------------------------------------------------------------


class _WebLog:
    """One warning per process per minute while the database is unreachable."""

    def __init__(self):
        self.lock = threading.Lock()
        self.last = -WEB_LOG_INTERVAL
        self.suppressed = 0

    def note(self, error: BaseException) -> None:
        with self.lock:
            now = time.monotonic()
            if now - self.last < WEB_LOG_INTERVAL:
                self.suppressed += 1
                return
            suppressed, self.suppressed, self.last = self.suppressed, 0, now
        logger.warning(
            "database unavailable (%s): answering 503 Service Unavailable%s",
            describe(error),
            f" ({suppressed} more such answers since the last message)" if suppressed else "",
        )


_web_log = _WebLog()


def keeps_form_during_outage(form_class: type[forms.BaseForm]) -> Callable:
    """Mark a view whose POST form is shown again, filled in, when the database is unavailable."""

    def decorator(view: Callable) -> Callable:
        view.outage_form = form_class  # type: ignore[attr-defined]
        return view

    return decorator


def kept_form(form_class: type[forms.BaseForm], data, files) -> tuple[forms.BaseForm, bool]:
    """The form filled in from the posted data, built without touching the database.

    The form class's own __init__ (which may load choices) is skipped. A field whose choices come
    from the database keeps the visitor's choice in a hidden input; file fields are dropped (a
    browser cannot be given files back). Returns (form, whether files sent were dropped).
    """
    form = form_class.__new__(form_class)
    forms.BaseForm.__init__(form)
    dropped_files = False
    initial = {}
    for name, field in list(form.fields.items()):
        if isinstance(field, forms.FileField):
            del form.fields[name]
            dropped_files = dropped_files or any(files.getlist(form.add_prefix(name)))
            continue
        if isinstance(field, forms.ModelChoiceField) or (isinstance(field, forms.ChoiceField) and not field.choices):
            multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
            field.widget = forms.MultipleHiddenInput() if multiple else forms.HiddenInput()
        initial[name] = field.widget.value_from_datadict(data, {}, form.add_prefix(name))
    form.initial = initial
    return form, dropped_files


def unavailable_response(request, error: BaseException) -> HttpResponse:
    """The 503 page, rendered without the database (no context processors, no session, no user)."""
    _web_log.note(error)
    match = getattr(request, "resolver_match", None)
    view = match.func if match else None
    form_class = getattr(view, "outage_form", None) if request.method == "POST" else None
    context = {
        "request": request,
        "user": AnonymousUser(),
        "messages": (),
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "platform_name": settings.SITE_NAME,
        "submitting": request.method == "POST",
    }
    if form_class is not None:
        context["form"], context["dropped_files"] = kept_form(form_class, request.POST, request.FILES)
        if not getattr(view, "csrf_exempt", False):  # a csrf-exempt form (supervision) gets no cookie
            context["csrf_token"] = get_token(request)
    response = HttpResponse(render_to_string("core/unavailable.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # django.request would log every 503 with its path (a /supervision/ path included); the
    # outage is logged above, once a minute, with no path.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class DatabaseOutageMiddleware:
    """Turn a database connection error raised by a view into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return unavailable_response(request, exception)
        return None


def database_error_behind(error: BaseException | None) -> BaseException | None:
    """The database connection error that caused `error` (itself, or one it was raised from), if any.

    Django turns some into other errors: a session that cannot be saved becomes UpdateError, then
    SessionInterrupted, a "400 Bad Request".
    """
    for _depth in range(5):
        if error is None or isinstance(error, DATABASE_ERRORS):
            return error
        error = error.__cause__ or error.__context__
    return None


def server_error(request, template_name: str = defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: a database outage met outside a view is a 503 too."""
    error = database_error_behind(sys.exception())
    if error is not None:
        return unavailable_response(request, error)
    return defaults.server_error(request, template_name)


def bad_request(request, exception, template_name: str = defaults.ERROR_400_TEMPLATE_NAME):
    """handler400: a session that could not be saved because of an outage is a 503, not a bare 400."""
    error = database_error_behind(exception)
    if error is not None:
        return unavailable_response(request, error)
    return defaults.bad_request(request, exception, template_name)


# --- Background processes ------------------------------------------------------------------


def wait_for_database(
    error: BaseException, who: str, stop: Callable[[], bool] = lambda: False, sleep: Callable = time.sleep
) -> bool:
    """Called with the error that showed the outage: wait until the database answers again.

    Logs once when the outage starts and once when it ends; between, retries with a backoff that
    grows from half a second to five. Returns False if `stop()` became true while waiting.
    """
    started = time.monotonic()
    logger.warning("%s: database unavailable (%s); waiting for it and retrying", who, describe(error))
    delay = BACKOFF_FIRST
    while not stop():
        db.connections.close_all()
        sleep(delay)
        try:
            db.connection.ensure_connection()
        except DATABASE_ERRORS:
            delay = min(delay * 2, BACKOFF_MAX)
            continue
        logger.warning("%s: database back after %.1f s; carrying on", who, time.monotonic() - started)
        return True
    return False
