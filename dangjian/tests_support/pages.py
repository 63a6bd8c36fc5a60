"""Every page of the site, for the tests that check them all: a county full of data, and a crawl.

`populate(county)` fills the test county with what makes each page show something (cases in every
state with photos and events, supervision reports with messages and evidence, policies with
attachments and interpretations, leaders, rules, templates, notifications). The crawl starts at each
visitor's home and follows the links the pages themselves show, so a page added later is checked as
soon as a link leads to it; `unvisited_pages()` names the URL patterns no link reached.
"""

from __future__ import annotations

import datetime
import io
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from dangjian.accounts.models import Role
from dangjian.core.uploads import process_photo
from dangjian.feedback import actions as feedback
from dangjian.feedback import configuration
from dangjian.members import accounts as member_accounts
from dangjian.policies import actions as policies
from dangjian.supervision import actions as supervision
from dangjian.supervision import audit as audit_trail

from . import factories as f

# Pages no link needs to reach: files rather than pages, Django's own admin, and steps that only answer POST.
NOT_PAGES = {
    "admin",  # namespace: Django's admin site is not ours to validate
    "feedback:photo",
    "orgs:leader_photo",
    "console:feedback_export",
    "policies:attachment",
    "console:supervision_evidence",
    "accounts:logout",
    "members:join",  # an invitation link: its token is shown once, to the secretary (members/accounts.py)
    "healthz",
    "favicon",  # a redirect to the static icon
    "text_size",  # a redirect that sets the text-size cookie
    "console:roster_template",  # an .xlsx file
    "meetings:check_in",  # opened from the meeting's QR code (an image), not from a link
    "meetings:calendar_feed",  # a calendar file at a secret address, for calendar apps
    "console:meeting_file",
    "console:meeting_pdf",
    "console:assessment_file",  # an officer's practical task file (learning/tests/test_assessment_console.py)
    "console:notice_attachment",  # files of notices and of their replies
    "console:notice_reply_file",
    "publishing:article_cover",  # an article's pictures and files, served by their records
    "publishing:article_image",
    "publishing:article_attachment",
    "publishing:feed_rss",  # RSS and Atom feeds: XML for feed readers (publishing/tests/test_feeds.py)
    "publishing:feed_atom",
    "learning:training_checkin",  # opened from the door's QR code (an image), not from a link
    "learning:training_material",  # a training session's files, served by their records
    "console:training_new_choose",  # a redirect: the organization picked in the new-session form
    # A redirect to the summary of one's organization (a choice for someone holding it on several organizations:
    # analytics/tests/test_summary_pages.py); the summary pages are reached from the organization's console page.
    "console:summaries",
    "publishing:feed_column_rss",
    "publishing:feed_column_atom",
    "publishing:digest_confirm",  # links with a token, sent by e-mail (publishing/tests/test_digest.py)
    "publishing:digest_unsubscribe",
    "console:course_cover",  # a course's cover and its lessons' files, served by their records
    "console:course_lesson_file",
    "learning:lesson_video",  # a lesson's files, served by their records with range requests
    "learning:lesson_poster",
    "learning:lesson_document",
    "console:question_bank_template",  # .xlsx files of a question bank (learning/tests/test_bank_excel.py)
    "console:question_bank_export",
    "learning:certificate_pdf",  # a PDF (learning/tests/test_certificates.py)
    "exchange:message_image",  # a message's picture and file, served by their records (exchange/tests/test_message_pages.py)
    "exchange:message_file",
    "exchange:message_recall",  # POST only
    "console:sensitive_words_export",  # a .txt file (console/tests/test_sensitive_words.py)
    "console:summary_report_file",  # a usage report's .xlsx and .pdf (analytics/tests/test_report_pages.py)
}
# Links not to follow: they change state on GET by design (signing out) or leave the site's pages.
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/accounts/logout/", "/prefs/", "/healthz/", "/favicon.ico")
# How many different URLs of one pattern a visitor opens (three cases, not every case in the inbox).
PER_PATTERN = 3


def _jpeg(name: str = "photo.jpg", size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 160, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _pdf(name: str = "实施细则.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


@dataclass
class Site:
    county: object
    officers: list = field(default_factory=list)
    head: object = None
    case_number: str = ""
    case_password: str = ""
    receipt: str = ""
    member_user: object = None  # a party member's account without a staff role (members' accounts)
    draft_course: object = None  # a township's course being written (its lesson pages; learning)
    quiz_lesson: object = None  # a public county course's quiz (learning)
    held_meeting: int = 0  # a meeting with signed minutes (its page offers the print page and a correction)

    def staff(self) -> list:
        c = self.county
        return [c.county_admin, c.town_a_admin, c.town_a_media, c.village_a1_secretary, self.head]


def populate(county) -> Site:
    """Fill the test county; returns who signs in where and the citizen's and reporter's codes."""
    c = county
    site = Site(county=c)
    site.head = f.staff("a_head", Role.SECRETARY, c.town_a, full_name="钱书记")

    # Leadership and policies.
    term = f.TermFactory(organization=c.village_a1)
    f.LeaderFactory(term=term, name="赵新民", post="党支部书记")
    f.LeaderFactory(term=term, name="孙丽", post="党支部副书记", sort_order=1)
    policy = f.PolicyFactory(issuer=c.county, title="关于城乡居民基本养老保险缴费标准的通知")
    policies.add_attachment(c.county_admin, c.county.pk, policy.pk, _pdf())
    policies.save_interpretation(
        c.county_admin,
        c.county.pk,
        policy.pk,
        policies.InterpretationInput(
            title="一图读懂养老保险缴费",
            source="县人社局",
            published_on=timezone.localdate(),
            body="缴费档次分为十二档。",
        ),
    )
    f.PolicyFactory(issuer=c.town_a, title="东城镇人居环境整治方案（草稿）", is_published=False)
    f.PolicyFactory(
        issuer=c.town_a,
        title="东城镇2020年防汛工作方案",
        issued_on=timezone.localdate() - datetime.timedelta(days=2000),
        expires_on=timezone.localdate() - datetime.timedelta(days=900),
    )

    # Publishing (portal news): a county item pushed down, a township's own, a village's, a column of its own.
    f.article(c.county, "全县召开乡村振兴工作推进会", show_below=True, summary="会议部署下一阶段工作。")
    f.article(c.town_a, "东城镇开展主题党日活动", source="东城镇党委办", author="张明")
    f.article(c.village_a1, "王庄村公开十月财务收支", key="village")
    f.article(c.town_a, "东城镇乡村振兴专栏第一期", column=f.column(c.town_a, "乡村振兴"))

    # Party members (members app): a village's register with a party group, a probation ending soon, a transfer
    # waiting for the village's confirmation, one arrived, and an audited export.
    _members(c)

    # Feedback: cases in every state, with photos, notes, an extension, a rating and a merge.
    configuration.add_dispatch_rule(
        c.county_admin,
        c.town_a.pk,
        configuration.DispatchRuleInput(place_id=c.village_a1.pk, lead_id=c.town_a.pk, category="complaint"),
    )
    configuration.add_reply_template(
        c.village_a1_secretary,
        c.village_a1.pk,
        configuration.ReplyTemplateInput(title="已修复", text="您反映的问题已修复，感谢监督。"),
    )
    configuration.set_answers_need_approval(c.county_admin, c.town_a.pk, False)
    configuration.save_calendar_day(
        c.county_admin, configuration.CalendarDayInput(date=datetime.date(2027, 1, 1), is_workday=False, note="元旦")
    )
    admin, secretary = c.town_a_admin, c.village_a1_secretary

    def new_case(title, **kwargs):
        case, password, _created = feedback.submit_case(
            place_id=c.village_a1.pk,
            category=kwargs.pop("category", "help"),
            title=title,
            description=f"{title}。我叫张三丰，电话13812345678。",
            client_token=uuid.uuid4(),
            contact_phone="13812345678",
            **kwargs,
        )
        return case, password

    new_case("村口路灯坏了", photos=[process_photo(_jpeg())], is_public=True)
    accepted, _ = new_case("垃圾清运不及时", category="complaint", is_public=True)
    feedback.accept_case(admin, accepted.pk, urgent=True)
    dispatched, _ = new_case("水渠堵塞", is_public=True)
    feedback.accept_case(admin, dispatched.pk)
    feedback.dispatch_case(admin, dispatched.pk, c.village_a1.pk, note="请三个工作日内疏通")
    working, _ = new_case("道路坑洼", is_public=True)
    feedback.accept_case(admin, working.pk)
    feedback.dispatch_case(admin, working.pk, c.village_a1.pk)
    feedback.start_case(secretary, working.pk)
    feedback.add_note(secretary, working.pk, "已联系施工队")
    feedback.request_extension(secretary, working.pk, 3, "需要等待材料")
    closed, password = new_case("自来水水压低", is_public=True)
    feedback.accept_case(admin, closed.pk)
    feedback.dispatch_case(admin, closed.pk, c.village_a1.pk)
    feedback.start_case(secretary, closed.pk)
    feedback.answer_case(secretary, closed.pk, "已更换加压泵，张三丰反映的问题已解决。")
    feedback.rate_case(closed.pk, "satisfied", "修得很快")
    rejected, _ = new_case("邻居家狗叫")
    feedback.reject_case(admin, rejected.pk, "不属于受理范围，请联系派出所。")
    duplicate, _ = new_case("垃圾清运不及时（再次反映）", category="complaint")
    feedback.merge_case(admin, duplicate.pk, accepted.pk)
    answered, answered_password = new_case("低保申请进度", category="consult", is_public=True)
    feedback.accept_case(admin, answered.pk)
    feedback.dispatch_case(admin, answered.pk, c.village_a1.pk)
    feedback.start_case(secretary, answered.pk)
    feedback.answer_case(secretary, answered.pk, "您的申请已报镇民政办审核。")
    site.case_number, site.case_password = answered.number, answered_password

    # Supervision: officers with keys and a confirmed authenticator, reports with messages and evidence.
    # The supervision tests' officers (their keys made as those tests make them), each with an authenticator.
    from dangjian.supervision.tests.conftest import Officers

    officers = Officers(c)
    officer, private = officers.a_officer, officers.private(officers.a_officer)
    for user in (officer, officers.county_officer):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    site.officers = [officer, officers.county_officer]
    report_data = {
        "reported_org": c.village_a1,
        "person": "王大海",
        "post": "村委会主任",
        "discipline": "integrity",
        "subcategory": "收受礼品礼金",
        "what": "王大海在办理低保时收受村民张某现金两千元。",
        "when": "2026年10月",
        "where": "村委会办公室",
    }
    supervision.submit_report(
        **report_data,
        evidence=[supervision.prepare_evidence(_pdf("账本.pdf")), supervision.prepare_evidence(_jpeg("现场.jpg"))],
    )
    report, receipt = supervision.submit_report(
        **{**report_data, "person": "李小二", "post": "村会计"},
        real_name=True,
        reporter_name="张三",
        reporter_phone="13812345678",
    )
    opened = supervision.open_as_officer(officer, private, report.pk)
    supervision.transition(officer, opened, "accept")
    supervision.officer_message(officer, supervision.open_as_officer(officer, private, report.pk), "请补充时间地点。")
    supervision.reporter_message(receipt, "时间是十月三日下午。")
    site.receipt = receipt
    audit_trail.check_audit_chain()

    # Members' accounts (issue 12): the village secretary is a party member too; a member with an account and no
    # role; one invited (the invitation page shows the state), one without an account yet.
    f.member(c.village_a1, "赵新民", mobile="13600000001", user=secretary, committee_post="secretary")
    site.member_user = f.UserFactory(username="13600000002", mobile="13600000002", full_name="王秀英")
    f.member(c.village_a1, "王秀英", mobile="13600000002", user=site.member_user, is_veteran=True)
    invited = f.member(c.village_a1, "李建国", mobile="13600000003")
    member_accounts.create_invitation(secretary, invited.pk)
    f.member(c.village_a1, "孙丽", mobile="13600000004")
    # Members: a roster the village secretary uploaded, checked and not yet confirmed (its preview page).
    from dangjian.members import roster
    from dangjian.members.tests.roster_files import person, xlsx

    roster.check_upload(secretary, c.village_a1.pk, xlsx([person(1), person(2, 性别="男性", 入党日期="1995.13.01")]))
    site.held_meeting = _meetings(c)
    _notices_and_submissions(c, site.head)
    _robots(c)
    _articles(c, site)
    site.draft_course = _courses(c)
    site.quiz_lesson = _study(c)
    # Question banks: the township's bank with questions (its page, the question form, the import page).
    f.question_bank(c.town_a, "东城镇党建知识题库", questions=2, tag="党章")
    _exams(c, site)
    _training(c)
    _assessments(c)
    _rooms(c, site)
    _moderation(c)
    _public_questions(c)
    _summary_reports(c)
    # The usage summaries: the rollups brought up to date (the task does it after a commit), so the summary pages
    # link their figures to the rows they count.
    from dangjian.analytics import rollups

    rollups.refresh_pending()
    return site


def _summary_reports(c) -> None:
    """Usage reports (issue 16): the county's last quarter generated, and the township's running month asked for
    and still waiting (the list and the report's page in both states)."""
    from dangjian.analytics import report_actions
    from dangjian.analytics.periods import Period

    done = report_actions.request_report(c.county_admin, c.county.pk, Period.current("q").previous(), str(uuid.uuid4()))
    report_actions.generate(done.pk)
    report_actions.request_report(c.town_a_admin, c.town_a.pk, Period.current("m"), str(uuid.uuid4()))


def _rooms(c, site) -> None:
    """Rooms (exchange, rooms area): 王庄村's residents' room with more messages than one page (paging back), an
    announcement, a room admin and a removed member; its branch room the member may join; a township staff room."""
    from dangjian.exchange import room_actions
    from dangjian.exchange.models import Membership, Message, Room

    village = f.room(c.village_a1, "王庄村民群", kind="village", audience="residents", description="村务交流")
    Membership.objects.create(room=village, user=c.village_a1_secretary, nickname="王庄党支部", role="admin")
    Membership.objects.create(room=village, user=site.member_user, nickname="秀英大姐")
    gone = f.UserFactory(username="removed_resident")
    Membership.objects.create(room=village, user=gone, nickname="广告哥", removed_at=timezone.now())
    start = timezone.now() - datetime.timedelta(hours=3)
    Message.objects.bulk_create(
        Message(
            room=village, author=site.member_user, nickname="秀英大姐", body=f"第{n}条消息", rev=n, created_at=start
        )
        for n in range(1, 56)
    )
    Room.objects.filter(pk=village.pk).update(last_rev=55, last_message_at=start)
    room_actions.set_announcement(c.village_a1_secretary, village.pk, "周六上午打扫村道卫生。")
    f.room(c.village_a1, "王庄党员群", kind="branch", audience="members", admins=[c.village_a1_secretary])
    f.room(c.town_a, "东城镇新媒体群", kind="staff", audience="staff", admins=[c.town_a_media])


def _moderation(c) -> None:
    """The village room's moderation: a message held for a flagged word, a reported message (the queue's buttons
    and the identity button), a removed one and a warning (the log)."""
    from dangjian.core.models import SensitiveWord
    from dangjian.exchange import actions as room_actions
    from dangjian.exchange import moderation
    from dangjian.exchange.models import Membership, Report, Room

    SensitiveWord.objects.get_or_create(word="内部消息", defaults={"level": SensitiveWord.Level.FLAG})
    author = f.resident("13500000001", real_name="周大海")
    reader = f.resident("13500000002", real_name="吴小梅")
    room = f.room(c.village_a1, "王庄村民议事群", people=[author, reader], audience=Room.Audience.RESIDENTS)
    Membership.objects.filter(room=room, user=author).update(nickname="大海")
    Membership.objects.filter(room=room, user=reader).update(nickname="小梅")

    def post(body: str):
        return room_actions.post_message(author, room.pk, room_actions.MessageInput(body=body))

    post("听说有内部消息，村口要拆迁")
    reported = post("加我微信，代办低保，包过")
    moderation.report_message(reader, reported.pk, Report.Reason.ADVERTISING, "骗钱的")
    removed = post("卖假药，便宜")
    moderation.remove_message(c.village_a1_secretary, removed.pk, "虚假广告")
    membership = Membership.objects.get(room=room, user=author)
    moderation.warn_member(c.village_a1_secretary, membership.pk, "请不要在群里发广告")


def _public_questions(c) -> None:
    """Questions to the organization (exchange, 问政): at 王庄村 one answered, one turned into a feedback case, one
    open, one held for review (the console's filters), asked by a resident."""
    from dangjian.core.models import SensitiveWord
    from dangjian.exchange import questions

    asker = f.resident("13700009999", real_name="刘桂芬")

    def ask(title, body=""):
        return questions.ask_question(
            asker,
            c.village_a1.pk,
            questions.QuestionInput(title=title, body=body, nickname="村东老刘"),
            limited=False,  # the crawl's data asks several questions at once, as the demo does
        )

    answered = ask("今年的低保申请什么时候开始？", "家里老人住院，电话13812345678。")
    questions.answer_question(c.village_a1_secretary, answered.pk, "低保常年受理，请到村委会便民服务点申请。")
    questions.to_case(c.village_a1_secretary, ask("村东头排水沟堵了，下雨积水").pk, "help")
    ask("村里的老年食堂什么时候开放？")
    SensitiveWord.objects.get_or_create(word="集体上访", defaults={"level": SensitiveWord.Level.FLAG})
    ask("我们要不要集体上访？")


def _courses(c):
    """Courses (learning, course area): a township's draft with an article and a quiz lesson (its edit pages)."""
    from dangjian.learning import course_actions

    course = course_actions.save_course(
        c.town_a_media,
        c.town_a.pk,
        course_actions.CourseInput(title="学习党章", offered_to_id=c.town_a.pk, summary="逐章学习。"),
    )
    course_actions.save_lesson(
        c.town_a_media, course.pk, course_actions.LessonInput(kind="article", title="总纲", body="<div>总纲内容</div>")
    )
    course_actions.save_lesson(c.town_a_media, course.pk, course_actions.LessonInput(kind="quiz", title="随堂测验"))
    return course


def _study(c):
    """Courses on the portals (study area): a public county course of two lessons and a quiz, and a members'
    course."""
    from dangjian.learning.models import Lesson

    public = f.course(c.county, "党的基本知识公开课", lessons=2, audience="public")
    quiz = Lesson.objects.create(course=public, order=3, kind=Lesson.Kind.QUIZ, title="随堂测验")
    quiz.questions.set(f.question_bank(c.county, "公开课测验题", questions=2).questions.all())
    return quiz
    f.course(c.town_a, "东城镇党员学习课", lessons=1)


def _exams(c, site) -> None:
    """A county exam the member with an account has sat once (graded, a certificate) and is sitting again."""
    from dangjian.learning import exam_actions
    from dangjian.learning.models import Question

    bank = f.question_bank(c.county, "党的基本知识题库", questions=6)
    exam = f.exam(bank, "党的基本知识测试", count=5, certifying=True)
    first = exam_actions.start_attempt(site.member_user, exam.pk)
    for item in first.paper[:4]:
        question = Question.objects.get(pk=item["q"])
        exam_actions.save_answer(
            site.member_user, first.pk, question.pk, [str(item["order"].index(question.answer[0]))]
        )
    exam_actions.submit(site.member_user, first.pk)
    second = exam_actions.start_attempt(site.member_user, exam.pk)
    exam_actions.save_answer(site.member_user, second.pk, second.paper[0]["q"], ["0"])


def _training(c) -> None:
    """A township's training for its new-media officers (town_a_media registered), with a material."""
    from dangjian.learning import training_actions as training

    start = timezone.now() + datetime.timedelta(days=5)
    material = _pdf("培训讲义.pdf")
    session = training.save_session(
        c.town_a_admin,
        c.town_a.pk,
        training.SessionInput(
            title="新媒体稿件写作培训",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="镇政府三楼会议室",
            capacity=10,
            invite_role=Role.MEDIA_OFFICER,
        ),
        files=[
            training.MaterialFile(
                upload=material, name=material.name, size=material.size, content_type="application/pdf"
            )
        ],
    )
    training.register(c.town_a_media, session.pk)


def _assessments(c) -> None:
    """The county's framework; an open round of the first township (one task handed in, one graded) and a draft."""
    from dangjian.learning import assessment_actions as assessments
    from dangjian.learning.models import Attempt

    made = assessments.use_standard(c.county_admin, c.county.pk)
    bank = f.question_bank(c.county, "新媒体能力题库", questions=3)
    exams = [f.exam(bank, f"{competency.name}测试", count=3, competency=competency) for competency in made]
    officer = f.staff("a2_media", Role.MEDIA_OFFICER, c.village_a2, full_name="李晓")
    for year in (2026, 2027):  # the second stays a draft
        data = assessments.RoundInput(
            f"{year}年度新媒体考核", year, "写一篇新闻稿。", (("内容准确", 60), ("语言简洁", 40))
        )
        round_ = assessments.save_round(c.town_a_admin, c.town_a.pk, data)
        for competency, exam in zip(made, exams, strict=True):
            assessments.set_round_exam(c.town_a_admin, round_.pk, competency.pk, exam.pk)
        if year == 2027:
            break
        assessments.open_round(c.town_a_admin, round_.pk)
        now = timezone.now()
        for exam in exams:
            Attempt.objects.create(
                exam=exam, user=officer, started_at=now, deadline=now, state="graded", score=3, max_score=3, passed=True
            )
        assessments.save_task(c.town_a_media, round_.assessments.get(user=c.town_a_media).pk, "新闻稿", hand_in=True)
        mine = round_.assessments.get(user=officer)
        assessments.save_task(officer, mine.pk, "新闻稿正文", hand_in=True)
        assessments.grade_task(c.town_a_admin, mine.pk, [50, 30], "很好")


def _notices_and_submissions(c, town_a_secretary) -> None:
    """信息报送 (one item waiting at the township, one returned) and notices: the county's to the townships with a
    file, signed and answered by 东城镇 with a file; the township's to 王庄村, not yet opened."""
    from dangjian.publishing import notice_actions as notices
    from dangjian.publishing import submissions
    from dangjian.publishing.models import Notice, NoticeRecipient

    waiting = f.article(c.village_a1, "王庄村开展志愿服务活动")
    submissions.submit_upward(c.village_a1_secretary, waiting.pk, c.town_a.pk, "请审阅")
    returned = f.article(c.village_a1, "王庄村召开党员大会")
    item = submissions.submit_upward(c.village_a1_secretary, returned.pk, c.town_a.pk)
    submissions.return_submission(c.town_a_admin, item.pk, "请补充会议照片")
    reply_by = timezone.localdate() + datetime.timedelta(days=7)
    notice = notices.send_notice(
        c.county_admin,
        c.county.pk,
        notices.NoticeInput(
            title="关于报送年度党建工作总结的通知",
            body="请各乡镇党委于本月底前报送年度党建工作总结。",
            audience=Notice.Audience.CHILDREN,
            reply_by=reply_by,
            needs_reply=True,
        ),
        [_pdf("工作总结模板.pdf")],
    )
    receipt = NoticeRecipient.objects.get(notice=notice, organization=c.town_a)
    notices.reply_to_notice(town_a_secretary, receipt.pk, "已收到，按时报送。", [_pdf("东城镇工作总结.pdf")])
    notices.send_notice(
        c.town_a_admin,
        c.town_a.pk,
        notices.NoticeInput(
            title="关于开展主题党日活动的通知",
            body="请各村按要求开展主题党日活动。",
            audience=Notice.Audience.CHOSEN,
            organization_ids=[c.village_a1.pk],
        ),
    )


def _robots(c) -> None:
    """Group robots (notifications, push): the township's DingTalk robot with a delivered and a failed message."""
    from dangjian.notifications.models import Delivery
    from dangjian.notifications.robot_actions import RobotInput, save_robot

    webhook = "https://oapi.dingtalk.com/robot/send?access_token=pages0001"
    robot = save_robot(c.town_a_admin, c.town_a.pk, RobotInput("dingtalk", "东城镇党建工作群", webhook, "SECpages"))
    message = {"title": "东城镇召开党建工作会议", "summary": "", "url": "https://dj.example.gov.cn/"}
    Delivery.objects.create(robot=robot, topic="article", key="article:1", message=message, state="sent", attempts=1)
    Delivery.objects.create(
        robot=robot,
        topic="notice",
        key="notice:1",
        message=message,
        state="failed",
        attempts=5,
        last_error="服务返回状态码 500。",
    )


def _articles(c, site) -> None:
    """Articles of the township: one published with a picture, cover and attachment, one waiting for its final
    review (初审 passed), one returned to its author; and a sensitive word to check."""
    from dangjian.core.models import SensitiveWord
    from dangjian.publishing import articles
    from dangjian.publishing.models import Column

    SensitiveWord.objects.create(word="内部资料", level=SensitiveWord.Level.FLAG)
    column = Column.objects.get(organization=c.town_a, key="news").pk
    writer = c.town_a_media
    image = articles.add_image(writer, c.town_a.pk, _jpeg())

    def write(title, body, **kwargs):
        data = articles.ArticleInput(title=title, column_id=column, body=body, source="东城镇党委", author="张明")
        return articles.save_article(writer, c.town_a.pk, data, **kwargs)

    published = write(
        "东城镇开展冬季送温暖活动",
        f'<div>走访困难群众。</div><figure><img src="/articles/images/{image.pk}/" alt="走访"></figure>',
        cover=_jpeg("cover.jpg"),
        attachments=[_pdf("活动方案.pdf")],
    )
    articles.submit_for_review(writer, published.pk)
    articles.approve_step(site.head, published.pk, 1)
    articles.approve_step(c.town_a_admin, published.pk, 2)
    waiting = write("东城镇召开党建工作推进会", "<div>会议传达了内部资料的要求。</div>")
    articles.submit_for_review(writer, waiting.pk)
    articles.approve_step(site.head, waiting.pk, 1)
    returned = write("李湾村修路", "<div>修路进展。</div>")
    articles.submit_for_review(writer, returned.pk)
    articles.return_article(site.head, returned.pk, 1, "请补充照片")


def _members(c) -> None:
    from dangjian.members import actions as members
    from dangjian.members import exports as member_exports

    today = timezone.localdate()
    group = f.OrganizationFactory(name="王庄村第一党小组", short_name="第一党小组", kind="group", parent=c.village_a1)
    f.member(c.village_a1, "李建国", mobile="13812345678", party_group=group, committee_post="secretary")
    f.member(c.village_a1, "王秀英", sex="f", is_veteran=True, in_difficulty=True)
    f.member(
        c.village_a1,
        "孙小丽",
        sex="f",
        category="probationary",
        full_member_on=None,
        joined_on=today - datetime.timedelta(days=350),
        birth_date=datetime.date(1996, 4, 2),
    )
    moving = f.member(c.village_a2, "周强", mobile="13900001111")
    members.transfer_member(
        c.town_a_admin, moving.pk, members.TransferInput(c.village_a1.pk, today - datetime.timedelta(days=2), "务工")
    )
    arrived = f.member(c.village_a2, "赵明")
    transfer = members.transfer_member(
        c.town_a_admin, arrived.pk, members.TransferInput(c.village_a1.pk, today - datetime.timedelta(days=40))
    )
    members.receive_member(c.village_a1_secretary, transfer.pk, today - datetime.timedelta(days=30))
    member_exports.export_roster(c.village_a1_secretary, c.village_a1.pk, "年度党员统计")


def _meetings(c) -> int:
    """The branch secretary is a member of 王庄村 too: a meeting to come, one under way without minutes, and one
    held with signed minutes and files (three: a visitor opens three pages of a pattern)."""
    from dangjian.meetings import actions as meetings
    from dangjian.meetings.models import Meeting
    from dangjian.members.models import Member

    secretary = Member.objects.get(user=c.village_a1_secretary)  # made a member with the accounts' data above
    recorder = f.member(c.village_a1, "孙晓丽", committee_post="deputy")
    f.member(c.village_a1, "周大爷")

    def plan(topic, kind="committee", days=3):
        data = meetings.MeetingInput(
            kind=kind,
            topic=topic,
            starts_at=timezone.now() + datetime.timedelta(days=days),
            place="村部会议室",
            host_id=secretary.pk,
            recorder_id=recorder.pk,
        )
        return meetings.plan_meeting(c.village_a1_secretary, c.village_a1.pk, data)

    def begun(meeting, hours):
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=hours))

    plan("学习贯彻全会精神")
    begun(plan("研究本月党员发展工作", days=4), hours=1)
    held = plan("季度党员大会", kind="general", days=5)
    begun(held, hours=30)
    meetings.mark_attendance(c.village_a1_secretary, held.pk, held.attendees.values_list("pk", flat=True)[:2])
    meetings.record_held(c.village_a1_secretary, held.pk)
    meetings.save_minutes(
        c.village_a1_secretary,
        held.pk,
        meetings.MinutesInput(
            agenda="一、传达上级精神\n二、讨论发展对象", discussion="大家发言踊跃。", resolutions="同意。"
        ),
    )
    meetings.add_meeting_file(c.village_a1_secretary, held.pk, _jpeg("合影.jpg"))
    meetings.add_meeting_file(c.village_a1_secretary, held.pk, _pdf("会议材料.pdf"))
    meetings.sign_off_minutes(c.village_a1_secretary, held.pk)
    return held.pk


# --- The crawl --------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html: str, base: str) -> list[str]:
    """The site's own page links in `html` (path and query, no fragment), in page order."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urlsplit(urljoin(base, href))
        if url.scheme not in ("http", "https", "") or (url.netloc and url.netloc != urlsplit(base).netloc):
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if not path.startswith(SKIP_PREFIXES) and page_name(url.path) not in NOT_PAGES:
            found.append(path)
    return found


def page_name(path: str) -> str | None:
    """`namespace:name` of the URL pattern serving `path` (None when nothing does)."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    if match.namespaces and match.namespaces[0] == "admin":
        return "admin"
    return match.view_name


class Crawl:
    """Breadth-first over links, opening at most PER_PATTERN URLs of each pattern per visitor."""

    def __init__(self, seeds: list[str], within: tuple[str, ...] = ("/",), per_pattern: int = PER_PATTERN):
        self.within = within
        self.per_pattern = per_pattern
        self.queue = list(seeds)
        self.seen: set[str] = set(seeds)
        self.per_name: dict[str | None, int] = {}

    def __iter__(self):
        while self.queue:
            path = self.queue.pop(0)
            name = page_name(path)
            if self.per_name.get(name, 0) >= self.per_pattern:
                continue
            self.per_name[name] = self.per_name.get(name, 0) + 1
            yield path

    def add(self, found: list[str]) -> None:
        for path in found:
            if path not in self.seen and path.startswith(self.within):
                self.seen.add(path)
                self.queue.append(path)


def _post_only(view) -> bool:
    """A view wrapped by `require_POST` (its closure holds the allowed methods ["POST"])."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            try:
                if cell.cell_contents == ["POST"]:
                    return True
            except ValueError:
                continue
        view = getattr(view, "__wrapped__", None)
    return False


def all_pages() -> set[str]:
    """Every `namespace:name` in the URL conf that a GET can show, less NOT_PAGES."""
    names = set()

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                walk(entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
            elif isinstance(entry, URLPattern) and entry.name and not _post_only(entry.callback):
                names.add(prefix + entry.name)

    walk(get_resolver().url_patterns, "")
    return names - NOT_PAGES
