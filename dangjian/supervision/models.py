"""Supervision reports (检举控告), stored so that a copy of the database and of the files reveals no content.

What is in the clear: which unit received a report, its state, dates (days, not times), whether it
was made under a real name (for priority), and key material that is useless without an officer's
password, a reporter's receipt or a unit's recovery key. Everything a report says is in `payload`,
`ReportEvent.text`, `Message.body` and the encrypted evidence files.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Discipline(models.TextChoices):
    POLITICAL = "political", _("Political discipline")
    ORGANIZATIONAL = "organizational", _("Organizational discipline")
    INTEGRITY = "integrity", _("Integrity discipline")
    MASSES = "masses", _("Discipline towards the masses")
    WORK = "work", _("Work discipline")
    LIFE = "life", _("Discipline in private life")


# The kinds of conduct under each discipline, the ones a villager names in everyday words first, and
# exactly one "其他" (last) under each. Reports keep the name itself; the order is only the form's.
SUBCATEGORIES: dict[str, list[str]] = {
    Discipline.POLITICAL: ["搞团团伙伙", "对抗组织审查", "妄议中央大政方针", "其他"],
    Discipline.ORGANIZATIONAL: ["拉票贿选", "违规选人用人", "不如实报告个人有关事项", "其他"],
    Discipline.INTEGRITY: ["吃拿卡要", "收受礼品礼金", "优亲厚友", "违规吃喝", "公款旅游", "违规发放津补贴", "其他"],
    Discipline.MASSES: ["办事推诿刁难", "截留挪用惠民资金", "侵害群众利益", "其他"],
    Discipline.WORK: ["失职失责", "违规干预插手", "形式主义官僚主义", "其他"],
    Discipline.LIFE: ["生活奢靡", "家风不正", "违背公序良俗", "其他"],
}


class State(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("report state", "Received")
    ACCEPTED = "accepted", pgettext_lazy("report state", "Accepted")
    NOT_ACCEPTED = "not_accepted", pgettext_lazy("report state", "Not accepted")
    FORWARDED = "forwarded", pgettext_lazy("report state", "Forwarded to a lower unit")
    IN_DISPOSAL = "in_disposal", pgettext_lazy("report state", "Being dealt with")
    CONCLUDED = "concluded", pgettext_lazy("report state", "Concluded")
    FED_BACK = "fed_back", pgettext_lazy("report state", "Result given to the reporter")
    OBJECTED = "objected", pgettext_lazy("report state", "Objection recorded")
    ARCHIVED = "archived", pgettext_lazy("report state", "Archived")


class Disposal(models.TextChoices):
    TALK = "talk", _("Talk or written enquiry (谈话函询)")
    VERIFY = "verify", _("Preliminary verification (初步核实)")
    SHELVE = "shelve", _("Kept for later review (暂存待查)")
    CLOSE = "close", _("Closed without further action (予以了结)")


class Installation(models.Model):
    """One row: the salt that receipts are hashed with (so that a receipt can be looked up)."""

    receipt_salt = models.BinaryField()

    def __str__(self) -> str:
        return "installation"


class UserKeyPair(models.Model):
    """An officer's own key pair; the private key is encrypted with a key derived from their password."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervision_key")
    public_key = models.BinaryField()
    wrapped_private = models.BinaryField()
    salt = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"key of {self.user_id}"


class UnitKey(models.Model):
    """A version of a receiving unit's key pair. The private key is held sealed for each officer, and
    once under the recovery key printed when this version was made.

    Revoking an officer retires the current version and makes a new one for the remaining officers:
    new reports are sealed to the current version only (`retired_at` empty); retired versions stay
    so that the remaining officers still read the reports sealed to them."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="supervision_keys"
    )
    public_key = models.BinaryField()
    recovery_wrapped_private = models.BinaryField()
    recovery_salt = models.BinaryField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(retired_at__isnull=True),
                name="supervision_one_current_unit_key",
            )
        ]

    def __str__(self) -> str:
        return f"unit key of {self.organization_id}"


class OfficerChange(models.Model):
    """A grant or revocation of the discipline role proposed by the system administrator; it takes
    effect only when a discipline officer of the unit above confirms it."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Make discipline officer")
        REVOKE = "revoke", _("Revoke the discipline role")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    unit = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} on {self.unit_id} ({self.status})"


class UnitKeyGrant(models.Model):
    unit_key = models.ForeignKey(UnitKey, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervision_grants")
    sealed_private = models.BinaryField()
    user_key_fingerprint = models.CharField(max_length=16)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit_key", "user"], name="supervision_grant_unique")]

    def __str__(self) -> str:
        return f"{self.unit_key_id} -> {self.user_id}"


class Report(models.Model):
    receipt_hash = models.CharField(max_length=64, unique=True)
    reporter_salt = models.BinaryField()
    reporter_wrapped_key = models.BinaryField()
    receiving_unit = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="supervision_reports"
    )
    real_name = models.BooleanField(_("real-name report"), default=False)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.RECEIVED)
    disposal = models.CharField(_("disposal"), max_length=10, choices=Disposal.choices, blank=True)
    received_on = models.DateField(_("received"))
    acceptance_due = models.DateField(_("reporter to be told of acceptance by"))
    register_due = models.DateField(_("lower unit to register by"), null=True, blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    result_due = models.DateField(_("result to be fed back by"), null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    overdue_flagged = models.BooleanField(default=False)
    purge_warned = models.BooleanField(default=False)
    payload = models.BinaryField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-real_name", "-received_on", "-id"]

    def __str__(self) -> str:
        return f"report {self.pk}"


class ReportKeyShare(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="shares")
    unit_key = models.ForeignKey(UnitKey, on_delete=models.CASCADE, related_name="shares")
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "unit_key"], name="supervision_share_unique")]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.unit_key_id}"


class ReportEvent(models.Model):
    """A step of the report, shown to officers and (when `for_reporter`) to the reporter."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    state = models.CharField(max_length=20, choices=State.choices, blank=True)
    on = models.DateField()
    text = models.BinaryField(null=True)  # encrypted with the report key
    for_reporter = models.BooleanField(default=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"


class Message(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    from_reporter = models.BooleanField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    on = models.DateField()
    body = models.BinaryField()  # encrypted with the report key
    # HMAC (with the report key) of the reporter's form token: a reloaded form is not sent twice.
    dedupe = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"message {self.pk}"


class Evidence(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    blob = models.FileField(upload_to="supervision/")  # encrypted bytes; the name is random
    meta = models.BinaryField()  # encrypted JSON: number (the neutral name), type, size, metadata removed or not
    from_reporter = models.BooleanField(default=True)
    on = models.DateField()
    dedupe = models.CharField(max_length=64, blank=True)  # as Message.dedupe

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"evidence {self.pk}"


class AuditEntry(models.Model):
    """Who did what with which report. Rows are chained by hash and the database refuses updates and
    deletes (triggers created by a migration)."""

    unit = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=30)
    report_ref = models.PositiveBigIntegerField(null=True)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at} {self.actor_id} {self.action} {self.report_ref}"


class AuditCheckpoint(models.Model):
    """One row, written only by the clock: how far the audit chain has been verified from its start.

    The audit page verifies only the entries after `entry_id` (and that this entry still has its hash); the
    clock verifies the whole chain again and moves the checkpoint. A break, once found, stays recorded.
    """

    entry_id = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True)
    broken_entry_id = models.PositiveBigIntegerField(null=True)
    broken_found_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"audit verified up to {self.entry_id}"
