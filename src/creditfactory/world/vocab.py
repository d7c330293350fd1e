"""The world's vocabularies: cities and branches, industries, names, purposes, products.

Cities are the seed's 21 branch cities plus Xi'an; industry codes follow GB/T 4754-2017
(section letters, some divisions). Weights and risk effects are the simulator's assumptions.
"""

from __future__ import annotations

import numpy as np

# city, branch code, admin-division prefix (4 digits), weight, regional risk effect
CITIES: list[tuple[str, str, int, float, float]] = [
    ("北京", "BJ", 1101, 0.08, -0.10), ("上海", "SH", 3101, 0.08, -0.12),
    ("深圳", "SZ", 4403, 0.09, -0.05), ("广州", "GZ", 4401, 0.08, -0.02),
    ("东莞", "DG", 4419, 0.05, 0.08), ("重庆", "CQ", 5001, 0.05, 0.05),
    ("天津", "TJ", 1201, 0.04, 0.03), ("武汉", "WH", 4201, 0.05, 0.00),
    ("长沙", "CS", 4301, 0.04, 0.02), ("南昌", "NC", 3601, 0.03, 0.06),
    ("珠海", "ZH", 4404, 0.03, -0.03), ("南京", "NJ", 3201, 0.05, -0.06),
    ("苏州", "SU", 3205, 0.05, -0.08), ("中山", "ZS", 4420, 0.03, 0.05),
    ("佛山", "FS", 4406, 0.04, 0.02), ("厦门", "XM", 3502, 0.03, -0.04),
    ("成都", "CD", 5101, 0.05, 0.01), ("宜昌", "YC", 4205, 0.02, 0.10),
    ("惠州", "HZ", 4413, 0.03, 0.07), ("郑州", "ZZ", 4101, 0.04, 0.06),
    ("杭州", "HA", 3301, 0.05, -0.07), ("西安", "XA", 6101, 0.03, 0.04),
]

# code, name, weight, base risk effect, macro sensitivity, revenue scale (CNY / month)
INDUSTRIES: list[tuple[str, str, float, float, float, float]] = [
    ("F51", "批发业", 0.16, 0.00, 1.0, 180_000),
    ("F52", "零售业", 0.20, 0.05, 0.9, 90_000),
    ("H61", "住宿业", 0.03, 0.10, 1.3, 120_000),
    ("H62", "餐饮业", 0.12, 0.15, 1.2, 100_000),
    ("C18", "纺织服装、服饰业", 0.05, 0.10, 1.4, 200_000),
    ("C33", "金属制品业", 0.04, 0.05, 1.5, 250_000),
    ("C13", "农副食品加工业", 0.03, 0.00, 0.8, 180_000),
    ("E", "建筑业", 0.06, 0.20, 1.6, 260_000),
    ("G54", "道路运输业", 0.06, 0.10, 1.1, 110_000),
    ("O80", "机动车、电子产品和日用产品修理业", 0.05, 0.00, 0.7, 70_000),
    ("I65", "软件和信息技术服务业", 0.03, -0.10, 0.8, 150_000),
    ("L72", "商务服务业", 0.05, 0.00, 1.0, 130_000),
    ("K70", "房地产业", 0.03, 0.25, 1.8, 220_000),
    ("A01", "农业", 0.03, 0.10, 0.6, 80_000),
    ("R", "文化、体育和娱乐业", 0.02, 0.10, 1.2, 90_000),
    ("P", "教育", 0.04, 0.00, 0.6, 80_000),
]
DOWNTURN_INDUSTRY = "C18"

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_CHARS = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华飞鹏辉玲峰建国红波斌宇浩凯健俊帆文琳婷雪梅晨欣宁志新海东亮成林龙")
STREETS = list("人民解放建设中山新华和平胜利青年光明幸福朝阳东风长江黄河")
STREET_SUFFIX = ["路", "街", "大道", "巷"]
DISTRICTS = ["东区", "西区", "南区", "北区", "新区", "高新区", "开发区", "老城区"]
BUSINESS_WORDS = list("鑫源盛达兴隆恒泰宏发顺昌永丰华美金福瑞祥嘉禾利民万通天成")
BUSINESS_SUFFIX = {
    "F51": "商贸行", "F52": "便利店", "H61": "宾馆", "H62": "餐馆", "C18": "服装厂",
    "C33": "五金加工厂", "C13": "食品加工厂", "E": "装修工程队", "G54": "货运部",
    "O80": "维修部", "I65": "网络科技工作室", "L72": "商务咨询部", "K70": "房产中介",
    "A01": "种植农场", "R": "文化传播工作室", "P": "培训中心",
}
MARKETS = ["批发市场", "小商品城", "农贸市场", "建材市场", "服装城", "电子城"]

PURPOSES = ["working_capital", "inventory", "equipment", "store_renovation", "expansion",
            "receivables_gap"]
PRODUCTS = ["standard_business", "insurance_policy", "mortgage_holder", "repeat_customer"]
EDUCATION = ["junior_high", "high_school", "vocational", "college", "bachelor", "master"]
EDUCATION_RISK = np.array([0.25, 0.12, 0.08, 0.0, -0.12, -0.2])
MARITAL = ["single", "married", "divorced", "widowed"]
MARITAL_RISK = np.array([0.15, -0.1, 0.3, 0.1])
HOME = ["own_outright", "own_mortgage", "rent", "family"]
HOME_RISK = np.array([-0.2, -0.15, 0.2, 0.1])
PREMISES = ["owned_shop", "rented_shop", "market_stall", "home_based", "factory", "office"]
PREMISES_RISK = np.array([-0.25, 0.0, 0.15, 0.3, 0.0, -0.05])
MOBILE_PREFIXES = np.array([130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155,
                            156, 158, 159, 166, 176, 177, 180, 181, 186, 187, 188, 189, 199])
CARD_BINS = np.array([622202, 621700, 622848, 621661, 622588, 622700, 621483, 622260])
