"""The citizen's side: submitting without an account, following a case, bad input."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from dangjian.feedback import actions
from dangjian.feedback.models import Case, CasePhoto, State

pytestmark = pytest.mark.django_db


def _jpeg(name="photo.jpg", size=(1600, 1200)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (120, 160, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _form(county, **overrides):
    data = {
        "client_token": str(uuid.uuid4()),
        "category": "help",
        "place": county.village_a1.pk,
        "title": "村口路灯坏了",
        "description": "路灯坏了三个月，晚上老人出门看不见。我叫张三丰，电话13812345678。",
        "contact_phone": "13812345678",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def _submit(client, county, org=None, **overrides):
    org = org or county.village_a1
    return client.post(reverse("feedback:submit", args=[org.pk]), _form(county, **overrides))


def test_citizen_submits_and_gets_a_number_and_password_shown_once(client, county):
    response = _submit(client, county, photos=[_jpeg(), _jpeg("b.jpg")])
    assert response.status_code == 200
    case = Case.objects.get()
    password = response.context["password"]
    assert case.number in response.content.decode() and password in response.content.decode()
    assert len(password) == 8 and password not in case.password_hash
    assert case.state == State.RECEIVED and case.place == county.village_a1
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    photo = Image.open(CasePhoto.objects.filter(case=case).first().image.path)
    assert max(photo.size) <= 1200 and not photo.getexif()
    assert case.photos.count() == 2


def test_place_defaults_to_the_portal_and_lists_its_subtree(client, county):
    response = client.get(reverse("feedback:submit", args=[county.town_a.pk]))
    form = response.context["form"]
    assert form.initial["place"] == county.town_a.pk
    ids = [value for value, _label in form.fields["place"].choices]
    assert county.village_a1.pk in ids and county.village_b1.pk not in ids


def test_place_outside_the_portal_is_refused(client, county):
    response = _submit(client, county, org=county.town_a, place=county.village_b1.pk)
    assert response.status_code == 400 and not Case.objects.exists()


def test_double_submission_creates_one_case_and_shows_the_same_codes(client, county):
    data = _form(county)
    url = reverse("feedback:submit", args=[county.village_a1.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert Case.objects.count() == 1
    assert first.context["password"] == second.context["password"]
    assert second.context["created"] is False
    assert "已经提交过" in second.content.decode() or "already" in second.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "请用一句话写个标题。"),
        ("description", "   ", "请写具体情况。"),
        ("title", "长" * 20000, "100"),
        ("description", "长" * 20000, "5000"),
        ("contact_phone", "12345", "手机"),
        ("category", "bribe", "选择"),
        ("client_token", "not-a-uuid", "UUID"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(client, county, field, value, message):
    response = _submit(client, county, **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_non_image_upload_is_refused_and_the_text_is_kept(client, county):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is an exe", content_type="image/jpeg")
    response = _submit(client, county, photos=[fake])
    assert response.status_code == 400
    body = response.content.decode()
    assert "photo.jpg" in body and "路灯坏了三个月" in body
    assert not Case.objects.exists() and not CasePhoto.objects.exists()


def test_seven_photos_are_refused(client, county):
    response = _submit(client, county, photos=[_jpeg(f"{i}.jpg", (40, 30)) for i in range(7)])
    assert response.status_code == 400 and "6" in response.content.decode()
    assert not Case.objects.exists()


def test_html_and_script_are_stored_as_text_and_shown_escaped(client, county):
    _submit(
        client, county, title="<script>alert(1)</script>路灯", description="<b>粗体</b><img src=x onerror=alert(1)>"
    )
    case = Case.objects.get()
    assert case.title == "<script>alert(1)</script>路灯"
    actions.accept_case(county.village_a1_secretary, case.pk)
    page = client.get(reverse("feedback:detail", args=[county.village_a1.pk, case.pk])).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;路灯" in page
    assert "<img src=x" not in page


def test_lookup_with_number_and_password_shows_history_and_deadline(client, county):
    response = _submit(client, county)
    case = Case.objects.get()
    password = response.context["password"]
    other = client.__class__()
    page = other.post(reverse("feedback:lookup"), {"number": case.number, "password": password}, follow=True)
    body = page.content.decode()
    assert page.status_code == 200 and case.title in body
    from django.utils import timezone

    deadline = timezone.localtime(case.accept_deadline).strftime("%Y-%m-%d %H:%M")
    submitted = timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M")
    assert f"<dt>提交时间</dt><dd>{submitted}</dd>" in body
    assert f"<dd>{deadline}</dd>" in body


THROTTLED = "查询密码输错的次数太多了。为了保护您的信息，请15分钟后再试。"


def test_wrong_password_ten_times_is_throttled_even_with_the_right_one_after(client, county):
    response = _submit(client, county)
    case = Case.objects.get()
    password = response.context["password"]
    url = reverse("feedback:lookup")
    for attempt in range(10):
        page = client.post(url, {"number": case.number, "password": f"{attempt:08d}"})
        assert page.status_code == 400 and "错误" in page.content.decode()
    page = client.post(url, {"number": case.number, "password": password})
    assert page.status_code == 400 and THROTTLED in page.content.decode()
    assert case.title not in page.content.decode()


def test_track_page_needs_the_password_first(client, county):
    _submit(client, county)
    case = Case.objects.get()
    stranger = client.__class__()
    response = stranger.get(reverse("feedback:track", args=[case.number]))
    # The lookup form, the number filled in (nothing about the case is shown without the password).
    assert response.status_code == 302 and response["Location"] == reverse("feedback:lookup") + f"?number={case.number}"


def test_photos_are_not_public(client, county):
    _submit(client, county, photos=[_jpeg()])
    photo = CasePhoto.objects.get()
    assert client.get(reverse("feedback:photo", args=[photo.pk])).status_code == 200  # the submitter
    assert client.__class__().get(reverse("feedback:photo", args=[photo.pk])).status_code == 404
    assert client.__class__().get(f"/media/{photo.image.name}").status_code == 404


def test_citizen_rates_on_the_track_page(client, county):
    _submit(client, county)
    case = Case.objects.get()
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, case.pk, "已修复")
    url = reverse("feedback:track", args=[case.number])
    assert "已修复" in client.get(url).content.decode()
    client.post(url, {"rating": "basic", "comment": "还行"})
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating == "basic"


@pytest.mark.django_db(transaction=True)
def test_the_same_form_arriving_twice_at_once_creates_one_case():
    import threading

    from django.db import connection

    from dangjian.conftest import ensure_reference_data
    from dangjian.tests_support import factories as f

    ensure_reference_data()
    village = f.OrganizationFactory(name="王庄村党支部", short_name="王庄村")
    token = uuid.uuid4()
    barrier = threading.Barrier(4)
    results = []

    def submit():
        try:
            barrier.wait()
            case, password, created = actions.submit_case(
                place_id=village.pk, category="help", title="路灯坏了", description="路灯坏了", client_token=token
            )
            results.append((case.pk, password, created))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Case.objects.count() == 1
    assert len(results) == 4 and len({r[0] for r in results}) == 1 and len({r[1] for r in results}) == 1
    assert sum(created for _pk, _pw, created in results) == 1


def test_a_label_ending_in_a_question_mark_gets_no_colon_after_it(client, county):
    page = client.get(reverse("feedback:submit", args=[county.village_a1.pk])).content.decode()
    assert '问题发生在哪里？<span class="required-mark" aria-hidden="true">*</span></label>' in page
    assert "？：" not in page and "。：" not in page


def test_consent_to_publish_is_not_ticked_and_says_what_is_published(client, county):
    """PIPL: consent is an explicit act. The box starts unticked and says what is shown and what never is."""
    page = client.get(reverse("feedback:submit", args=[county.village_a1.pk])).content.decode()
    box = page[page.index('name="is_public"') - 80 : page.index('name="is_public"') + 80]
    assert 'type="checkbox"' in box and "checked" not in box
    assert "我同意在公开列表中公布本件反馈及答复" in page
    assert "不会公开：您的联系电话和照片" in page
    _submit(client, county, is_public="")  # the citizen did not tick it
    assert Case.objects.get().is_public is False


def test_an_empty_form_says_what_to_do_not_that_a_field_is_required(client, county):
    """Issue 11 item 6: "请选择类型", "请写具体情况" instead of "这个字段是必填项。"."""
    response = _submit(client, county, category="", title="", description="")
    page = response.content.decode()
    assert "请选择类型。" in page and "请用一句话写个标题。" in page and "请写具体情况。" in page
    assert "这个字段是必填项" not in page
    assert not Case.objects.exists()
