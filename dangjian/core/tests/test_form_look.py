"""Issue 11 item 6, server side: required fields marked "*" (explained once, heard by screen readers from the
control itself), the feedback type and the rating as choice chips (real radios), and public forms whose messages say
what to do instead of "这个字段是必填项。"."""

import uuid

from django import forms
from django.urls import reverse

from dangjian.core.forms import ChoiceChips
from dangjian.feedback import actions
from dangjian.feedback.models import Case, State

REQUIRED = '<span class="required-mark" aria-hidden="true">*</span>'


def test_required_fields_are_marked_and_the_mark_explained_once(client, county):
    page = client.get(reverse("feedback:submit", args=[county.village_a1.pk])).content.decode()
    assert page.count("带 * 的为必填项。") == 1
    assert f'<label for="id_title">标题：{REQUIRED}</label>' in page
    assert f"<legend>类型：{REQUIRED}</legend>" in page
    assert '<label for="id_contact_phone">联系电话（可选）：</label>' in page  # optional: no mark
    # Screen readers hear "required" from the control: `required`, or aria-required on a select without it.
    assert 'name="title" maxlength="100" required' in page
    assert '<select name="place" aria-required="true" id="id_place">' in page


def test_a_form_of_one_field_does_not_explain_the_mark():
    class One(forms.Form):
        reason = forms.CharField(label="原因")

    html = str(One())
    assert REQUIRED in html and "必填项" not in html


def test_choice_chips_are_real_radios_in_a_fieldset():
    class Pick(forms.Form):
        kind = forms.ChoiceField(label="类型", choices=[("a", "咨询"), ("b", "求助")], widget=ChoiceChips)

    html = str(Pick(data={"kind": "b"})).replace("\n", "")
    assert "<fieldset>" in html and "<legend>类型：" in html
    assert '<div id="id_kind" class="chips">' in html
    assert (
        '<label class="chip" for="id_kind_1"><input type="radio" name="kind" value="b" required id="id_kind_1" '
        'checked><span class="chip-label">求助</span></label>'
    ) in html


def test_feedback_type_is_chips(client, county):
    page = client.get(reverse("feedback:submit", args=[county.village_a1.pk])).content.decode()
    assert page.count('class="chip"') == 5


def test_lookup_without_number_or_password_says_what_to_enter(client, county):
    page = client.post(reverse("feedback:lookup"), {"number": "", "password": ""}).content.decode()
    assert "请填写回执上的受理编号。" in page and "请填写回执上的查询密码。" in page
    assert "这个字段是必填项" not in page


def test_rating_without_a_choice_says_what_to_choose(client, county):
    secretary = county.village_a1_secretary
    case, password, _created = actions.submit_case(
        place_id=county.village_a1.pk,
        category="help",
        title="村口路灯坏了",
        description="村口路灯坏了三个月。",
        client_token=uuid.uuid4(),
    )
    actions.accept_case(secretary, case.pk)
    actions.dispatch_case(secretary, case.pk, county.village_a1.pk)
    actions.answer_case(secretary, case.pk, "已修复")
    client.post(reverse("feedback:lookup"), {"number": case.number, "password": password})
    url = reverse("feedback:track", args=[case.number])
    page = client.post(url, {"rating": "", "comment": ""}).content.decode()
    assert "请选择您对答复是否满意。" in page and "这个字段是必填项" not in page
    assert page.count('class="chip"') == 3
    assert Case.objects.get(pk=case.pk).state == State.ANSWERED
