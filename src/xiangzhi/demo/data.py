"""Fixed data of the demo township: places, party organisations, departments, and the name lists residents are
drawn from. Village names other than 南山村 and 店儿坪村 (both in seed 000) are invented."""

COUNTY = ("141029", "乡宁县")
TOWN = ("141029201", "尉庄乡")

# (name, number of 村民小组 = grids, its three common surnames). 144 grids in all, as in seed 000.
VILLAGES = [
    ("南山村", 16, "冯贾王"),
    ("尉庄村", 15, "张李郭"),
    ("店儿坪村", 14, "贺刘杨"),
    ("北坡村", 14, "王段吉"),
    ("寨子村", 13, "李高薛"),
    ("西坡村", 13, "杨武赵"),
    ("东沟村", 12, "刘任韩"),
    ("柳沟村", 12, "郭孙马"),
    ("杨家岭村", 12, "杨卫许"),
    ("河底村", 12, "赵白程"),
    ("石门村", 11, "孟师曹"),
]
assert sum(g for _, g, _ in VILLAGES) == 144

# 4 联村党总支, each over several villages (indexes into VILLAGES); 13 党支部 below them: one per village, and
# a second in the two largest villages.
GENERAL_BRANCHES = [
    ("南山联村党总支", [0, 1, 2]),
    ("北坡联村党总支", [3, 4, 5]),
    ("东沟联村党总支", [6, 7, 8]),
    ("河底联村党总支", [9, 10]),
]
BRANCHES_PER_VILLAGE = {0: 2, 1: 2}
assert sum(BRANCHES_PER_VILLAGE.get(i, 1) for i in range(len(VILLAGES))) == 13

GRID_WORKERS_PER_VILLAGE = 3  # 33 in all, as in seed 000

# Town departments (core.models.Department): (code, name).
DEPARTMENTS = [
    ("sifa", "司法所"),
    ("paichusuo", "派出所"),
    ("nongye", "农业综合服务中心"),
    ("yingji", "应急管理办公室"),
    ("minzheng", "民政办公室"),
    ("zhifa", "综合行政执法队"),
    ("xinfang", "信访办公室"),
]

GROUP_NUMERALS = "一二三四五六七八九十"


def group_name(n: int) -> str:
    """1 → 一组, 12 → 十二组, 20 → 二十组."""
    if n <= 10:
        word = GROUP_NUMERALS[n - 1]
    elif n < 20:
        word = "十" + GROUP_NUMERALS[n - 11]
    else:
        word = GROUP_NUMERALS[n // 10 - 1] + "十" + (GROUP_NUMERALS[n % 10 - 1] if n % 10 else "")
    return word + "组"


# Common surnames (none with an ambiguous reading as a surname, so pinyin initials stay right).
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈彭吕苏卢蒋蔡贾丁魏薛叶阎余潘"
    "杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹易常武乔贺赖龚文"
    "卫吉师"
)

# Given-name characters by generation and sex: rural names of people born before ~1975, then newer fashions.
MALE_OLD = "建国军明伟强平华刚勇永志海林福文俊杰宏亮兵春东德成贵生有忠喜宝山旺全虎龙田新卫民庆富荣根保金满"
FEMALE_OLD = "秀英兰芳梅玉珍凤霞桂花丽娟红艳燕萍敏琴云娥翠爱荣彩巧月雪慧香莲枝叶菊仙"
MALE_NEW = "浩宇轩博文涛鹏波斌磊超飞鑫杰俊凯瑞晨阳昊然子睿泽航一铭宸奕辰诚"
FEMALE_NEW = "欣怡佳琪雨萱婷静雪晴梓涵思彤诗雅悦可馨妍语嘉颖璐瑶若汐蕊"

# Mobile prefixes of the three carriers (numbers are random and fictitious).
PHONE_PREFIXES = ("135", "136", "138", "139", "150", "152", "158", "183", "187", "133", "153", "180", "177")

# Address codes of ID numbers: 乡宁县 now (141029) and before 2000 (142629), and neighbouring counties for
# people who married in.
HOME_ADDRESS = "141029"
HOME_ADDRESS_OLD = "142629"
NEIGHBOUR_ADDRESSES = ("141028", "141030", "141031", "141081", "141082", "140802")

# Household-level tags and person-level tags (people.models.TAG_CHOICES).
HOUSEHOLD_TAGS = {"低保": 0.06, "脱贫户": 0.08, "监测户": 0.02}
