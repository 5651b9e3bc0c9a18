"""GB 3304-1991 民族代码."""

import pytest

from dangwu.core.ethnicities import ETHNICITY_BY_CODE, ETHNICITY_BY_NAME, ETHNICITY_CHOICES

# 01 to 56, in the order of GB 3304-1991.
GB_3304_NAMES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]


def test_choices_are_the_56_nationalities_in_order_then_97_and_98():
    expected = [(f"{i:02d}", name) for i, name in enumerate(GB_3304_NAMES, start=1)]
    expected += [("97", "其他"), ("98", "外国血统中国籍人士")]

    assert expected == ETHNICITY_CHOICES


def test_codes_are_unique_and_two_digits():
    codes = [code for code, _ in ETHNICITY_CHOICES]

    assert (len(codes), len(set(codes))) == (58, 58)
    assert all(len(code) == 2 and code.isdigit() for code in codes)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        pytest.param("汉族", "01", id="汉族"),
        pytest.param("汉", "01", id="不带族字：汉"),
        pytest.param("回族", "03", id="回族"),
        pytest.param("维吾尔", "05", id="不带族字：维吾尔"),
        pytest.param("土家族", "15", id="土家族"),
        pytest.param("土", "30", id="不带族字：土"),
        pytest.param("柯尔克孜族", "29", id="柯尔克孜族"),
        pytest.param("基诺族", "56", id="基诺族"),
        pytest.param("其他", "97", id="其他"),
        pytest.param("外国血统中国籍人士", "98", id="外国血统中国籍人士"),
    ],
)
def test_code_by_name(name, code):
    assert ETHNICITY_BY_NAME[name] == code


def test_name_by_code():
    assert (ETHNICITY_BY_CODE["10"], ETHNICITY_BY_CODE["44"]) == ("朝鲜族", "俄罗斯族")


def test_by_name_has_both_forms_of_every_nationality_and_nothing_else():
    assert len(ETHNICITY_BY_NAME) == 58 + 56
