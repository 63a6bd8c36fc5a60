"""Public pages of the feedback module: submit, look up and rate a case, the public list, figures."""

from collections.abc import Iterator

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache

from dangjian.accounts.permissions import HANDLE_FEEDBACK, has_capability
from dangjian.core.cache import public_page
from dangjian.core.history import ActionError
from dangjian.core.masking import mask_numbers
from dangjian.core.outage import keeps_form_during_outage
from dangjian.core.throttle import client_key
from dangjian.notifications import forms as code_forms
from dangjian.notifications import sms
from dangjian.organizations.models import Organization
from dangjian.organizations.portal import portal_context

from . import actions, mobile_lookup, stats
from .forms import FiguresPeriodForm, LookupForm, MobileForm, PublicFilterForm, RateForm, SubmitForm
from .models import Case, CaseEvent, CasePhoto, Category, State
from .records import mask_for_others

PAGE_SIZE = 20
ACCESS_KEY = "feedback_access"
ACCESS_KEPT = 20  # cases a browser session may follow at once
MOBILE_CASES_KEY = "feedback_mobile_cases"  # the case numbers of the mobile number last proved


def public_cases(organization: Organization):
    bounds = organization.subtree_range()
    return Case.objects.filter(listed=True, place_path__gte=bounds["gte"], place_path__lt=bounds["lt"]).select_related(
        "place", "lead_org"
    )


class CountedCases:
    """A queryset whose total comes from the statistics counters instead of COUNT(*) over the cases."""

    def __init__(self, queryset: QuerySet[Case], total: int):
        self.queryset = queryset
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[Case]:
        return iter(self.queryset)

    def __getitem__(self, index):
        return self.queryset[index]


@public_page
def case_list(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    form = PublicFilterForm(request.GET)
    filters = form.cleaned()
    cases = public_cases(organization)
    if "category" in filters:
        cases = cases.filter(category=filters["category"])
    counted = CountedCases(
        cases.order_by("-received_at", "-id"), stats.listed_count(organization, filters.get("category"))
    )
    page = Paginator(counted, PAGE_SIZE).get_page(request.GET.get("page"))
    context = portal_context(organization, "feedback")
    context.update(
        {
            "form": form,
            "page": page,
            "figures": stats.figures_for(organization)["total"],
            "query_string": "&".join(f"{k}={v}" for k, v in filters.items()),
        }
    )
    return render(request, "feedback/case_list.html", context)


@public_page
def case_detail(request, org_id: int, case_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    case = get_object_or_404(public_cases(organization), pk=case_id)
    context = portal_context(organization, "feedback")
    context.update({"case": case, "events": _public_events(case)})
    return render(request, "feedback/case_detail.html", context)


# The breakdown's columns: (sort key or "" when the column is not sortable, heading).
# The rates people look for first come right after the name, in view on a phone without scrolling the table.
BREAKDOWN_COLUMNS = [
    ("on_time", gettext_lazy("On-time rate")),
    ("satisfaction", gettext_lazy("Satisfaction")),
    ("received", pgettext_lazy("count of cases", "Received")),
    ("accepted", pgettext_lazy("count of cases", "Accepted")),
    ("answered", pgettext_lazy("count of cases", "Answered")),
    ("", pgettext_lazy("count of cases", "Answered on time")),
    ("overdue", pgettext_lazy("count of cases", "Overdue")),
    ("", pgettext_lazy("count of cases", "Not rated")),
]


@public_page
def figures(request, org_id: int):
    organization = get_object_or_404(Organization.objects.select_related("parent"), pk=org_id)
    context = portal_context(organization, "feedback")
    context.update(stats.figures_for(organization))
    form = FiguresPeriodForm(request.GET, today=timezone.localdate())
    period = form.period()
    sort = request.GET.get("sort", "")
    sort = sort if sort in stats.BREAKDOWN_SORTS else ""
    context.update(
        {"period_form": form, "sort": sort, "parent": organization.parent, "breakdown_columns": BREAKDOWN_COLUMNS}
    )
    if period is not None:
        shown = stats.breakdown(organization, *period)
        shown["rows"] = stats.sort_rows(shown["rows"], sort)
        context["breakdown"] = shown
        context["period_query"] = f"start={period[0].isoformat()}&end={period[1].isoformat()}"
    return render(request, "feedback/figures.html", context)


@keeps_form_during_outage(SubmitForm)
@never_cache
def submit(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    # A link may carry words over, e.g. a policy search that found nothing ("没找到？我要咨询").
    carried = {}
    if request.method != "POST":
        carried["title"] = " ".join(request.GET.get("title", "").split())[:100]
        if request.GET.get("category") in Category.values:
            carried["category"] = request.GET["category"]
    form = SubmitForm(request.POST or None, request.FILES or None, portal=organization, initial=carried)
    context = portal_context(organization, "feedback")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, password, created = actions.submit_case(
                place_id=data["place"].pk,
                category=data["category"],
                title=data["title"],
                description=data["description"],
                contact_phone=data["contact_phone"],
                is_public=data["is_public"],
                sms_consent=data.get("sms_consent", False),
                photos=data["photos"],
                client_token=data["client_token"],
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            _grant_access(request, case)
            context.update({"case": case, "password": password, "created": created})
            return render(request, "feedback/submitted.html", context)
    context.update({"form": form})
    return render(request, "feedback/submit.html", context, status=400 if form.errors else 200)


def _frame(request, organization: Organization | None = None) -> dict:
    """The page's frame: the portal of `organization` or of the one the citizen came from (`?org=`, kept by
    the forms, which post to their own address), else the site's plain frame."""
    if organization is None:
        value = request.GET.get("org", "")
        if value.isdigit() and len(value) < 12:
            organization = Organization.objects.filter(pk=int(value)).first()
    if organization is None:
        return {"frame": "base.html", "org_query": ""}
    context = portal_context(organization, "feedback")
    context.update({"frame": "organizations/portal_base.html", "org_query": f"?org={organization.pk}"})
    return context


@never_cache
def lookup(request):
    initial = {}
    number = "".join(ch for ch in request.GET.get("number", "")[:40] if ch.isdigit())[:20]
    if number:
        initial["number"] = number
    form = LookupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.find_case(form.cleaned_data["number"], form.cleaned_data["password"], client_key(request))
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            _grant_access(request, case)
            return redirect("feedback:track", number=case.number)
    context = _frame(request)
    context.update({"form": form, "by_mobile": sms.is_configured()})
    return render(request, "feedback/lookup.html", context, status=400 if form.errors else 200)


@never_cache
def lookup_mobile(request):
    """Look up one's cases by mobile number and a one-time code (only where SMS is configured)."""
    if not sms.is_configured():
        raise Http404
    context = _frame(request)
    step = request.POST.get("step", "")
    mobile_form = MobileForm(request.POST if step == "send" else None)
    code_form = None
    sent_to = ""
    sent = None
    if step == "send" and mobile_form.is_valid():
        try:
            sent = mobile_lookup.send_code(mobile_form.cleaned_data["mobile"], client_key(request))
        except ActionError as error:
            mobile_form.add_error("mobile", str(error))
        else:
            sent_to = mask_numbers(sent.mobile)
            code_form = code_forms.CodeForm(initial={"mobile": sent.mobile})
    elif step == "verify":
        code_form = code_forms.CodeForm(request.POST)
        if code_form.is_valid():
            try:
                numbers = mobile_lookup.check_code(
                    code_form.cleaned_data["mobile"], code_form.cleaned_data["code"], client_key(request)
                )
            except ActionError as error:
                code_form.add_error("code", str(error))
            else:
                for number in reversed(numbers):
                    _grant_access_number(request, number)
                request.session[MOBILE_CASES_KEY] = numbers
                return redirect(reverse("feedback:mine") + context["org_query"])
        mobile = sms.normalized_mobile(request.POST.get("mobile", ""))
        sent_to = mask_numbers(mobile) if mobile else ""
        if not mobile:
            code_form = None
            mobile_form.add_error(None, _("Enter an 11-digit mobile number, such as 13812345678."))
    context.update({"mobile_form": mobile_form, "code_form": code_form, "sent_to": sent_to, "sent": sent})
    failed = mobile_form.errors or (code_form is not None and code_form.errors)
    return render(request, "feedback/lookup_mobile.html", context, status=400 if failed else 200)


@never_cache
def mine(request):
    """The cases of the mobile number the citizen just proved to hold (lookup_mobile)."""
    numbers = request.session.get(MOBILE_CASES_KEY)
    context = _frame(request)
    if numbers is None:
        return redirect(reverse("feedback:lookup_mobile") + context["org_query"])
    cases = Case.objects.filter(number__in=numbers).select_related("place").order_by("-received_at", "-id")
    context.update({"cases": cases})
    return render(request, "feedback/mine.html", context)


def _grant_access(request, case: Case) -> None:
    _grant_access_number(request, case.number)


def _grant_access_number(request, number: str) -> None:
    allowed = [n for n in request.session.get(ACCESS_KEY, []) if n != number]
    request.session[ACCESS_KEY] = [*allowed, number][-ACCESS_KEPT:]


def _tracked_case(request, number: str) -> Case:
    if number not in request.session.get(ACCESS_KEY, []):
        raise Http404
    return get_object_or_404(Case.objects.select_related("place", "merged_into", "lead_org"), number=number)


def _public_events(case: Case):
    return CaseEvent.objects.filter(case=case, public=True).select_related("organization")


@never_cache
def track(request, number: str):
    if number not in request.session.get(ACCESS_KEY, []):
        # E.g. the link of the SMS: the lookup form, the number filled in, in the frame the link names.
        messages.info(request, _("Enter the tracking number and the query password to see the case."))
        query = {"number": "".join(ch for ch in number[:40] if ch.isdigit())[:20]}
        if request.GET.get("org", "").isdigit():
            query["org"] = request.GET["org"][:12]
        return redirect(reverse("feedback:lookup") + "?" + urlencode(query))
    case = _tracked_case(request, number)
    main = case.main
    own = main.pk == case.pk
    form = RateForm(request.POST or None)
    if request.method == "POST" and own and form.is_valid():
        try:
            actions.rate_case(case.pk, form.cleaned_data["rating"], form.cleaned_data["comment"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you, your rating was recorded."))
            return redirect("feedback:track", number=number)
    return render(
        request,
        "feedback/track.html",
        {
            "case": case,
            "main": main,
            "events": _public_events(main),
            "own_events": _public_events(case) if not own else [],
            # Texts of the main case are written to its citizen; a citizen whose case was merged into it
            # reads them masked, like the public.
            "reply": main.reply if own else main.reply_public,
            "reject_reason": main.reject_reason if own else mask_for_others(main, main.reject_reason),
            "photos": case.photos.all(),
            "form": form if main.state == State.ANSWERED and own else None,
            **_frame(request, case.place),
        },
        status=400 if form.errors else 200,
    )


def photo(request, photo_id: int):
    """A case photo, for the citizen who follows the case or staff who may handle it."""
    item = get_object_or_404(CasePhoto.objects.select_related("case__place", "case__lead_org"), pk=photo_id)
    case = item.case
    allowed = case.number in request.session.get(ACCESS_KEY, []) or any(
        has_capability(request.user, HANDLE_FEEDBACK, org) for org in [case.place, case.lead_org] if org
    )
    if not allowed:
        raise Http404
    response = FileResponse(item.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


__all__ = ["case_list", "case_detail", "figures", "submit", "lookup", "lookup_mobile", "mine", "track", "photo"]
