"""The fixed part of the demo data set: a home-appliance after-sales organisation.

Plain data only; ``organisation`` and ``tickets`` turn it into rows. Every name, number and
address here is invented.
"""

from dataclasses import dataclass, field

DEMO_PASSWORD = "demo1234"

# --- outlets and their areas ------------------------------------------------------------------


@dataclass(frozen=True)
class OutletData:
    code: str
    name: str
    province: str
    city: str
    district: str
    address: str
    phone: str
    # district → streets customers there live on
    districts: dict[str, list[str]]


OUTLETS = [
    OutletData(
        "sh-pudong", "上海浦东服务网点", "上海市", "上海市", "浦东新区",
        "上海市浦东新区张杨路 1288 号 1 楼", "021-58881234",
        {"浦东新区": ["张杨路", "世纪大道", "东方路", "锦绣路", "川沙路"],
         "黄浦区": ["南京东路", "淮海中路", "西藏南路"],
         "徐汇区": ["漕溪北路", "天钥桥路", "龙华中路"]},
    ),
    OutletData(
        "hz-xihu", "杭州西湖服务网点", "浙江省", "杭州市", "西湖区",
        "浙江省杭州市西湖区文三路 398 号", "0571-88776655",
        {"西湖区": ["文三路", "古墩路", "天目山路", "文一西路"],
         "上城区": ["解放路", "望江路", "秋涛路"],
         "拱墅区": ["湖墅南路", "莫干山路", "上塘路"]},
    ),
    OutletData(
        "nj-gulou", "南京鼓楼服务网点", "江苏省", "南京市", "鼓楼区",
        "江苏省南京市鼓楼区中山北路 201 号", "025-83334567",
        {"鼓楼区": ["中山北路", "湖南路", "广州路", "汉中门大街"],
         "玄武区": ["北京东路", "珠江路", "中山门大街"],
         "秦淮区": ["中华路", "太平南路", "龙蟠中路"]},
    ),
]

# --- people -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffData:
    username: str
    display_name: str
    roles: tuple[str, ...]
    department: str | None  # department code
    outlet: str | None = None  # outlet code
    skills: tuple[str, ...] = ()
    heads: str | None = None  # "supervisor" or "manager" of ``department``
    superuser: bool = False


ADMIN_USERNAME = "admin"
PORTAL_USERNAME = "customer"
API_AGENT_USERNAME = "wangfang"

ALL_LINES = ("ac", "fridge", "washer", "water-heater", "tv")

STAFF = [
    StaffData("admin", "系统管理员", ("administrator",), None, superuser=True),
    # 客户服务部
    StaffData("chenjing", "陈静", ("supervisor",), "customer-service", heads="supervisor",
              skills=("complaint",)),
    StaffData("liujianguo", "刘建国", ("manager",), "customer-service", heads="manager"),
    StaffData("wangfang", "王芳", ("agent",), "customer-service",
              skills=("consultation", "return")),
    StaffData("lina", "李娜", ("agent",), "customer-service",
              skills=("consultation", "complaint")),
    StaffData("zhangwei", "张伟", ("agent",), "customer-service",
              skills=("consultation", "return")),
    # 技术支持部
    StaffData("zhaolei", "赵磊", ("supervisor",), "technical-support", heads="supervisor"),
    StaffData("sunqiang", "孙强", ("manager",), "technical-support", heads="manager"),
    StaffData("wugang", "吴刚", ("senior_technician",), "technical-support", "nj-gulou",
              skills=(*ALL_LINES, "consultation")),
    # 维修部
    StaffData("zhouyong", "周勇", ("supervisor",), "repair", heads="supervisor"),
    StaffData("zhenghua", "郑华", ("manager",), "repair", heads="manager"),
    StaffData("hebin", "何斌", ("senior_technician",), "repair", "sh-pudong",
              skills=("ac", "fridge", "water-heater", "installation")),
    StaffData("linfeng", "林峰", ("senior_technician",), "repair", "hz-xihu",
              skills=("ac", "washer", "tv", "installation")),
    StaffData("machao", "马超", ("technician",), "repair", "sh-pudong",
              skills=("ac", "washer", "installation", "maintenance")),
    StaffData("xulei", "徐磊", ("technician",), "repair", "sh-pudong",
              skills=("fridge", "tv", "water-heater", "maintenance")),
    StaffData("hujun", "胡军", ("technician",), "repair", "hz-xihu",
              skills=("fridge", "water-heater", "installation", "maintenance")),
    StaffData("guotao", "郭涛", ("technician",), "repair", "nj-gulou",
              skills=(*ALL_LINES, "installation", "maintenance")),
    StaffData("songliang", "宋亮", ("warehouse_keeper",), "repair", "sh-pudong"),
    # 质量保障部
    StaffData("gaomin", "高敏", ("supervisor",), "quality-assurance", heads="supervisor"),
    StaffData("luolin", "罗琳", ("manager",), "quality-assurance", heads="manager"),
    StaffData("liangjie", "梁洁", ("quality_auditor",), "quality-assurance"),
]

# Skills: one per product line, and the problem types that need particular people.
TYPE_SKILLS = [
    ("installation", "安装调试", "installation"),
    ("maintenance", "清洗保养", "maintenance"),
    ("consultation", "技术咨询", "consultation"),
    ("complaint", "投诉处理", "complaint"),
    ("return", "退换货处理", "return"),
]

# Customers' names: (characters, pinyin for the e-mail address).
SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
]
GIVEN_NAMES = [
    ("晓明", "xiaoming"), ("丽娟", "lijuan"), ("海燕", "haiyan"), ("俊杰", "junjie"),
    ("子涵", "zihan"), ("雨欣", "yuxin"), ("浩然", "haoran"), ("思远", "siyuan"),
    ("婷婷", "tingting"), ("文博", "wenbo"), ("佳怡", "jiayi"), ("明辉", "minghui"),
    ("志强", "zhiqiang"), ("欣怡", "xinyi"), ("宇航", "yuhang"), ("慧敏", "huimin"),
    ("建平", "jianping"), ("晨曦", "chenxi"), ("梦瑶", "mengyao"), ("嘉伟", "jiawei"),
]
ELDERLY_GIVEN_NAMES = [
    ("秀英", "xiuying"), ("桂英", "guiying"), ("玉兰", "yulan"), ("淑珍", "shuzhen"),
    ("建国", "jianguo"), ("国强", "guoqiang"), ("德明", "deming"), ("凤英", "fengying"),
]
RELATIONS = ["儿子", "女儿", "儿媳", "女婿"]
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "180", "181", "182", "183", "185", "186", "187",
    "188", "189",
]
EMAIL_DOMAINS = ["example.com", "example.cn", "example.net"]

# --- products ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyData:
    name: str
    unit_months: int
    parts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Problem:
    """A fault customers report, and what the engineer found and did."""

    title: str
    description: str
    demand: str
    solution: str
    parts: str = ""
    labour_minutes: int = 60
    cost_yuan: int = 0  # charged when out of warranty
    urgent: bool = False  # core use lost: the intake keywords propose P1 (SPEC §3)
    #: The models the fault can happen on (a gas leak only on a gas heater); empty: all.
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineData:
    code: str
    name: str
    serial_prefix: str
    policy: PolicyData
    models: tuple[tuple[str, str], ...]
    problems: tuple[Problem, ...]
    consultations: tuple[tuple[str, str], ...]
    maintenance: tuple[str, str, str]  # title, description, what was done
    extra: dict[str, str] = field(default_factory=dict)


GAS_HEATER, ELECTRIC_HEATER, HEAT_PUMP_HEATER = "JSQ30-16E5", "EC6002-MC5", "RSJ-200/P1"

PRODUCT_LINES = [
    LineData(
        "ac", "空调", "AC",
        PolicyData("空调保修政策", 36, (("压缩机", 120), ("主控板", 72), ("室外风机", 72))),
        (("KFR-26GW/B2", "大 1 匹变频挂机"), ("KFR-35GW/A1", "1.5 匹变频挂机 新一级能效"),
         ("KFR-50LW/D1", "2 匹变频立式柜机"), ("KFR-72LW/C3", "3 匹变频立式柜机")),
        (
            Problem("空调不制冷",
                    "客厅挂机开机后出风不凉，设定 18 度仍是常温风，室外机有运转声。",
                    "尽快上门检修",
                    "检测系统压力偏低，室外机阀门处慢漏，补焊后加注冷媒，试机制冷正常。",
                    "冷媒 R32 0.6kg", 90, 280),
            Problem("空调漏水", "室内机下方一直滴水，墙面已经被打湿。", "上门处理，检查排水管",
                    "排水管弯折且室内机安装倾斜，重新调整水平并疏通排水管，观察半小时无滴水。",
                    "", 45, 80),
            Problem("空调显示故障码 E1", "开机几分钟后自动停机，面板显示 E1。",
                    "希望周末上门", "高压保护，室外机冷凝器脏堵严重，清洗冷凝器后运行正常。",
                    "", 60, 120),
            Problem("空调无法开机", "遥控器和面板按键都没反应，指示灯不亮，家里老人怕热。",
                    "今天之内上门", "室内机主控板电源模块烧毁，更换主控板后开机正常。",
                    "主控板", 50, 460, urgent=True),
            Problem("室外机噪音大", "夜间室外机嗡嗡声很大，邻居已经来敲门。", "上门检查噪音",
                    "室外风机轴承磨损，更换室外风机并加固支架减震垫。", "室外风机", 80, 390),
        ),
        (("空调过滤网怎么清洗", "想了解挂机过滤网怎么拆洗，多久洗一次比较合适。"),
         ("睡眠模式怎么设置", "新买的空调晚上太冷，想知道睡眠模式怎么用。")),
        ("空调换季清洗保养", "夏季来临前想给三台空调做一次深度清洗。",
         "室内机蒸发器、过滤网高温蒸汽清洗，室外机冷凝器冲洗，检测压力正常。"),
    ),
    LineData(
        "fridge", "冰箱", "RF",
        PolicyData("冰箱保修政策", 36, (("压缩机", 144), ("制冷系统", 72), ("主控板", 60))),
        (("BCD-310WTV", "310 升三门风冷冰箱"), ("BCD-456WDPF", "456 升对开门风冷冰箱"),
         ("BCD-520WSGA", "520 升十字四门冰箱")),
        (
            Problem("冰箱冷藏室不制冷", "冷藏室温度一直在 12 度左右，牛奶放一天就坏了。",
                    "尽快修好，家里有小孩", "风门电机卡死，更换风门电机后冷藏室 3 小时降到 4 度。",
                    "风门电机", 60, 260),
            Problem("冰箱冷冻室结霜严重", "冷冻室后壁结了很厚的霜，抽屉都拉不开。", "上门检查",
                    "化霜加热管断路，更换化霜加热管并手动化霜。", "化霜加热管", 70, 210),
            Problem("冰箱压缩机异响", "夜里压缩机咔咔响，声音比以前大很多。", "检查是否要换压缩机",
                    "压缩机减震胶垫老化，更换减震垫后运行噪音正常。", "减震胶垫", 40, 90),
            Problem("冰箱门把手漏电", "摸冰箱门把手有麻手的感觉，孩子不敢碰了。",
                    "马上来人处理，担心安全",
                    "电源线接地不良且插座无地线，更换电源线并建议客户整改插座。",
                    "电源线", 40, 60, urgent=True),
            Problem("冰箱显示屏报错 F3", "显示屏一直闪 F3，冷冻温度上不去。", "上门维修",
                    "冷冻传感器阻值异常，更换传感器后故障码消失。", "冷冻传感器", 45, 150),
        ),
        (("冰箱温度怎么设置", "冬天冷藏室设几度比较省电又保鲜？"),
         ("冰箱可以放在阳台吗", "想把冰箱搬到封闭阳台，会不会影响使用？")),
        ("冰箱除味保养", "冰箱里有异味，想做一次清洁除味。",
         "清洁内胆和密封条，清理排水孔，更换除味滤芯。"),
    ),
    LineData(
        "washer", "洗衣机", "WM",
        PolicyData("洗衣机保修政策", 36, (("电机", 120), ("主控板", 60))),
        (("XQG100-B1426", "10 公斤滚筒洗衣机"), ("XQG90-HB14", "9 公斤洗烘一体机"),
         ("XQB80-M21", "8 公斤波轮洗衣机")),
        (
            Problem("洗衣机不脱水", "洗完衣服还是湿漉漉的，脱水程序转几下就停。", "上门维修",
                    "衣物偏心检测过于灵敏，校准平衡传感器并更换门封圈。", "门封圈", 50, 120),
            Problem("洗衣机不排水", "洗完水排不出去，显示故障码 E21。", "尽快处理",
                    "排水泵被硬币和纽扣堵住，清理排水泵过滤器后排水正常。", "", 30, 60),
            Problem("滚筒转动有异响", "脱水时轰隆隆响，整机晃动很厉害。", "检查是不是轴承坏了",
                    "滚筒轴承磨损，更换轴承和油封。", "轴承、油封", 120, 420),
            Problem("洗衣机漏水", "洗衣时底部漏水，地面积了一滩水。", "上门维修",
                    "进水管接头老化开裂，更换进水管。", "进水管", 30, 50),
            Problem("洗衣机完全不能用", "按电源键没有任何反应，断电重插也不行。", "尽快上门",
                    "电脑板电源部分损坏，更换电脑板。", "电脑板", 45, 380, urgent=True),
        ),
        (("筒自洁功能怎么用", "说明书上的筒自洁多久做一次？需要放清洁剂吗？"),
         ("羽绒服能不能机洗", "羽绒服用哪个程序洗比较好？")),
        ("洗衣机深度清洁", "洗衣机有霉味，衣服洗完有黑色絮状物。",
         "拆洗内筒及外筒夹层，清洁门封圈和排水过滤器，进行筒自洁。"),
    ),
    LineData(
        "water-heater", "热水器", "WH",
        PolicyData("热水器保修政策", 36, (("内胆", 96), ("热交换器", 60), ("加热管", 60))),
        ((GAS_HEATER, "16 升燃气热水器"), (ELECTRIC_HEATER, "60 升电热水器"),
         (HEAT_PUMP_HEATER, "200 升空气能热水器")),
        (
            Problem("热水器打不着火", "打开热水龙头一直是凉水，能听到打火声但点不着。",
                    "尽快修好，家里要洗澡",
                    "点火针积碳导致点火失败，清理点火针并更换脉冲点火器。", "脉冲点火器", 45, 160,
                    models=(GAS_HEATER,)),
            Problem("闻到燃气泄漏的味道", "热水器附近有燃气味，已经关了阀门开窗。",
                    "马上派人检查", "燃气进气接口密封圈老化，更换密封圈并做气密性检测合格。",
                    "进气密封圈", 40, 80, urgent=True, models=(GAS_HEATER,)),
            Problem("水温忽冷忽热", "洗澡时水温一会儿烫一会儿凉。", "上门调试",
                    "水量传感器灵敏度下降，更换水流传感器并重新设定恒温。", "水流传感器", 40, 140,
                    models=(GAS_HEATER,)),
            Problem("热水器显示故障码 E4", "用一会儿就熄火，显示 E4。", "上门维修",
                    "烟道风机转速不足，清理烟道并更换风机电容。", "风机电容", 50, 110,
                    models=(GAS_HEATER,)),
            Problem("电热水器不加热", "插电后加热指示灯不亮，水一直是凉的。", "尽快修好",
                    "温控器触点烧蚀，更换温控器后加热正常。", "温控器", 40, 120,
                    models=(ELECTRIC_HEATER,)),
            Problem("电热水器漏电保护跳闸", "一开热水器漏电保护插头就跳，不敢再用。",
                    "上门检查安全隐患", "加热管结垢破裂导致漏电，更换加热管和镁棒。",
                    "加热管、镁棒", 70, 320, urgent=True, models=(ELECTRIC_HEATER,)),
            Problem("电热水器出水有异味", "热水有一股臭鸡蛋味，冷水正常。", "上门处理",
                    "镁棒耗尽，内胆有细菌滋生，更换镁棒并排污清洗内胆。", "镁棒", 50, 130,
                    models=(ELECTRIC_HEATER, HEAT_PUMP_HEATER)),
            Problem("空气能热水器制热慢", "水箱温度半天升不上去，外机一直在转。", "上门检查",
                    "蒸发器翅片脏堵，冷媒略有不足，清洗蒸发器并补充冷媒。", "冷媒 R410A 0.5kg",
                    90, 260, models=(HEAT_PUMP_HEATER,)),
            Problem("空气能热水器无法启动", "外机不转，面板显示高压保护，家里没有热水。",
                    "马上派人检查", "高压开关损坏，更换高压开关后启动正常。", "高压开关",
                    60, 240, urgent=True, models=(HEAT_PUMP_HEATER,)),
        ),
        (("冬季热水器防冻", "家里要出门一个月，热水器需要排空吗？"),
         ("热水器怎么设置预约加热", "想晚上用电低谷的时候加热，怎么设置？")),
        ("热水器清洗保养", "用了三年了，想做一次清洗保养。",
         "清洗水路和进水过滤网，检测安全阀和密封，按机型检查镁棒或燃烧系统。"),
    ),
    LineData(
        "tv", "电视", "TV",
        PolicyData("电视保修政策", 12, (("屏幕面板", 36), ("主板", 36))),
        (("55V3", "55 英寸 4K 智能电视"), ("65E8Q", "65 英寸 QLED 电视"),
         ("75U7", "75 英寸 Mini LED 电视")),
        (
            Problem("电视有声音但黑屏", "开机能听到声音但是屏幕一直黑屏。", "上门检修",
                    "背光灯条两颗灯珠损坏，更换整组背光灯条。", "背光灯条", 90, 450),
            Problem("电视画面花屏", "看节目时画面出现彩色条纹和花屏。", "检查屏幕是否损坏",
                    "屏线接触不良，重新插接并加固屏线，观察半天无花屏。", "", 40, 100),
            Problem("电视开不了机", "红色指示灯亮着，按遥控器和按键都开不了机。", "尽快上门",
                    "主板电源管理芯片损坏，更换主板。", "主板", 50, 680, urgent=True),
            Problem("遥控器失灵", "新换电池后遥控器还是没反应。", "寄一个新遥控器",
                    "遥控器按键导电胶老化，寄送新遥控器并完成配对。", "遥控器", 10, 60),
            Problem("电视连不上无线网", "WiFi 能搜到但一直连接失败。", "远程指导或上门",
                    "恢复网络设置并升级系统固件，连接正常。", "", 20, 0),
        ),
        (("手机怎么投屏到电视", "想把手机上的视频投到电视上看，怎么操作？"),
         ("电视怎么关闭开机广告", "每次开机都有广告，能不能关掉？")),
        ("电视清洁与系统优化", "电视用久了变卡，想做一次清洁和系统优化。",
         "清洁屏幕与散热孔，清理后台应用并升级系统。"),
    ),
]

# --- texts by request type --------------------------------------------------------------------

INSTALLATION = ("新购{line}预约安装", "新买的{model}已经送到家，需要上门安装，{extra}",
                "希望{when}安装")
INSTALLATION_EXTRA = ["墙上已经预留了孔。", "旧机需要一起拆走。", "需要加长管路。",
                      "安装位置在阳台。"]
WHEN = ["本周六上午", "工作日下午", "明天", "周日全天", "越快越好"]

RETURNS = [
    ("到货外观有划痕要求换货", "收到的{line}侧面有明显划痕和凹陷，签收时没注意。",
     "换一台新机", "核实外观损伤属实，已安排换新机并回收旧机。"),
    ("七天无理由退货", "{line}买大了，放不下，想办理七天无理由退货。", "尽快退款",
     "确认包装配件齐全，已上门取回并办理退款。"),
    ("新机开箱故障申请换新", "新买的{line}第一次用就出问题，要求直接换新。", "换新机",
     "技术人员确认为开箱故障，按三包规定办理换新。"),
]

COMPLAINTS = [
    ("师傅上门迟到两个小时", "约好上午 9 点上门，11 点才到，也没有提前打电话说明。",
     "给个说法并改进服务",
     "已向客户致歉，核实为派单路线安排不合理；对相关人员进行服务规范培训，赠送一次免费保养。"),
    ("维修后问题依旧", "上周刚修过，没两天又出现同样的问题，耽误了很多时间。",
     "彻底修好，否则要求换机",
     "安排技术骨干复查，找到遗漏的故障点并彻底处理；向客户致歉并延长该机保修一年。"),
    ("上门收费不透明", "上门维修收了 280 元，没有给收费明细，也没有发票。",
     "提供明细，退还不合理费用",
     "核实收费标准，补开发票与明细；多收的 80 元已退还客户，对工程师进行收费规范教育。"),
    ("客服电话一直打不通", "连续两天打客服电话都是排队，等了二十分钟也没人接。",
     "尽快安排处理我的报修",
     "已优先安排处理客户报修；高峰期增加客服排班并开通在线客服分流。"),
    ("工程师服务态度差", "师傅进门不穿鞋套，说话也很不耐烦。", "希望道歉",
     "主管电话致歉并上门回访，对工程师进行服务态度考核与培训。"),
]

SUGGESTIONS = [
    ("建议增加晚间上门时段", "上班族白天没人在家，希望可以预约晚上 7 点到 9 点上门。",
     "建议已转服务运营部门评估，计划在上海、杭州试点晚间上门时段。"),
    ("希望能在线查看维修进度", "每次都要打电话问进度，希望手机上能直接看到。",
     "建议已记录，门户的进度查询功能已在规划中，感谢您的反馈。"),
    ("安装师傅应自带鞋套", "建议所有上门人员都自带鞋套和垫布。",
     "已在全部网点落实上门自带鞋套、垫布的规范。"),
    ("说明书字太小", "家里老人看不清说明书，建议出大字版或视频教程。",
     "已反馈产品部门，后续提供大字版说明书和视频教程。"),
]

CONSULTATION_ANSWER = "已电话指导客户完成操作，客户表示已经明白，问题解决。"

FIRST_RESPONSES = [
    "{name}您好，您的服务请求已收到，我们会在 {hours} 小时内与您联系，请保持电话畅通。",
    "{name}您好，已为您登记，工程师将在 {hours} 小时内联系您确认上门时间。",
    "您好，感谢您的反馈，我们已受理，{hours} 小时内给您答复。",
]
ACCEPT_NOTES = [
    "已受理，已告知客户 {hours} 小时内安排工程师联系。",
    "已核实购机信息，受理并告知客户后续流程。",
]
# The assignee's call to the customer right after taking the ticket (SPEC §3: within 30 minutes).
CONTACT_REPLIES = [
    "您好，我是负责您这张工单的{who}，刚和您电话沟通过，{plan}",
    "您好，我是{who}，已电话联系您确认了情况，{plan}",
]
CONTACT_PLANS = [
    "稍后按约定时间处理。", "会先远程排查，需要上门时再和您约时间。",
    "已约好上门时间，出发前会短信通知您。",
]

PROGRESS_REPLIES = [
    "您好，备件已到货，工程师会在今天下午与您联系上门时间。",
    "您好，工程师已出发，预计 40 分钟后到达，请留意来电。",
    "您好，已为您申请备件，预计两天内到货，到货后第一时间联系您。",
    "您好，问题已转技术骨干分析，今天内给您答复。",
]
CUSTOMER_REPLIES = [
    "好的，我周六上午在家。",
    "照片已经拍好发过来了，请查收。",
    "发票找到了，购买日期在照片上。",
    "下午三点以后都可以。",
]
INTERNAL_NOTES = [
    "客户为老年人，上门前先电话联系其子女。",
    "已申请备件，库房确认有货。",
    "该客户近期第二次报修，注意回访满意度。",
    "已与客户约定上门时间，客户要求上门前半小时电话通知。",
    "疑似批次问题，已反馈质量保障部。",
]
WAIT_REASONS = [
    "等待客户确认上门时间",
    "等待客户提供购机发票照片",
    "等待客户提供故障照片和视频",
    "客户出差，约定回来后再上门",
]
CANCEL_REASONS = [
    "客户自行解决，无需上门",
    "重复报修，已在另一工单处理",
    "客户取消安装预约",
    "多次回访联系不上客户",
]
REOPEN_REASONS = [
    "客户来电反映维修后三天问题再次出现",
    "客户表示仍有异响，要求再次上门",
]
NOT_SOLVED_NOTES = ["客户表示问题没有完全解决", "客户反映试用一天后故障又出现"]
CLOSE_NOTES = ["电话回访，客户确认已解决", "客户短信回复确认已解决", "回访客户满意"]
CONTACT_NOTES = ["已电话联系客户，约好上门时间", "电话联系客户，确认故障现象和地址",
                 "已联系客户，客户同意明天上午上门", "电话沟通，指导客户先断电观察"]
