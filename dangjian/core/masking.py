"""Masking of personal data in free text shown on public pages and in exports.

- Mobile numbers (138 1234 5678 in any spacing) keep the first 3 and last 4 digits: 138****5678.
- ID-card numbers (18 characters, the last may be X; or 15 digits) keep the first 3 and last 2.
- Personal names keep the surname: 张三丰 -> 张**. Names are found by jieba's part-of-speech tagger
  (tag "nr"), limited to tokens that start with a common surname and are not place names, and by
  cue phrases such as 我叫 / 姓名 / 联系人.
Masking errs on the side of hiding: a rare false positive costs a character, a miss exposes a person.
"""

from __future__ import annotations

import re
import threading

_ID_RE = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])|(?<![0-9A-Za-z])(\d{15})(?![0-9A-Za-z])"
)
_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_CUE_RE = re.compile(
    r"(我叫|我是|本人|姓名[:：]?\s*|联系人[:：]?\s*|名字[:：]?\s*|叫做?)([\u4e00-\u9fa5]{2,3})(?=[，,。；;：:\s、）)]|电话|手机|$)"
)

# Common surnames (single and compound); a tagged "name" not starting with one is left alone.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易"
    "乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴"
    "蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边"
    "卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐", "夏侯"}
# Words the tagger sometimes calls names; places end in one of PLACE_ENDINGS.
NOT_NAMES = {"谢谢", "高兴", "方便", "明白", "安全", "和谐", "常委", "党委", "支部", "全村", "万元"}
PLACE_ENDINGS = tuple("村镇乡县市区省街路庄屯湾河山桥沟坡岭寨集店铺港站组队社场")

_tagger = None
_tagger_lock = threading.Lock()


def _pos_tagger():
    global _tagger
    if _tagger is None:
        with _tagger_lock:
            if _tagger is None:
                import jieba
                import jieba.posseg

                jieba.setLogLevel(60)
                _tagger = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    return _tagger


def warm_up() -> None:
    """Load the tagger's dictionary now (a web worker calls this as it starts)."""
    _pos_tagger().tokenizer.check_initialized()


def _mask_name(name: str) -> str:
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]
    return surname + "*" * (len(name) - len(surname))


def _looks_like_name(word: str, following: str) -> bool:
    if not 2 <= len(word) <= 4 or word in NOT_NAMES:
        return False
    if not (word[0] in SURNAMES or word[:2] in COMPOUND_SURNAMES):
        return False
    if word.endswith(PLACE_ENDINGS) or following[:1] in PLACE_ENDINGS:
        return False
    return all("\u4e00" <= ch <= "\u9fa5" for ch in word)


def _names(text: str) -> set[str]:
    words = list(_pos_tagger().cut(text))
    found: set[str] = set()
    for index, (word, flag) in enumerate(words):
        following = words[index + 1].word if index + 1 < len(words) else ""
        if flag == "nr" and len(word) == 1 and word in SURNAMES and index + 1 < len(words):
            # The tagger sometimes splits 王秀英 into 王 + 秀英.
            nxt = words[index + 1]
            after = words[index + 2].word if index + 2 < len(words) else ""
            if nxt.flag.startswith("nr") and 1 <= len(nxt.word) <= 2 and _looks_like_name(word + nxt.word, after):
                found.add(word + nxt.word)
            continue
        if flag.startswith("nr") and _looks_like_name(word, following):
            found.add(word)
    return found


def mask_numbers(text: str) -> str:
    text = _ID_RE.sub(_mask_id, text)
    return _MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def _mask_id(match: re.Match) -> str:
    number = match.group(0)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def personal_names(text: str) -> set[str]:
    """The personal names found in `text` (by cue phrase or by the tagger), e.g. to mask them in another text."""
    if not text:
        return set()
    return {m.group(2) for m in _CUE_RE.finditer(text)} | _names(text)


def _mask_number(number: str) -> str:
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    hidden = set(digits[3:-4]) if len(digits) > 7 else set(digits[:-2])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(number))


def mask_personal_data(
    text: str, extra_names: set[str] | frozenset[str] = frozenset(), extra_numbers: tuple[str, ...] | list[str] = ()
) -> str:
    """Return `text` with mobile numbers, ID-card numbers and personal names masked.

    `extra_names` and `extra_numbers` (e.g. the citizen's name and contact phone, from the case) are masked
    wherever they appear, even where the patterns would not find them (a landline, a rare surname).
    """
    if not text:
        return text
    for number in sorted({n.strip() for n in extra_numbers if n and len(n.strip()) >= 5}, key=len, reverse=True):
        text = text.replace(number, _mask_number(number))
    text = mask_numbers(text)
    names = set(extra_names)
    names.update(m.group(2) for m in _CUE_RE.finditer(text))
    names.update(_names(text))
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, _mask_name(name))
    return text
