import datetime

import factory
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.organizations.models import Leader, Organization, Term
from dangjian.policies.models import Policy, PolicyCategory

PASSWORD = "correct horse 2026"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试组织{n}")
    kind = "village"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"工作人员{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def staff(username: str, role: str, organization: Organization, **kwargs) -> User:
    user = UserFactory(username=username, **kwargs)
    RoleGrant.objects.create(user=user, organization=organization, role=role)
    return user


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    name = "第十二届"
    elected_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1400))


class LeaderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leader

    name = factory.Sequence(lambda n: f"李{n}华")
    post = "党支部书记"
    duties = "主持全面工作"


def category(slug: str = "social-security") -> PolicyCategory:
    return PolicyCategory.objects.get(slug=slug)


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    title = factory.Sequence(lambda n: f"关于做好第{n}项工作的通知")
    doc_number = factory.Sequence(lambda n: f"测政发〔2025〕{n}号")
    category = factory.LazyFunction(category)
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    effective_on = factory.LazyAttribute(lambda o: o.issued_on)
    expires_on = None
    body = "为进一步做好相关工作，现将有关事项通知如下。"


def leader_data(term: Term, **overrides) -> dict:
    """The console's leader form, filled in."""
    data = {
        "term": term.pk,
        "name": "赵新民",
        "post": "党支部书记",
        "duties": "主持全面工作",
        "cv": "",
        "contact": "",
        "sort_order": 0,
    }
    data.update(overrides)
    return data


def id_number(seed: int, birth: datetime.date = datetime.date(1970, 1, 1), sex: str = "m") -> str:
    """A valid 18-character ID-card number (check character computed) for test members."""
    from dangjian.members.idnumbers import check_character

    order = (seed * 2 + (1 if sex == "m" else 0)) % 1000
    first17 = f"341122{birth:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


def member(organization: Organization, name: str = "", **kwargs):
    """A party member of `organization` on the roll, with a valid ID-card number (stored encrypted)."""
    from dangjian.members.models import Member

    global _member_seq
    _member_seq += 1
    birth = kwargs.pop("birth_date", datetime.date(1970, 1, 1) + datetime.timedelta(days=_member_seq))
    sex = kwargs.pop("sex", "m")
    number = kwargs.pop("id_number", None) or id_number(_member_seq, birth, sex)
    values = {
        "organization": organization,
        "name": name or f"党员{_member_seq}",
        "sex": sex,
        "birth_date": birth,
        "joined_on": datetime.date(2000, 7, 1),
        "full_member_on": datetime.date(2001, 7, 1),
        **kwargs,
    }
    obj = Member(**values)
    obj.set_id_number(number)
    obj.save()
    return obj


_member_seq = 0


def column(organization: Organization, key: str = "news"):
    """One of the organization's standard columns (created with it), or a column of its own when `key` is a name
    that is not a standard key."""
    from dangjian.publishing.columns import STANDARD
    from dangjian.publishing.models import Column

    if key in STANDARD:
        return Column.objects.get(organization=organization, key=key)
    return Column.objects.create(organization=organization, name=key, update_days=30, review_steps=1)


def article(organization: Organization, title: str = "", *, key: str = "news", **kwargs):
    """An article of the organization, published now unless `state` says otherwise (no review events)."""
    from django.utils import timezone

    from dangjian.publishing.models import Article

    global _article_seq
    _article_seq += 1
    state = kwargs.pop("state", Article.State.PUBLISHED)
    body = kwargs.pop("body", "<div>为民服务，办好实事。</div>")
    values = {
        "organization": organization,
        "column": kwargs.pop("column", None) or column(organization, key),
        "title": title or f"工作动态第{_article_seq}期",
        "body": body,
        "body_text": kwargs.pop("body_text", "为民服务，办好实事。"),
        "state": state,
        "published_at": kwargs.pop("published_at", timezone.now() if state == Article.State.PUBLISHED else None),
        **kwargs,
    }
    return Article.objects.create(**values)


_article_seq = 0


# Learning ------------------------------------------------------------------------------------------------


def course(organization: Organization, title: str = "", *, lessons: int = 0, **kwargs):
    """A course of the organization, published now and offered to its members unless told otherwise, with
    `lessons` article lessons ("第1课" ...)."""
    from dangjian.core.text import index_text
    from dangjian.learning.models import Course, Lesson

    global _course_seq
    _course_seq += 1
    state = kwargs.pop("state", Course.State.PUBLISHED)
    values = {
        "organization": organization,
        "offered_to": kwargs.pop("offered_to", organization),
        "title": title or f"学习课程第{_course_seq}讲",
        "state": state,
        "published_at": kwargs.pop("published_at", timezone.now() if state == Course.State.PUBLISHED else None),
        **kwargs,
    }
    obj = Course(**values)
    obj.search_text = index_text(f"{obj.title} {obj.summary}")
    obj.save()
    for n in range(1, lessons + 1):
        Lesson.objects.create(
            course=obj,
            order=n,
            kind=Lesson.Kind.ARTICLE,
            title=f"第{n}课",
            body=f"<div>第{n}课的内容：学习党章党规。</div>",
            body_text=f"第{n}课的内容：学习党章党规。",
        )
    return obj


_course_seq = 0


def question_bank(organization: Organization, name: str = "", *, questions: int = 0, tag: str = ""):
    """A bank with `questions` single-choice questions (the right answer is always option B, index 1), each tagged
    `tag` when given."""
    from dangjian.learning.models import Question, QuestionBank, Tag

    bank = QuestionBank.objects.create(organization=organization, name=name or "党的基本知识题库")
    tag_obj = Tag.objects.get_or_create(name=tag)[0] if tag else None
    for n in range(1, questions + 1):
        q = Question.objects.create(
            bank=bank,
            kind=Question.Kind.SINGLE,
            text=f"第{n}题：党的根本宗旨是什么？",
            options=["发展经济", "全心全意为人民服务", "改革开放", "依法治国"],
            answer=[1],
            explanation="党章总纲：党除了工人阶级和最广大人民群众的利益，没有自己特殊的利益。",
        )
        if tag_obj is not None:
            q.tags.add(tag_obj)
    return bank


def exam(bank, title: str = "", *, count: int = 5, **kwargs):
    """An open exam drawing `count` questions of any kind from `bank`, each worth one point."""
    from dangjian.learning.models import Exam, ExamRule

    values = {
        "organization": kwargs.pop("organization", bank.organization),
        "bank": bank,
        "title": title or "党的基本知识测试",
        "state": kwargs.pop("state", Exam.State.OPEN),
        **kwargs,
    }
    obj = Exam.objects.create(**values)
    ExamRule.objects.create(exam=obj, count=count, points=1)
    return obj


def room(organization: Organization, name: str = "", *, people=(), admins=(), **kwargs):
    """A room of the exchange, with `people` (users) joined under nicknames of their usernames and `admins` joined
    as room admins."""
    from dangjian.exchange.models import Membership, Room

    made = Room.objects.create(organization=organization, name=name or f"{organization.short_name}群", **kwargs)
    for user in people:
        Membership.objects.create(room=made, user=user, nickname=user.username[:20])
    for user in admins:
        Membership.objects.create(room=made, user=user, nickname=user.username[:20], role=Membership.Role.ADMIN)
    return made


def resident(mobile: str, nickname: str = "", real_name: str = "张三", **kwargs):
    """A verified resident's account (username = mobile, like members')."""
    from dangjian.core import fieldcrypt
    from dangjian.exchange.models import Resident

    user = UserFactory(username=mobile, mobile=mobile, **kwargs)
    Resident.objects.create(user=user, real_name=fieldcrypt.encrypt(real_name))
    return user
