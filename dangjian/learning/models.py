"""学习培训与考核: courses of lessons for members, staff and the public; question banks, practice quizzes and
timed exams; certificates; training sessions with registration and attendance; the competency framework for
new-media officers and their yearly assessments.

What is recorded about a learner is what they learned, never how long they looked: which lessons are done
(`LessonDone`), where to resume (`Enrollment.last_lesson`), their exam attempts with answers and grades, the
certificates issued, their registrations and attendance at a training, and their assessment results. No points,
no study time, no check-ins, no views or likes.

Courses pass draft → review → published (→ withdrawn) in the shared workflow shape (`course_workflow.py`), each
step a `CourseEvent`. A course is offered to the subtree of `offered_to` (its own organization or one below it)
and to an audience: the public, party members (and staff) of that subtree, or staff holding a role there.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.models import Role
from dangjian.core.richtext import text_of


def new_code(length: int = 12) -> str:
    """A random code in capitals and digits without look-alikes (0/O, 1/I/L), e.g. a certificate's."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(length))


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone (the public)")
    MEMBERS = "members", _("Party members")
    STAFF = "staff", _("Staff holding a role")


class Course(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWING = "reviewing", _("In review")
        RETURNED = "returned", _("Returned for changes")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="courses", verbose_name=_("organization")
    )
    # Offered to this organization's subtree: the course's own organization or one below it.
    offered_to = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("offered to")
    )
    audience = models.CharField(_("offered to whom"), max_length=20, choices=Audience.choices, default=Audience.MEMBERS)
    # With audience STAFF: the role its learners hold in the subtree (blank: any role).
    staff_role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    title = models.CharField(_("title"), max_length=100)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    cover = models.ImageField(_("cover image"), upload_to="learning/covers/%Y/%m/", blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # jieba tokens of the title, summary and lessons' words (core.text.index_text), for the Chinese search.
    search_text = models.TextField(editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["offered_to", "audience", "staff_role", "title", "summary", "cover"]

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        indexes = [models.Index(fields=["state", "offered_to"], name="learning_course_offered")]

    def __str__(self) -> str:
        return self.title


class CourseEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("Written")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.kind}"


class Lesson(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        VIDEO = "video", _("Video")
        DOCUMENT = "document", _("Document (PDF)")
        QUIZ = "quiz", _("Quiz")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    # ARTICLE: sanitized HTML (core.richtext.clean), never raw input.
    body = models.TextField(_("text"), blank=True)
    body_text = models.TextField(editable=False, blank=True)
    # VIDEO: the file as uploaded (checked by content), its length and a poster frame read with ffmpeg/ffprobe
    # (no poster and no duration when ffmpeg is missing).
    video = models.FileField(upload_to="learning/videos/%Y/%m/", blank=True)
    video_type = models.CharField(max_length=40, blank=True)  # video/mp4 or video/webm
    video_size = models.PositiveBigIntegerField(default=0)
    duration = models.FloatField(_("length (seconds)"), null=True, blank=True)
    poster = models.ImageField(upload_to="learning/posters/%Y/%m/", blank=True)
    # DOCUMENT: a PDF, shown in the page and downloadable.
    document = models.FileField(upload_to="learning/documents/%Y/%m/", blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    document_size = models.PositiveBigIntegerField(default=0)
    # QUIZ: practice questions in order; passed with at least `pass_percent` right.
    questions: models.ManyToManyField = models.ManyToManyField("Question", blank=True, related_name="quiz_lessons")
    pass_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=60)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["order", "kind", "title", "body", "video", "document", "pass_percent"]
    HISTORY_SHOWN = {"body": text_of}

    class Meta:
        ordering = ["course", "order", "pk"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    """A learner on a course: where to resume, and when they finished (every lesson done). Nothing else."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    last_lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The organization the learner learned as (their branch, or where their role is), for per-organization counts.
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="learning_one_enrollment")]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.user_id}"


class LessonDone(models.Model):
    """A lesson a learner has done: its quiz passed, an article or document marked read, a video played to its end."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="done")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lesson", "user"], name="learning_lesson_done_once")]

    def __str__(self) -> str:
        return f"{self.lesson_id}:{self.user_id}"


# Question banks ---------------------------------------------------------------------------------------------


class Tag(models.Model):
    """A question's tag (a policy area such as 乡村振兴, or a competency's name), shared by all banks."""

    name = models.CharField(_("tag"), max_length=30, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionBank(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="question_banks"
    )
    name = models.CharField(_("bank name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["name", "description"]

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        BLANK = "blank", _("Fill in the blank")

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    # SINGLE / MULTIPLE: the options' texts in their stored order (2 to 8).
    options = models.JSONField(default=list, blank=True)
    # The right answer (see grading.py): SINGLE [i]; MULTIPLE [i, j, ...] sorted; TRUE_FALSE [true|false];
    # BLANK the accepted texts, e.g. ["两学一做", "两学一做学习教育"].
    answer = models.JSONField(default=list)
    explanation = models.CharField(_("explanation"), max_length=500, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    competency = models.ForeignKey(
        "Competency", on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    archived_at = models.DateTimeField(null=True, blank=True)  # out of new draws; kept for past attempts
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["kind", "text", "options", "answer", "explanation", "competency", "archived_at"]

    class Meta:
        ordering = ["bank", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:40]


# Exams ----------------------------------------------------------------------------------------------------


class Exam(models.Model):
    """A timed exam drawn from a bank by rules. Offered with a course (its learners), or as a competency's exam in
    an assessment round (the officers assessed), or after a training session (those who attended)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="exams")
    course = models.ForeignKey(Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="exams")
    competency = models.ForeignKey("Competency", on_delete=models.SET_NULL, null=True, blank=True, related_name="exams")
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="exams")
    title = models.CharField(_("title"), max_length=100)
    instructions = models.CharField(_("instructions"), max_length=500, blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"), default=30)
    pass_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=60)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=2)
    certifying = models.BooleanField(_("passing issues a certificate"), default=False)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = [
        "course",
        "competency",
        "bank",
        "title",
        "instructions",
        "time_limit_minutes",
        "pass_percent",
        "max_attempts",
        "certifying",
        "state",
    ]

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")

    def __str__(self) -> str:
        return self.title


class ExamRule(models.Model):
    """Draw `count` questions of a kind (blank: any) with a tag (none: any) from the exam's bank, each worth
    `points`."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=20, choices=Question.Kind.choices, blank=True)
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    count = models.PositiveSmallIntegerField(default=10)
    points = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.exam_id}:{self.kind}:{self.count}"


class Attempt(models.Model):
    """One sitting of an exam. The deadline is the server's (started + the limit); an answer saved after it is
    refused, and submitting after it grades what was saved in time. Graded once (a conditional update on
    `state`), however many tabs submit."""

    class State(models.TextChoices):
        OPEN = "open", _("In progress")
        GRADED = "graded", _("Graded")

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_attempts")
    number = models.PositiveSmallIntegerField(default=1)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The drawn paper: [{"q": question id, "order": [option indexes as shown], "points": n}, ...] in shown order.
    paper = models.JSONField(default=list)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    score = models.PositiveIntegerField(null=True, blank=True)
    max_score = models.PositiveIntegerField(default=0)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["exam", "user", "number"], name="learning_attempt_number")]

    def __str__(self) -> str:
        return f"{self.exam_id}:{self.user_id}:{self.number}"


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    # In the question's stored terms (option indexes of `Question.options`, not as shown), see grading.py.
    answer = models.JSONField(default=list)
    correct = models.BooleanField(null=True, blank=True)  # set when graded
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="learning_one_answer")]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"


class Certificate(models.Model):
    """What a passed certifying exam issues; what it says is copied when issued, so the verification page shows
    exactly that, whatever changes later."""

    code = models.CharField(max_length=20, unique=True, default=new_code)
    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="certificate")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    person_name = models.CharField(max_length=50)
    organization_name = models.CharField(max_length=100)
    course_title = models.CharField(max_length=100, blank=True)
    exam_title = models.CharField(max_length=100)
    score = models.PositiveIntegerField(default=0)
    max_score = models.PositiveIntegerField(default=0)
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code


# Training sessions ----------------------------------------------------------------------------------------


class TrainingSession(models.Model):
    class Mode(models.TextChoices):
        ROOM = "room", _("In a room")
        ONLINE = "online", _("Online")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="training_sessions"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    mode = models.CharField(_("where"), max_length=20, choices=Mode.choices, default=Mode.ROOM)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("link"), max_length=300, blank=True)
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"), default=30)
    # Who is invited, within the organization's subtree: staff holding this role (blank: none by role) and/or
    # party members.
    invite_role = models.CharField(_("invite staff with role"), max_length=20, choices=Role.choices, blank=True)
    invite_members = models.BooleanField(_("invite party members"), default=False)
    exam = models.ForeignKey(Exam, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # The secret in the door QR code's address (check-in); replaced when the organizer asks.
    checkin_token = models.CharField(max_length=64, default=secrets.token_urlsafe, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = [
        "title",
        "description",
        "mode",
        "starts_at",
        "ends_at",
        "place",
        "link",
        "trainer",
        "capacity",
        "invite_role",
        "invite_members",
        "exam",
        "state",
        "cancel_reason",
    ]

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return self.title


class TrainingMaterial(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(upload_to="learning/training/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Registration(models.Model):
    class State(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_registrations")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.REGISTERED)
    registered_at = models.DateTimeField(default=timezone.now)
    # A record of the training, never a score of the person.
    attended = models.BooleanField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["registered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="learning_one_registration")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id}"


# Competencies and assessment of new-media officers (§3.3) -----------------------------------------------------


class Competency(models.Model):
    """One competency of the framework an organization (the county) keeps for its new-media officers; the
    organizations below use the nearest framework above them (`competencies.framework_for`)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="competencies"
    )
    name = models.CharField(_("competency"), max_length=30)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    archived_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["name", "description", "order", "archived_at"]

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="learning_competency_name")]

    def __str__(self) -> str:
        return self.name


class AssessmentRound(models.Model):
    """A round of assessment an organization (a township) runs for the new-media officers of its subtree: an exam
    per competency (`RoundExam`) and a practical task graded with a rubric."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="assessment_rounds"
    )
    title = models.CharField(_("title"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    task = models.TextField(_("practical task"), max_length=2000, blank=True)
    # [{"criterion": "...", "points": 10}, ...]; the task passes with at least `task_pass_percent` of the points.
    rubric = models.JSONField(default=list, blank=True)
    task_pass_percent = models.PositiveSmallIntegerField(_("task pass mark (%)"), default=60)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    # When the round was opened: only exam attempts started after it count for the round.
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["title", "year", "task", "rubric", "task_pass_percent", "due_on", "state"]

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")

    def __str__(self) -> str:
        return self.title


class RoundExam(models.Model):
    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="exams")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "competency"], name="learning_round_competency")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.competency_id}"


class Assessment(models.Model):
    """One officer in one round: the practical task they hand in, its grade by a reviewer (never themselves), and
    the result per competency (`CompetencyResult`). Shown to the officer and their admins only."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Task handed in")
        GRADED = "graded", _("Graded")

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="assessments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessments")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )  # where the officer holds the new-media role
    state = models.CharField(max_length=20, choices=State.choices, default=State.ASSIGNED)
    task_text = models.TextField(_("your work"), max_length=20000, blank=True)
    task_file = models.FileField(upload_to="learning/tasks/%Y/%m/", blank=True)
    task_file_name = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    rubric_scores = models.JSONField(default=list, blank=True)  # points per rubric line, in order
    task_score = models.PositiveIntegerField(null=True, blank=True)
    task_passed = models.BooleanField(null=True, blank=True)
    comments = models.CharField(_("comments"), max_length=2000, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)  # every competency passed and the task passed
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["round", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="learning_one_assessment")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.user_id}"


class CompetencyResult(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    attempt = models.ForeignKey(Attempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "competency"], name="learning_one_result_per_competency")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.competency_id}"
