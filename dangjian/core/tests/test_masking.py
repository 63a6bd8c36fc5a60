"""Masking of personal data in free text (public pages and exports)."""

import pytest

from dangjian.core.masking import mask_personal_data


@pytest.mark.parametrize(
    ("text", "hidden", "shown"),
    [
        ("电话13812345678请回电", "13812345678", "138****5678"),
        ("手机 138 1234 5678", "138 1234 5678", "138****5678"),
        ("手机138-1234-5678。", "138-1234-5678", "138****5678"),
        ("身份证11010519491231002X丢了", "11010519491231002X", "110*************2X"),
        ("身份证号码 110105194912310021", "110105194912310021", "110*************21"),
        ("身份证11010519491231002x", "11010519491231002x", "110*************2x"),
        ("我叫张三丰，家住王庄村", "张三丰", "张**"),
        ("村民王秀英反映路灯坏了", "王秀英", "王**"),
        ("联系人：赵敏，谢谢", "赵敏", "赵*"),
        ("邻居李四经常把垃圾倒在路边", "李四", "李*"),
    ],
)
def test_personal_data_is_masked(text, hidden, shown):
    masked = mask_personal_data(text)
    assert hidden not in masked
    assert shown in masked


def test_ordinary_text_and_place_names_are_left_alone():
    text = "王庄村村口的路灯坏了三个月，请尽快维修，谢谢！订单号123456789012345678901"
    assert mask_personal_data(text) == text


def test_a_number_inside_a_longer_number_is_not_taken_for_a_mobile():
    assert mask_personal_data("编号9913812345678000") == "编号9913812345678000"


def test_a_web_worker_loads_the_word_dictionaries_as_it_starts():
    """Loading them takes seconds; done in the first citizen's request it held every POST behind it."""
    import subprocess
    import sys

    code = (
        "import dangjian.wsgi\n"
        "from dangjian.core import masking\n"
        "from dangjian.core import text\n"
        "print(masking._tagger.tokenizer.initialized, text._tokenizer().initialized)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.split() == ["True", "True"]
