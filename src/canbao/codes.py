"""Code lists of the campaign: schemes (险种), enrolment statuses, household statuses.

Scheme codes follow the registration form (全民参保登记表, 淮人社秘〔2017〕166号); the insurance
*type* of a scheme is its first digit (1 pension, 2 medical, 3 injury, 4 unemployment, 5 maternity).
"""

from __future__ import annotations

from typing import Final

SCHEMES: Final[dict[str, str]] = {
    "11": "城镇职工基本养老保险",
    "12": "城乡居民基本养老保险(含城居保和新农保)",
    "13": "机关事业单位养老保险",
    "14": "被征地农民养老保障",
    "15": "其他养老保障",
    "21": "城镇职工基本医疗保险",
    "22": "城镇居民(含城乡统筹)基本医疗保险",
    "23": "新型农村合作医疗",
    "24": "公费医疗",
    "25": "农民工其他形式医疗保险",
    "26": "其他医疗保障",
    "30": "工伤保险",
    "40": "失业保险",
    "50": "生育保险",
}

# Labels seen in agency exports besides the form's own wording, mapped to a scheme code.
SCHEME_ALIASES: Final[dict[str, str]] = {
    "企业职工基本养老保险": "11",
    "企业职工养老保险": "11",
    "城镇企业职工基本养老保险": "11",
    "职工养老保险": "11",
    "城乡居民基本养老保险": "12",
    "城乡居民养老保险": "12",
    "城居保": "12",
    "新农保": "12",
    "城镇居民社会养老保险": "12",
    "新型农村社会养老保险": "12",
    "机关事业单位基本养老保险": "13",
    "机关事业养老保险": "13",
    "被征地农民养老保险": "14",
    "职工基本医疗保险": "21",
    "职工医保": "21",
    "城镇职工医疗保险": "21",
    "城乡居民基本医疗保险": "22",
    "城镇居民基本医疗保险": "22",
    "城乡居民医保": "22",
    "居民医保": "22",
    "新农合": "23",
    "新型农村合作医疗保险": "23",
    "工伤": "30",
    "失业": "40",
    "生育": "50",
}

INSURANCE_TYPES: Final[dict[str, str]] = {
    "1": "养老",
    "2": "医疗",
    "3": "工伤",
    "4": "失业",
    "5": "生育",
}

# Enrolment status: canonical code -> Chinese label. Paying and receiving are active.
PAYING: Final = "paying"
RECEIVING: Final = "receiving"
SUSPENDED: Final = "suspended"
TERMINATED: Final = "terminated"
ENROLMENT_STATUS_LABELS: Final[dict[str, str]] = {
    PAYING: "参保缴费",
    RECEIVING: "领取待遇",
    SUSPENDED: "暂停缴费",
    TERMINATED: "终止参保",
}
ACTIVE_STATUSES: Final = frozenset({PAYING, RECEIVING})

# Every spelling of a status seen in exports (labels and the agencies' numeric codes).
ENROLMENT_STATUS_ALIASES: Final[dict[str, str]] = {
    "参保缴费": PAYING,
    "正常参保": PAYING,
    "正常缴费": PAYING,
    "缴费": PAYING,
    "在职": PAYING,
    "正常": PAYING,
    "参保": PAYING,
    "1": PAYING,
    "领取待遇": RECEIVING,
    "享受待遇": RECEIVING,
    "离退休": RECEIVING,
    "退休": RECEIVING,
    "离休": RECEIVING,
    "待遇领取": RECEIVING,
    "2": RECEIVING,
    "暂停缴费": SUSPENDED,
    "中断缴费": SUSPENDED,
    "暂停参保": SUSPENDED,
    "缴费中断": SUSPENDED,
    "中断": SUSPENDED,
    "暂停": SUSPENDED,
    "3": SUSPENDED,
    "终止参保": TERMINATED,
    "终止": TERMINATED,
    "注销": TERMINATED,
    "4": TERMINATED,
    "paying": PAYING,
    "receiving": RECEIVING,
    "suspended": SUSPENDED,
    "terminated": TERMINATED,
}

# Household (户籍) status.
HOUSEHOLD_NORMAL: Final = "正常"
HOUSEHOLD_STATUSES: Final = ("正常", "死亡", "迁出", "注销")
HOUSEHOLD_STATUS_ALIASES: Final[dict[str, str]] = {
    "正常": "正常",
    "在册": "正常",
    "有效": "正常",
    "1": "正常",
    "死亡": "死亡",
    "已死亡": "死亡",
    "2": "死亡",
    "迁出": "迁出",
    "已迁出": "迁出",
    "3": "迁出",
    "注销": "注销",
    "已注销": "注销",
    "4": "注销",
}

SEX_ALIASES: Final[dict[str, str]] = {
    "男": "男",
    "1": "男",
    "M": "男",
    "m": "男",
    "男性": "男",
    "女": "女",
    "2": "女",
    "F": "女",
    "f": "女",
    "女性": "女",
}


# Characters of status and scheme words as systems write them, beyond canbao's own words: an
# unknown value made only of these (and ASCII) is a code and is quoted in full in messages
# (冻结, 停保, 已故); anything else may be a name in the wrong column and is masked.
_STATUS_WORD_EXTRA: Final = "冻结停保在销户故亡退挂起封存续断无效已未待审核注册户籍缴费期中止撤失"
CODE_WORD_CHARS: Final[frozenset[str]] = frozenset(
    "".join(
        [
            *ENROLMENT_STATUS_ALIASES,
            *HOUSEHOLD_STATUS_ALIASES,
            *SCHEMES.values(),
            *SCHEME_ALIASES,
            _STATUS_WORD_EXTRA,
        ]
    )
)
