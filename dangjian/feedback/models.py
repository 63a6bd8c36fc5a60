"""Cases of the public feedback loop (群众反馈) and what surrounds them.

The workflow (states, the transitions between them, who may take each) lives in `workflow.py`;
every write goes through `actions.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.notifications.models import OneTimeCode


class Category(models.TextChoices):
    CONSULT = "consult", _("Enquiry")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class State(models.TextChoices):
    RECEIVED = "received", _("Awaiting acceptance")
    REJECTED = "rejected", _("Not accepted")
    ACCEPTED = "accepted", _("Accepted, awaiting dispatch")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned by the handling organization")
    IN_PROGRESS = "in_progress", _("Being handled")
    PENDING_APPROVAL = "pending_approval", _("Reply awaiting approval")
    ANSWERED = "answered", _("Answered, awaiting rating")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged with another case")


# States in which the organization still owes an answer (the answer deadline runs).
OPEN_STATES = {
    State.ACCEPTED,
    State.RETURNED,
    State.DISPATCHED,
    State.IN_PROGRESS,
    State.PENDING_APPROVAL,
}
# States shown on public lists (when the citizen allowed it).
PUBLIC_STATES = OPEN_STATES | {State.ANSWERED, State.CLOSED}
ANSWER_VISIBLE_STATES = {State.ANSWERED, State.CLOSED}
# States in which a case waits for the organization (to accept, or to answer), in a fixed order: the SQL of a
# query stays the same from one process to the next.
WAITING_STATES = [State.RECEIVED, *sorted(OPEN_STATES)]


def overdue_condition(now) -> models.Q:
    """Waiting past the deadline in force: to accept (received) or to answer (an open state), as the clock's
    supervision (督办), the inbox's figures and the usage summaries count them. The leading `state IN` lets the
    database read only the waiting cases of a subtree (index feedback_case_state_place_idx), whatever its
    statistics say, instead of every case ever received there."""
    return models.Q(state__in=WAITING_STATES) & (
        models.Q(state=State.RECEIVED, accept_deadline__lt=now)
        | models.Q(state__in=OPEN_STATES, answer_deadline__lt=now)
    )


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")
    UNRATED = "unrated", _("Not rated")


class TimeLimit(models.Model):
    """Working days allowed per category (configurable; defaults from PRODUCT.md)."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, unique=True)
    accept_days = models.PositiveSmallIntegerField(_("working days to accept"), default=1)
    answer_days = models.PositiveSmallIntegerField(_("working days to answer"))
    urgent_answer_days = models.PositiveSmallIntegerField(
        _("working days to answer an urgent case"), default=0, help_text=_("0 means the same working day.")
    )
    rating_days = models.PositiveSmallIntegerField(_("working days the citizen has to rate"), default=20)

    class Meta:
        ordering = ["category"]
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")

    def __str__(self) -> str:
        return self.get_category_display()


class FeedbackSettings(models.Model):
    """Per-organization settings of the feedback module."""

    organization = models.OneToOneField(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="feedback_settings",
        verbose_name=_("organization"),
    )
    answers_need_approval = models.BooleanField(
        _("replies need the secretary's approval before publication"), default=False
    )

    class Meta:
        verbose_name = _("feedback settings")
        verbose_name_plural = _("feedback settings")

    def __str__(self) -> str:
        return str(self.organization)


class DispatchRule(models.Model):
    """The dispatch catalogue: which organization leads on a category of problem in a place.

    A rule on a township applies to every village below it unless a deeper rule says otherwise; a
    rule without a category applies to every category.
    """

    place = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("place")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    lead = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("lead organization"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["place", "category"], name="feedback_rule_unique")]
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")

    def __str__(self) -> str:
        return f"{self.place} / {self.get_category_display() or '*'} -> {self.lead}"


class Case(models.Model):
    number = models.CharField(_("tracking number"), max_length=20, unique=True)
    password_hash = models.CharField(max_length=128, editable=False)
    client_token = models.UUIDField(null=True, unique=True, editable=False)

    place = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="feedback_cases",
        verbose_name=_("place"),
    )
    place_path = models.CharField(max_length=255, editable=False, db_index=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=5000)
    title_public = models.CharField(max_length=100, editable=False)
    description_public = models.TextField(editable=False)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # The citizen asked for a short message when the answer is ready (sent once, to contact_phone).
    sms_consent = models.BooleanField(_("text me when answered"), default=False)
    # The words of title and description (core/text.index_text), indexed for the inbox search (search.py).
    search_tokens = models.TextField(editable=False, blank=True, default="")
    is_public = models.BooleanField(_("may be shown publicly"), default=False)
    urgent = models.BooleanField(_("urgent"), default=False)

    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.RECEIVED)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    accept_deadline = models.DateTimeField(_("accept by"))
    answer_deadline = models.DateTimeField(_("answer by"))
    rating_deadline = models.DateTimeField(_("rate by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    handling_org = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dispatching organization"),
    )
    lead_org = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_led",
        verbose_name=_("lead organization"),
    )
    lead_path = models.CharField(max_length=255, editable=False, blank=True, db_index=True)
    assisting_orgs = models.ManyToManyField(
        "organizations.Organization", blank=True, related_name="feedback_assisted", verbose_name=_("assisting")
    )
    reject_reason = models.TextField(_("reason for not accepting"), blank=True)
    reply = models.TextField(_("reply"), blank=True, max_length=5000)
    reply_public = models.TextField(editable=False, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_on_time = models.BooleanField(null=True, editable=False)
    first_answered_at = models.DateTimeField(null=True, blank=True, editable=False)

    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True, max_length=1000)
    rating_comment_public = models.TextField(editable=False, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    redo_count = models.PositiveSmallIntegerField(default=0, editable=False)

    supervised = models.BooleanField(_("under supervision (督办)"), default=False)
    supervised_at = models.DateTimeField(null=True, blank=True)
    supervising_org = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_supervised",
        verbose_name=_("supervising organization"),
    )

    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    supporters = models.PositiveIntegerField(_("people who raised it"), default=1)
    # Where the case came from when another module raised it (e.g. a question to the organization, 问政): the words
    # and the staff page shown on the case's console page.
    origin_label = models.CharField(_("origin"), max_length=60, blank=True, default="", editable=False)
    origin_url = models.CharField(max_length=200, blank=True, default="", editable=False)
    # Shown on public lists: the citizen allowed it, it was accepted, and it is not merged away.
    listed = models.BooleanField(default=False, editable=False)

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The case's notifications (notifications.Notification targets it) go with it.
    notices = GenericRelation(
        "notifications.Notification", content_type_field="target_type", object_id_field="target_id"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "answer_deadline"], name="feedback_case_due_idx"),
            models.Index(fields=["state", "place_path"], name="feedback_case_state_place_idx"),
            models.Index(fields=["place_path", "-received_at"], name="feedback_case_place_idx"),
            models.Index(fields=["listed", "-received_at", "-id"], name="feedback_case_listed_idx"),
            models.Index(fields=["-received_at", "-id"], name="feedback_case_received_idx"),
            models.Index(fields=["contact_phone"], name="feedback_case_phone_idx"),
        ]
        verbose_name = _("feedback case")
        verbose_name_plural = _("feedback cases")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if self.place_id and (not self.place_path or self.place.path != self.place_path):
            self.place_path = self.place.path
        self.listed = self.should_be_listed()
        self.lead_path = self.lead_org.path if self.lead_org is not None else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "lead_org" in update_fields:
            kwargs["update_fields"] = [*update_fields, "lead_path"]
        super().save(*args, **kwargs)

    def should_be_listed(self) -> bool:
        return self.is_public and self.state in PUBLIC_STATES and not self.merged_into_id

    @property
    def main(self) -> Case:
        """The case whose progress this one follows (itself unless merged)."""
        return self.merged_into if self.merged_into is not None else self

    @property
    def answer_visible(self) -> bool:
        return self.state in ANSWER_VISIBLE_STATES

    def deadline_in_force(self):
        if self.state == State.RECEIVED:
            return self.accept_deadline
        if self.state in OPEN_STATES:
            return self.answer_deadline
        if self.state == State.ANSWERED:
            return self.rating_deadline
        return None

    def is_overdue(self, now=None) -> bool:
        deadline = self.deadline_in_force()
        if deadline is None or self.state == State.ANSWERED:
            return False
        return (now or timezone.now()) > deadline


class CaseEvent(models.Model):
    """One step in a case's life: a transition, a note, a supervision flag. Never edited."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        ACCEPT = "accept", _("Accepted")
        REJECT = "reject", _("Not accepted")
        DISPATCH = "dispatch", _("Dispatched")
        RETURN = "return", _("Returned (退单)")
        START = "start", _("Handling started")
        ANSWER = "answer", _("Reply written")
        APPROVE = "approve", _("Reply approved")
        SEND_BACK = "send_back", _("Reply sent back for revision")
        PUBLISH = "publish", _("Reply published")
        RATE = "rate", _("Rated")
        REDO = "redo", _("Reopened for redoing (重办)")
        CLOSE = "close", _("Closed")
        MERGE = "merge", _("Merged")
        SUPERVISE = "supervise", _("Overdue: under supervision (督办)")
        EXTEND_REQUEST = "extend_request", _("Extension requested")
        EXTEND_APPROVE = "extend_approve", _("Extension approved")
        EXTEND_REFUSE = "extend_refuse", _("Extension refused")
        NOTE = "note", _("Internal note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="feedback/%Y/%m/")
    by_staff = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name or ""


class ReplyTemplate(models.Model):
    """Reusable reply text; an organization's templates are offered to every organization below it."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    title = models.CharField(_("title"), max_length=60)
    text = models.TextField(_("text"), max_length=3000)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Extension(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("extra working days"))
    reason = models.TextField(_("reason"), max_length=1000)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class CaseStat(models.Model):
    """Counters per (place, month received, category), kept up to date by the actions.

    Portal figures sum these rows over a subtree, so no page ever counts all cases.
    `rebuild_stats()` recomputes them from the cases.
    """

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    month = models.DateField()
    category = models.CharField(max_length=20, choices=Category.choices)
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_on_time = models.PositiveIntegerField(default=0)
    answer_seconds = models.PositiveBigIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basic = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    unrated = models.PositiveIntegerField(default=0)
    listed = models.PositiveIntegerField(default=0)  # cases on the public list

    COUNTERS = (
        "received",
        "accepted",
        "rejected",
        "answered",
        "answered_on_time",
        "answer_seconds",
        "satisfied",
        "basic",
        "unsatisfied",
        "unrated",
        "listed",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "month", "category"], name="feedback_stat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month} {self.category}"


class LookupCode(OneTimeCode):
    """A one-time code sent by SMS so a citizen can list their cases by mobile number (mobile_lookup.py).

    Neither the number nor the code is stored: `mobile_digest` and `code_hash` are keyed hashes (HMAC with
    the secret key). A code expires after 10 minutes, dies after a few wrong tries and works once.
    """
