"""Pinyin keys for sorting and searching people's names.

A name is one string, family name first. ``pypinyin`` reads a surname as the common
word (曾 ceng, 单 dan, 解 jie), so the family name comes from our own table, compound
surnames first; the given name uses pypinyin's phrase-aware reading (曾长江 → zeng
chang jiang).

Pure functions: no database, no Django.
"""

from __future__ import annotations

import unicodedata

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the common word, or that we want pinned.
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "鲜于": ("xian", "yu"),
    "上官": ("shang", "guan"),
    "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"),
    "诸葛": ("zhu", "ge"),
    "东方": ("dong", "fang"),
    "皇甫": ("huang", "fu"),
    "公孙": ("gong", "sun"),
    "令狐": ("ling", "hu"),
    "夏侯": ("xia", "hou"),
    "慕容": ("mu", "rong"),
    "宇文": ("yu", "wen"),
    "司徒": ("si", "tu"),
    "端木": ("duan", "mu"),
    "澹台": ("tan", "tai"),
    "南宫": ("nan", "gong"),
    "呼延": ("hu", "yan"),
    "赫连": ("he", "lian"),
    "独孤": ("du", "gu"),
    "西门": ("xi", "men"),
    "申屠": ("shen", "tu"),
    "公冶": ("gong", "ye"),
    "百里": ("bai", "li"),
    "东郭": ("dong", "guo"),
    "闻人": ("wen", "ren"),
    "太史": ("tai", "shi"),
    "钟离": ("zhong", "li"),
    "宗政": ("zong", "zheng"),
    "濮阳": ("pu", "yang"),
    "淳于": ("chun", "yu"),
    "轩辕": ("xuan", "yuan"),
    "羊舌": ("yang", "she"),
    "第五": ("di", "wu"),
}

SINGLE_SURNAMES: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "查": "zha",
    "区": "ou",
    "朴": "piao",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "翟": "zhai",
    "缪": "miao",
    "纪": "ji",
    "种": "chong",
    "秘": "bi",
    "句": "gou",
    "隗": "wei",
    "召": "shao",
    "员": "yun",
    "能": "nai",
    "华": "hua",
    "任": "ren",
    "沈": "shen",
    "葛": "ge",
    "黑": "he",
    "宓": "mi",
    "繁": "po",
    "朝": "chao",
    "重": "chong",
    "便": "pian",
    "折": "she",
    "占": "zhan",
    "阚": "kan",
    "逄": "pang",
    "訾": "zi",
    "眭": "sui",
    "郄": "qie",
    "厍": "she",
    "应": "ying",
    "冼": "xian",
    "过": "guo",
}

# Middle dots used between the parts of transliterated names (阿依古丽·买买提).
_NAME_DOTS = frozenset("\u00b7\u2022\u2027\u30fb\u2219")

# Width of one syllable field in ``sort_key``; the longest syllables (zhuang) have 6.
_FIELD = 6
SORT_KEY_MAX = 200


def name_syllables(name: str) -> list[str]:
    """Lower-case, toneless ASCII syllables of ``name`` (ü is written v).

    A run of Latin letters or digits is one lower-cased token; whitespace, the middle
    dot and other punctuation are dropped. A Chinese character pypinyin cannot read is
    dropped too.
    """
    runs, has_dot = _runs(name)
    syllables: list[str] = []
    for index, (is_han, text) in enumerate(runs):
        if is_han:
            # A leading Chinese run carries the family name, unless the name is a
            # dotted transliteration, which has no Chinese family name.
            surname_first = index == 0 and not has_dot
            syllables.extend(_han_syllables(text, surname_first=surname_first))
        else:
            syllables.append(text)
    return syllables


def pinyin_key(name: str) -> str:
    """Syllables joined without separator (曾国藩 → zengguofan), for search and sorting."""
    return "".join(name_syllables(name))


def pinyin_initials(name: str) -> str:
    """First letter of every syllable (曾国藩 → zgf, 欧阳修 → oyx)."""
    return "".join(s[0] for s in name_syllables(name))


def sort_key(name: str) -> str:
    """A key that sorts names as a Chinese roster does, at most 200 characters.

    Format, ASCII letters and digits only, so that SQLite, PostgreSQL under any
    collation and Python all order it the same way:

    * one 6-character field per syllable, right-padded with ``0`` (``li0000``), so
      names compare syllable by syllable and a shorter syllable sorts first
      (李 li before 梁 liang, 李 before 李白); a longer Latin token takes several fields;
    * then, as the tie-break between names that read alike, each kept character as
      its 6-digit decimal code point (张 → ``024352``); the leading digit sorts it before
      any further syllable, so 李 still comes before 李白.

    Example: 李白 → ``li0000bai000026446030333``.
    """
    fields = []
    for syllable in name_syllables(name):
        for start in range(0, len(syllable), _FIELD):
            fields.append(syllable[start : start + _FIELD].ljust(_FIELD, "0"))
    chars = [f"{ord(c):06d}" for c in _normalize(name) if _is_han(c) or c.isalnum()]
    return ("".join(fields) + "".join(chars))[:SORT_KEY_MAX]


def _normalize(name: str) -> str:
    # NFKC: full-width letters and digits become ASCII, compatibility ideographs unified.
    return unicodedata.normalize("NFKC", name or "")


def _runs(name: str) -> tuple[list[tuple[bool, str]], bool]:
    """Split ``name`` into (is_han, text) runs; also report whether it has a middle dot.

    Whitespace between Chinese characters is ignored (张 三 reads as 张三); between
    Latin letters or digits it ends a token; any other character ends a run.
    """
    text = _normalize(name)
    has_dot = any(c in _NAME_DOTS for c in text)
    runs: list[tuple[bool, str]] = []
    current: list[str] = []
    current_han = False
    after_space = False

    def flush() -> None:
        if current:
            runs.append((current_han, "".join(current)))
            current.clear()

    for char in text:
        if char.isspace():
            after_space = True
            continue
        if _is_han(char):
            if not current_han:
                flush()
            current_han = True
            current.append(char)
        elif char.isalnum():
            if current_han or after_space:
                flush()
            current_han = False
            current.append(_ascii_lower(char))
        else:
            flush()
        after_space = False
    flush()
    return runs, has_dot


def _han_syllables(text: str, *, surname_first: bool) -> list[str]:
    head: list[str] = []
    rest = text
    if surname_first:
        if text[:2] in COMPOUND_SURNAMES:
            head, rest = list(COMPOUND_SURNAMES[text[:2]]), text[2:]
        elif text[:1] in SINGLE_SURNAMES:
            head, rest = [SINGLE_SURNAMES[text[:1]]], text[1:]
        else:
            # Read an ordinary family name alone, so it never forms a phrase with the
            # given name.
            head, rest = _lazy(text[:1]), text[1:]
    return head + _lazy(rest)


def _lazy(text: str) -> list[str]:
    if not text:
        return []
    # Style.NORMAL gives no tones and writes ü as v; unreadable characters are dropped.
    return [
        s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore", v_to_u=False) if s
    ]


def _ascii_lower(char: str) -> str:
    # é → e; a letter with no ASCII form (Cyrillic, kana) is kept lower-cased.
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
    )
    return (stripped or char).lower()


def _is_han(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
        or 0x3400 <= code <= 0x4DBF  # Extension A
        or 0x20000 <= code <= 0x3134F  # Extensions B to G
        or 0xF900 <= code <= 0xFAFF  # Compatibility Ideographs
        or code == 0x3007  # 〇
    )
