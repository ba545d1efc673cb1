"""Fixed pools the generator draws from: names, places, region codes.

The geography is invented (only the four county codes are Huaibei's; every region name comes
from GB/T 2260 through :mod:`canbao.regions`); it is fixed here rather than drawn from the seed
so that two cities of different seeds share the same map.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

# The city generated is Huaibei: its four county codes (names come from canbao.regions).
COUNTY_CODES: Final[tuple[str, ...]] = ("340621", "340602", "340603", "340604")
# How many townships each county gets: the rural county is the largest.
TOWNSHIP_COUNTS: Final[dict[str, int]] = {"340621": 11, "340602": 6, "340603": 8, "340604": 7}
VILLAGES_PER_TOWNSHIP: Final = 9

_TOWN_FIRST = "临涣百善铁佛南坪刘桥孙疃五沟双堆韩村四铺马桥青龙朔里石台矿山高岳段园宋疃古饶华家"
_TOWN_SECOND = "山河集岗湖桥庄园坝口营店寺塘"
_VILLAGE_FIRST = "张王李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_VILLAGE_SECOND = "庄楼圩湖集桥寨店园岗洼营"


def _townships(county: str, count: int, urban: bool) -> list[str]:
    names: list[str] = []
    start = sum(ord(c) for c in county) % len(_TOWN_FIRST)
    for i in range(count):
        first = _TOWN_FIRST[(start + 2 * i) % len(_TOWN_FIRST)]
        second = _TOWN_FIRST[(start + 2 * i + 1) % len(_TOWN_FIRST)]
        tail = _TOWN_SECOND[(i * 5 + len(county)) % len(_TOWN_SECOND)]
        suffix = "街道" if urban and i % 3 != 2 else "镇"
        names.append(f"{first}{second}{tail}{suffix}" if i % 2 else f"{first}{second}{suffix}")
    return names


def _villages(seed: int, urban: bool) -> list[str]:
    out: list[str] = []
    for j in range(VILLAGES_PER_TOWNSHIP):
        a = _VILLAGE_FIRST[(seed * 7 + j * 3) % len(_VILLAGE_FIRST)]
        b = _VILLAGE_SECOND[(seed + j) % len(_VILLAGE_SECOND)]
        out.append(f"{a}{b}社区" if urban else f"{a}{b}村")
    return out


def geography(
    townships: Mapping[str, int] = TOWNSHIP_COUNTS, rural: Collection[str] = ("340621",)
) -> list[tuple[str, int, str, str, bool]]:
    """Return (county, index within county, township, village, urban) for every village.

    ``townships``: how many townships each county has; the ``rural`` counties (counties, not
    districts) have mostly towns (镇), the others mostly streets (街道).
    """
    rows: list[tuple[str, int, str, str, bool]] = []
    for county, count in townships.items():
        k = 0
        for t, town in enumerate(_townships(county, count, urban=county not in rural)):
            urban = town.endswith("街道")
            for village in _villages(hash_small(county) + t, urban):
                rows.append((county, k, town, village, urban))
                k += 1
    return rows


def hash_small(text: str) -> int:
    """A small stable hash (Python's own ``hash`` changes between runs)."""
    return sum((i + 1) * ord(c) for i, c in enumerate(text))


# Surnames in rough order of frequency: drawing index u**2 favours the first ones.
SURNAMES: Final[tuple[str, ...]] = (
    *"王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕",
    *"苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段",
    *("欧阳", "司马", "诸葛", "上官"),
)
GIVEN_CHARS: Final[str] = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彩春菊凤洁梅琳素云莲真"
    "环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵"
    "雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥"
    "筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽国建志文福生"
)
# Homophones (同音字) for a variant of the same name: key -> a character read the same.
HOMOPHONES: Final[dict[str, str]] = {
    "伟": "玮", "丽": "莉", "静": "婧", "明": "铭", "华": "桦", "芳": "方", "军": "君",
    "勇": "永", "杰": "洁", "敏": "民", "玲": "铃", "红": "虹", "平": "萍", "峰": "锋",
    "霞": "侠", "刚": "钢", "斌": "彬", "辉": "晖", "燕": "艳", "涛": "滔",
}  # fmt: skip
# Characters that replace one of a name's characters without sounding the same.
OTHER_CHARS: Final[str] = "德海荣成军建国庆东南北春秋冬"
MINORITY_FIRST: Final[tuple[str, ...]] = (
    "买买提", "阿不都", "艾力", "吐尔逊", "古丽", "热依拉", "努尔", "阿依古丽", "迪丽", "帕提古丽",
)  # fmt: skip
MINORITY_SECOND: Final[tuple[str, ...]] = (
    "艾力", "吐尔洪", "买提", "热合曼", "阿布都", "肉孜", "沙吾提", "依明", "卡德尔", "托合提",
)  # fmt: skip

# Birth-place codes in citizen IDs of persons who were not born in the county they live in.
ID_REGIONS_ELSEWHERE: Final[tuple[str, ...]] = (
    "340102", "340104", "340202", "340302", "340321", "340403", "340503", "341202", "341221",
    "341222", "341302", "341321", "341322", "341602", "341621", "320102", "320311", "320321",
    "370102", "370881", "410102", "410105", "411402", "330106", "330102", "110101", "310101",
)  # fmt: skip
# Enrolment regions (参保地) outside the area: Hefei, Nanjing, Fuyang, Zhengzhou.
# Huaibei's 郊区 (1983-1984, GB/T 2260): an ID issued under it counts inside the area by its city.
RETIRED_CITY_CODE: Final = "340611"
REGIONS_OUTSIDE: Final[tuple[str, ...]] = ("340102", "320102", "341202", "410102")

HUKOU_TYPES: Final[tuple[str, str]] = ("农业户口", "非农业户口")
IDENTITIES_ADULT: Final[tuple[str, ...]] = (
    "农民", "工人", "职员", "个体经营者", "自由职业者", "无业人员", "专业技术人员", "企业管理人员",
)  # fmt: skip
