"""Console pages of the question banks (MANAGE_QUESTIONS): the banks one keeps (and a new one), a bank's questions
with filters, a question's form, archiving, and the Excel template, import (check → preview → confirm) and export.

Between the check and the confirmation nothing is stored: the preview's confirm button carries the checked rows
signed by the server (with the bank, the person and the time), and the confirmation checks them all again inside
its transaction, so a forged, stale or repeated confirmation writes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import MANAGE_QUESTIONS, organizations_for
from dangjian.console.shell import console_view, render_form_page
from dangjian.core.history import ActionError, EditConflict, InvalidInput, NotFound

from . import bank_actions, bank_excel, competencies, grading, queries
from .bank_forms import BankForm, QuestionFilterForm, QuestionForm, UploadForm
from .models import Question, QuestionBank

PAGE_SIZE = 50
IMPORT_SALT = "learning.bank_import"
IMPORT_MAX_AGE = 24 * 60 * 60


def _bank(request, bank_id: int) -> QuestionBank:
    bank = queries.get_for_user(
        QuestionBank.objects.select_related("organization"), request.user, bank_id, MANAGE_QUESTIONS
    )
    return bank  # type: ignore[return-value]


def banks_above(user):
    """The banks of the organizations above those where the person keeps questions: their exams (and the quizzes
    of their organizations' courses) may draw on them, so they may read them, but never change them (every action
    still asks MANAGE_QUESTIONS over the bank's organization). A neighbour's banks are not among them."""
    if queries.is_superuser(user):
        return QuestionBank.objects.none()
    places = organizations_for(user, MANAGE_QUESTIONS).filter(closed_at=None)
    above: set[int] = set()
    for organization in places[:500]:
        above.update(organization.ancestor_ids[:-1])
    own = queries.within_scope(QuestionBank.objects.all(), user, MANAGE_QUESTIONS).values("pk")
    return (
        QuestionBank.objects.filter(organization_id__in=above, organization__closed_at=None)
        .exclude(pk__in=own)
        .select_related("organization")
    )


@console_view
def bank_list(request):
    """The banks of the organizations where one keeps questions, and a new bank on one of them."""
    if not queries.may_use(request.user, MANAGE_QUESTIONS):
        raise Http404
    places = organizations_for(request.user, MANAGE_QUESTIONS).filter(closed_at=None).order_by("path")[:500]
    form = BankForm(request.POST or None, organizations=places)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                bank = bank_actions.create_bank(
                    request.user,
                    form.cleaned_data["organization"],
                    form.cleaned_data["name"],
                    form.cleaned_data["description"],
                )
            except InvalidInput as error:
                for name, field_errors in error.errors.items():
                    for message in field_errors:
                        form.add_error(name if name in form.fields else None, message)
            except NotFound:
                raise Http404 from None
            else:
                messages.success(request, _("The bank was created. Add its questions, or import them from Excel."))
                return redirect("console:question_bank", bank.pk)
        status = 400
    banks = (
        queries.within_scope(QuestionBank.objects.select_related("organization"), request.user, MANAGE_QUESTIONS)
        .annotate(
            live=Count("questions", filter=Q(questions__archived_at=None)),
        )
        .order_by("organization__path", "name")
    )
    above = (
        banks_above(request.user)
        .annotate(live=Count("questions", filter=Q(questions__archived_at=None)))
        .order_by("organization__path", "name")
    )
    return render(request, "learning/bank_list.html", {"banks": banks, "above": above, "form": form}, status=status)


def _filtered(bank: QuestionBank, form: QuestionFilterForm):
    questions = Question.objects.filter(bank=bank).select_related("competency").prefetch_related("tags")
    data = form.cleaned_data if form.is_valid() else {}
    questions = questions.exclude(archived_at=None) if data.get("archived") else questions.filter(archived_at=None)
    if data.get("kind"):
        questions = questions.filter(kind=data["kind"])
    if data.get("tag"):
        questions = questions.filter(tags__name=data["tag"].strip())
    if data.get("competency"):
        questions = questions.filter(competency_id=data["competency"])
    for word in (data.get("q") or "").split()[:5]:
        questions = questions.filter(Q(text__icontains=word) | Q(explanation__icontains=word))
    return questions.order_by("-pk")


@console_view
def bank_detail(request, bank_id: int):
    read_only = False
    try:
        bank = _bank(request, bank_id)
    except Http404:
        found = banks_above(request.user).filter(pk=bank_id).first()
        if found is None:
            raise
        bank, read_only = found, True
    framework = competencies.framework_for(bank.organization)
    form = QuestionFilterForm(request.GET or None, competencies=framework)
    page = Paginator(_filtered(bank, form), PAGE_SIZE).get_page(request.GET.get("page"))
    for question in page:
        question.shown_answer = grading.shown_answer(question)
    query = request.GET.copy()
    query.pop("page", None)
    counts = dict(
        Question.objects.filter(bank=bank, archived_at=None).values_list("kind").annotate(n=Count("pk")).order_by()
    )
    kinds = [(label, counts.get(value, 0)) for value, label in Question.Kind.choices]
    tags = (
        Question.tags.through.objects.filter(question__bank=bank, question__archived_at=None)
        .values_list("tag__name")
        .annotate(n=Count("pk"))  # type: ignore[misc]
        .order_by("-n", "tag__name")[:30]
    )
    return render(
        request,
        "learning/bank_detail.html",
        {
            # A bank above is read, not managed: no link to that organization's console page in the frame.
            "org": None if read_only else bank.organization,
            "bank": bank,
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "kinds": kinds,
            "total": sum(counts.values()),
            "tags": tags,
            "read_only": read_only,
        },
    )


@console_view
def question_edit(request, bank_id: int, question_id: int | None = None):
    bank = _bank(request, bank_id)
    question = Question(bank=bank, kind=Question.Kind.SINGLE)
    if question_id is not None:
        found = Question.objects.select_related("competency").filter(pk=question_id, bank=bank).first()
        if found is None:
            raise Http404
        question = found
    framework = competencies.framework_for(bank.organization)
    form = QuestionForm(request.POST or None, instance=question, competencies=framework)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = bank_actions.save_question(
                    request.user,
                    bank.pk,
                    form.to_input(),
                    question_id=question_id,
                    expected_version=form.expected_version,
                )
            except InvalidInput as error:
                form.add_action_errors(error.errors)
            except NotFound:
                raise Http404 from None
            except (EditConflict, ActionError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The question was saved."))
                if request.POST.get("another"):
                    return redirect("console:question_new", bank.pk)
                return redirect(f"{reverse('console:question_bank', args=[bank.pk])}#q{saved.pk}")
        status = 400
    title = _("Edit question") if question_id else _("New question")
    return render_form_page(
        request,
        form,
        org=bank.organization,
        title=f"{title} · {bank.name}",
        template="learning/bank_question_form.html",
        status=status,
        bank=bank,
        letters=bank_actions.LETTERS,
    )


@console_view
@require_POST
def question_archive(request, bank_id: int, question_id: int):
    bank = _bank(request, bank_id)
    restore = bool(request.POST.get("restore"))
    try:
        bank_actions.archive_question(request.user, bank.pk, question_id, restore=restore)
    except NotFound:
        raise Http404 from None
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The question is back in the bank.")
            if restore
            else _("The question was archived: no new quiz or exam draws it; past attempts keep it."),
        )
    return redirect("console:question_bank", bank.pk)


# --- Excel -------------------------------------------------------------------------------------------------


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=bank_excel.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@console_view
def bank_template(request, bank_id: int):
    bank = _bank(request, bank_id)
    return _xlsx(bank_excel.template_workbook(bank), _("Question template") + ".xlsx")


@console_view
def bank_export(request, bank_id: int):
    bank = _bank(request, bank_id)
    return _xlsx(bank_excel.export_workbook(bank), f"{bank.name}.xlsx")


def _import_page(request, bank, form, *, checked=None, token: str = "", status: int = 200):
    return render(
        request,
        "learning/bank_import.html",
        {
            "org": bank.organization,
            "bank": bank,
            "form": form,
            "checked": checked,
            "token": token,
            "shown_limit": bank_excel.SHOWN_ROWS,
            "max_mb": f"{bank_excel._max_bytes() / 1024 / 1024:.0f}",
            "max_rows": bank_excel._max_rows(),
        },
        status=status,
    )


@console_view
def bank_import(request, bank_id: int):
    """Upload a filled-in template: every row is checked and the preview lists the rows with problems (row number
    and reasons); only a clean file can be confirmed."""
    bank = _bank(request, bank_id)
    if request.method != "POST":
        return _import_page(request, bank, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, bank, form, status=400)
    try:
        checked = bank_excel.check_upload(request.user, bank.pk, form.cleaned_data["file"])
    except NotFound:
        raise Http404 from None
    except ActionError as error:
        form.add_error("file", str(error))
        return _import_page(request, bank, form, status=400)
    token = ""
    if checked.clean:
        token = signing.dumps(
            {"bank": bank.pk, "user": request.user.pk, "rows": checked.good},
            salt=IMPORT_SALT,
            compress=True,
        )
    return _import_page(request, bank, UploadForm(), checked=checked, token=token)


@console_view
@require_POST
def bank_import_confirm(request, bank_id: int):
    bank = _bank(request, bank_id)
    try:
        payload = signing.loads(request.POST.get("checked", ""), salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    except signing.SignatureExpired:
        messages.error(request, _("This check is more than a day old. Upload the file again."))
        return redirect("console:question_bank_import", bank.pk)
    except signing.BadSignature:
        messages.error(request, _("The checked file could not be read. Upload it again."))
        return redirect("console:question_bank_import", bank.pk)
    if payload.get("bank") != bank.pk or payload.get("user") != request.user.pk:
        raise Http404
    try:
        written = bank_actions.import_questions(request.user, bank.pk, payload.get("rows") or [])
    except NotFound:
        raise Http404 from None
    except ActionError as error:
        messages.error(request, str(error))
        return redirect("console:question_bank_import", bank.pk)
    messages.success(request, _("%(n)d questions were imported.") % {"n": written})
    return redirect("console:question_bank", bank.pk)
