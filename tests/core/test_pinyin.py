"""Pinyin keys for names: surnames from our table, given names read by phrase."""

import pytest

from dangwu.core.pinyin import (
    SORT_KEY_MAX,
    name_syllables,
    pinyin_initials,
    pinyin_key,
    sort_key,
)


@pytest.mark.parametrize(
    ("name", "syllables"),
    [
        pytest.param("曾国藩", ["zeng", "guo", "fan"], id="姓曾读zeng不读ceng"),
        pytest.param("单雄信", ["shan", "xiong", "xin"], id="姓单读shan不读dan"),
        pytest.param("解缙", ["xie", "jin"], id="姓解读xie不读jie"),
        pytest.param("仇英", ["qiu", "ying"], id="姓仇读qiu不读chou"),
        pytest.param("查良镛", ["zha", "liang", "yong"], id="姓查读zha不读cha"),
        pytest.param("区小明", ["ou", "xiao", "ming"], id="姓区读ou不读qu"),
        pytest.param("欧阳修", ["ou", "yang", "xiu"], id="复姓欧阳"),
        pytest.param("司马光", ["si", "ma", "guang"], id="复姓司马"),
        pytest.param("诸葛亮", ["zhu", "ge", "liang"], id="复姓诸葛"),
        pytest.param("尉迟恭", ["yu", "chi", "gong"], id="复姓尉迟读yuchi"),
        pytest.param("曾长江", ["zeng", "chang", "jiang"], id="名中多音字按词读：长江"),
        pytest.param("王行长", ["wang", "hang", "zhang"], id="名中多音字按词读：行长"),
        pytest.param("吕布", ["lv", "bu"], id="ü写作v"),
        pytest.param("张 三", ["zhang", "san"], id="汉字间的空格忽略"),
        pytest.param(
            "阿依古丽·买买提", ["a", "yi", "gu", "li", "mai", "mai", "ti"], id="间隔号去掉"
        ),
        pytest.param("区·Ab12c", ["qu", "ab12c"], id="带间隔号的译名不按姓氏表读"),
        pytest.param("李Tom", ["li", "tom"], id="拉丁字母连写为一个小写词"),
        pytest.param("Tom Lee", ["tom", "lee"], id="拉丁字母以空格分词"),
        pytest.param("王ＡＢ１", ["wang", "ab1"], id="全角字母数字转半角"),
        pytest.param("", [], id="空"),
    ],
)
def test_name_syllables(name, syllables):
    assert name_syllables(name) == syllables


@pytest.mark.parametrize(
    ("name", "key", "initials"),
    [
        pytest.param("曾国藩", "zengguofan", "zgf", id="曾国藩"),
        pytest.param("单雄信", "shanxiongxin", "sxx", id="单雄信"),
        pytest.param("欧阳修", "ouyangxiu", "oyx", id="欧阳修"),
        pytest.param("曾长江", "zengchangjiang", "zcj", id="曾长江"),
        pytest.param("李Tom", "litom", "lt", id="李Tom"),
    ],
)
def test_pinyin_key_and_initials(name, key, initials):
    assert (pinyin_key(name), pinyin_initials(name)) == (key, initials)


def test_sort_key_format():
    # given 李白; when keyed; then two 6-character syllable fields and two code points
    assert sort_key("李白") == "li0000bai000" + f"{ord('李'):06d}{ord('白'):06d}"


def test_sort_key_orders_a_roster():
    # given a roster in no order
    roster = [
        "章安",
        "张三",
        "梁山",
        "李白",
        "李",
        "欧阳修",
        "曾国藩",
        "单雄信",
        "Tom",
        "西安",
        "先",
    ]

    # when sorted by the key
    ordered = sorted(roster, key=sort_key)

    # then by pinyin syllable by syllable: li < li bai < liang, xi an < xian, and
    # zhang an < zhang san whatever the family name's character; the Latin name takes
    # its place by its letters
    assert ordered == [
        "李",
        "李白",
        "梁山",
        "欧阳修",
        "单雄信",
        "Tom",
        "西安",
        "先",
        "曾国藩",
        "章安",
        "张三",
    ]


def test_sort_key_breaks_ties_by_the_characters():
    # given two names that read alike
    names = ["章三", "张三"]

    # when sorted; then by the characters' code points (张 U+5F20 before 章 U+7AE0)
    assert sorted(names, key=sort_key) == ["张三", "章三"]


def test_sort_key_is_ascii_and_bounded():
    # given a very long transliterated name
    name = "阿卜杜热合曼·买买提艾力·阿不都热西提" * 3

    # when keyed
    key = sort_key(name)

    # then it is cut at the limit and uses only ASCII letters and digits
    assert (len(key), key.isascii(), key.isalnum()) == (SORT_KEY_MAX, True, True)
