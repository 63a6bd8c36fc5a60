"""Certificates: issued when a certifying exam is passed (once per attempt, in the grading transaction), printed
as an A4 PDF (WeasyPrint, the server's Chinese font) with a QR code to the public verification page, and looked
up there by code. What a certificate says is copied when it is issued; the verification page shows exactly that
and nothing else about the person (no mobile, no ID number, no other results)."""

from __future__ import annotations

import re

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from dangjian.accounts.permissions import MANAGE_QUESTIONS, has_capability
from dangjian.members.queries import member_for_user

from .models import Attempt, Certificate, new_code

STYLESHEET = "learning/certificate_print.css"
CODE_PATTERN = re.compile(r"^[2-9A-HJ-NP-Z]{6,20}$")


def person_name(user) -> str:
    """The name a certificate carries: the member's name on the roll, else the account's full name."""
    member = member_for_user(user)
    if member is not None and member.name:
        return member.name
    return (getattr(user, "full_name", "") or user.get_username())[:50]


def issue(attempt: Attempt) -> Certificate:
    """The attempt's certificate (made once; a second call returns the same one)."""
    existing = Certificate.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing
    exam = attempt.exam
    organization = attempt.exam.organization
    for _try in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    code=new_code(),
                    attempt=attempt,
                    user=attempt.user,
                    person_name=person_name(attempt.user),
                    organization_name=organization.name[:100],
                    course_title=(exam.course.title if exam.course is not None else "")[:100],
                    exam_title=exam.title[:100],
                    score=attempt.score or 0,
                    max_score=attempt.max_score,
                    issued_at=attempt.submitted_at or attempt.deadline,
                )
        except IntegrityError:  # a code drawn twice (31^12 codes: not in practice), or issued meanwhile
            existing = Certificate.objects.filter(attempt=attempt).first()
            if existing is not None:
                return existing
    raise RuntimeError("no free certificate code")


def normalize_code(raw) -> str:
    """A typed code as stored: capitals, without spaces or dashes; "" when it cannot be a code."""
    text = re.sub(r"[\s\-]", "", str(raw or ""))[:40].upper()
    return text if CODE_PATTERN.match(text) else ""


def lookup(code: str) -> Certificate | None:
    normalized = normalize_code(code)
    if not normalized:
        return None
    return Certificate.objects.filter(code=normalized).first()


def may_download(user, certificate: Certificate) -> bool:
    """The holder, and the holders of MANAGE_QUESTIONS over the exam's organization."""
    if not getattr(user, "is_authenticated", False):
        return False
    if certificate.user_id == user.pk:
        return True
    return has_capability(user, MANAGE_QUESTIONS, certificate.attempt.exam.organization)


def verify_url(certificate: Certificate) -> str:
    return f"{settings.SITE_URL}{reverse('learning:verify')}?code={certificate.code}"


def qr_svg(url: str, label: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, light="#fff", dark="#000")
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308 - segno's markup


def pdf_bytes(request, certificate: Certificate) -> bytes:
    """The A4 certificate by WeasyPrint, with the Chinese font the server has (WenQuanYi Micro Hei); nothing is
    fetched over the network."""
    from weasyprint import CSS, HTML

    url = verify_url(certificate)
    html = render_to_string(
        "learning/certificate_print.html",
        {"certificate": certificate, "verify_url": url, "qr": qr_svg(url, certificate.code)},
        request,
    )
    stylesheet = finders.find(STYLESHEET)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf(stylesheets=[CSS(filename=stylesheet)])


def _no_fetch(url, *args, **kwargs):
    raise ValueError("The certificate's PDF loads nothing from outside.")
