"""The platform's sensitive-word list (console app): kept by the site's administrators, pasted or imported from a
.txt file (UTF-8 or GBK, BOM stripped; a binary file refused), exported as .txt. Moved from publishing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core import sensitive
from dangjian.core.models import SensitiveWord

# --- The sensitive-word list --------------------------------------------------------------------------------


def test_the_site_administrator_keeps_the_word_list(client, county):
    client.force_login(county.county_admin)  # administrator of the top organization
    response = client.post(
        reverse("console:sensitive_words"), {"words": "甲词\n乙词\n\n甲词\n", "level": "block"}, follow=True
    )
    assert "新增 2 个词语" in response.content.decode()
    assert set(SensitiveWord.objects.values_list("word", "level")) == {("甲词", "block"), ("乙词", "block")}
    client.post(reverse("console:sensitive_words"), {"words": "乙词", "level": "flag"})
    assert SensitiveWord.objects.get(word="乙词").level == "flag"
    word = SensitiveWord.objects.get(word="甲词")
    client.post(reverse("console:sensitive_word_remove", args=[word.pk]))
    assert not SensitiveWord.objects.filter(word="甲词").exists()


def test_others_may_not_keep_the_word_list(client, county):
    SensitiveWord.objects.create(word="甲词")
    for person in (county.town_a_admin, county.town_a_media):
        client.force_login(person)
        assert client.get(reverse("console:sensitive_words")).status_code == 403
        assert client.post(reverse("console:sensitive_words"), {"words": "乙词", "level": "block"}).status_code == 403
        word = SensitiveWord.objects.get(word="甲词")
        assert client.post(reverse("console:sensitive_word_remove", args=[word.pk])).status_code == 403
    assert list(SensitiveWord.objects.values_list("word", flat=True)) == ["甲词"]


def test_an_empty_word_list_paste_is_refused_with_a_message(client, county):
    client.force_login(county.county_admin)
    response = client.post(reverse("console:sensitive_words"), {"words": "   \n  ", "level": "block"})
    assert response.status_code == 400 and not SensitiveWord.objects.exists()


def _txt(content: bytes, name: str = "words.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def test_a_word_file_in_utf8_with_a_bom_or_in_gbk_is_imported_at_the_level_chosen(client, county):
    client.force_login(county.county_admin)
    utf8 = "\ufeff代开发票\r\n刷单\r\n\r\n".encode()
    response = client.post(
        reverse("console:sensitive_words_import"),
        {"file": _txt(utf8), "level": "block", "category": "违法广告"},
        follow=True,
    )
    assert "新增 2 个词语" in response.content.decode()
    assert set(SensitiveWord.objects.values_list("word", "level", "category")) == {
        ("代开发票", "block", "违法广告"),
        ("刷单", "block", "违法广告"),
    }
    gbk = "刷单\n赌博网站\n".encode("gbk")
    client.post(reverse("console:sensitive_words_import"), {"file": _txt(gbk), "level": "flag", "category": ""})
    assert dict(SensitiveWord.objects.values_list("word", "level")) == {
        "代开发票": "block",
        "刷单": "flag",
        "赌博网站": "flag",
    }
    assert sensitive.blocking(sensitive.find("这里代开发票")) == ["代开发票"]


def test_a_binary_file_named_txt_is_refused_in_chinese_and_nothing_is_added(client, county):
    client.force_login(county.county_admin)
    xlsx = b"PK\x03\x04" + b"\x00" * 200
    for content in (xlsx, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, bytes(range(256)) * 4):
        response = client.post(
            reverse("console:sensitive_words_import"), {"file": _txt(content), "level": "block", "category": ""}
        )
        assert response.status_code == 400
        assert "这不是文本文件" in response.content.decode()
    response = client.post(
        reverse("console:sensitive_words_import"), {"file": _txt("甲词".encode(), "words.csv"), "level": "block"}
    )
    assert response.status_code == 400 and ".txt" in response.content.decode()
    response = client.post(
        reverse("console:sensitive_words_import"), {"file": _txt(b"a" * (1024 * 1024 + 1)), "level": "block"}
    )
    assert response.status_code == 400 and "1 MB" in response.content.decode()
    assert not SensitiveWord.objects.exists()


def test_the_list_is_exported_as_text_and_others_may_neither_import_nor_export(client, county):
    SensitiveWord.objects.create(word="甲词")
    SensitiveWord.objects.create(word="乙词")
    client.force_login(county.county_admin)
    response = client.get(reverse("console:sensitive_words_export"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert sorted(response.content.decode("utf-8-sig").split()) == sorted(["甲词", "乙词"])
    for person in (county.town_a_admin, county.town_a_media):
        client.force_login(person)
        assert client.get(reverse("console:sensitive_words_export")).status_code == 403
        response = client.post(
            reverse("console:sensitive_words_import"), {"file": _txt("丙词".encode()), "level": "block"}
        )
        assert response.status_code == 403
    assert SensitiveWord.objects.count() == 2
