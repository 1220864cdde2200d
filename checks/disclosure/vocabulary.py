"""Data of the disclosure check: column and sub-column names, URL slugs, rules, guide and report patterns.

Everything here is data (RULES.md §2): a new regulation year, a new CMS slug or a new name seen in
practice is an edit of this file, not of the check's logic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BASIS = "国办公开办函〔2019〕61号；政府信息公开条例第十二、二十四、二十八、四十九条"

RULE_COLUMN = "国办公开办函〔2019〕61号：政府网站首页设置“政府信息公开”专栏（RULES.md §2）"
RULE_SUBCOLUMNS = ("国办公开办函〔2019〕61号：专栏设置政府信息公开指南、政府信息公开制度、"
                   "法定主动公开内容、政府信息公开工作年度报告四个子栏目（RULES.md §2）")
RULE_BLANK = "国办秘函〔2019〕19号：空白栏目、无法访问的栏目计入扣分/否决项（RULES.md §2、§4）"
RULE_GUIDE = ("政府信息公开条例第十二条：指南包括政府信息公开工作机构的名称、办公地址、办公时间、"
              "联系电话、传真号码、互联网联系方式等（RULES.md §2）")
RULE_REQUEST = "政府信息公开条例第二十八条：提供依申请公开的渠道（RULES.md §2）"
RULE_REPORT = ("政府信息公开条例第四十九条：政府部门于每年1月31日前、县级以上人民政府于每年3月31日前"
               "公布本机关上一年度政府信息公开工作年度报告（RULES.md §2）")
# The fix hint of a warn/fail finding, by the rule it cites (a finding may give its own instead).
FIXES = {
    RULE_COLUMN: "在首页显著位置设置“政府信息公开”专栏入口，链接到可正常打开的专栏页面（可在 targets.yaml 用 "
                 "disclosure_url 指明专栏地址）",
    RULE_SUBCOLUMNS: "在政府信息公开专栏中设置政府信息公开指南、制度、法定主动公开内容、年度报告四个子栏目，并链接到各自页面",
    RULE_BLANK: "修复该栏目页面，使其可正常打开（HTTP 200）并发布内容；确无内容的栏目应撤销",
    RULE_GUIDE: "在政府信息公开指南中写明公开工作机构的名称、办公地址、办公时间、联系电话、传真和互联网联系方式",
    RULE_REQUEST: "在专栏或指南中提供依申请公开渠道（在线申请入口、信函与当面申请的地址和联系电话）",
    RULE_REPORT: "在“政府信息公开工作年度报告”栏目发布上一年度报告，标题写明年度（如“2025年政府信息公开工作年度报告”）",
}


@dataclass(frozen=True)
class ColumnSpec:
    """How to recognise one (sub-)column: link texts, URL slugs, texts that look alike but are not it."""

    key: str
    label_zh: str
    names: tuple[str, ...]
    slugs: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    required: bool = True
    allow_directory: bool = False


COLUMN = ColumnSpec(
    "column", "政府信息公开专栏",
    names=("政府信息公开专栏", "政府信息公开", "信息公开专栏", "信息公开", "政务公开", "政务信息公开", "公开"),
    slugs=("xxgkzl", "zfxxgk", "xxgk", "zwgk", "gkml", "gkmlpt"),
    exclude=("指南", "制度", "年报", "年度报告", "申请", "主动公开内容", "规定", "条例"),
)
# Link texts that are never a (sub-)column's name, whatever their URL says: "more" links and pagers.
NAVIGATION_TEXTS = re.compile(r"^(?:更多|查看更多|more|>>|»|\+|进入|详细|点击进入)+\s*(?:>>|>|»|\+)*$", re.I)

GUIDE = ColumnSpec(
    "guide", "政府信息公开指南",
    names=("政府信息公开指南", "信息公开指南", "政务公开指南", "公开指南"),
    slugs=("xxgkzn", "zfxxgkzn", "gkzn"),
    exclude=("办事指南", "服务指南"),
)
SYSTEM = ColumnSpec(
    "system", "政府信息公开制度",
    names=("政府信息公开制度", "信息公开制度", "政务公开制度", "公开制度"),
    slugs=("xxgkzd", "zfxxgkzd", "gkzd", "zdwj"),
)
STATUTORY = ColumnSpec(
    "statutory", "法定主动公开内容",
    names=("法定主动公开内容", "主动公开内容", "法定主动公开", "主动公开"),
    slugs=("fdzdgknr", "xxgkgknr", "fdgknr", "zdgknr", "zdgk"),
    exclude=("目录", "规定", "依申请", "转主动"),
    allow_directory=True,
)
REPORT = ColumnSpec(
    "annual_report", "政府信息公开工作年度报告",
    names=("政府信息公开工作年度报告", "政府信息公开年度报告", "政府信息公开年报", "信息公开年度报告",
           "信息公开年报", "年度报告", "年报"),
    slugs=("xxgknb", "zfxxgknb", "zfxxgkndbg", "ndbg", "gknb"),
    # economic and statistical yearbooks are not the disclosure report (a 统计局's own 政府信息公开年报 still is)
    exclude=("网站", "报表", "决算", "预算", "统计年报", "经济年报", "统计公报", "年鉴", "企业年报", "工商年报",
             "财务", "审计", "社保年报", "质量年报", "经济运行"),
)
REQUEST = ColumnSpec(
    "request", "依申请公开",
    names=("依申请公开", "申请公开政府信息", "政府信息公开申请", "依申请公开政府信息", "部门信息公开申请",
           "信息公开申请", "申请公开"),
    slugs=("ysqgk", "ysq", "sqgk"),
    exclude=("须知", "答复", "统计"),
    required=False,
)

SUBCOLUMNS: tuple[ColumnSpec, ...] = (GUIDE, SYSTEM, STATUTORY, REPORT)

# Categories under 法定主动公开内容 (条例第二十条 and common practice): links named so make a directory page.
STATUTORY_CATEGORIES = ("机构职能", "机构信息", "机构设置", "领导信息", "政策文件", "规范性文件", "规划信息",
                        "规划计划", "发展规划", "财政信息", "财政预决算", "预决算", "财政财务", "人事信息",
                        "人事任免", "重大建设项目", "行政许可", "行政处罚", "行政执法", "政府采购", "权责清单",
                        "收费项目", "应急管理", "公共资源配置", "社会公益事业", "统计信息", "重点领域")

# --- guide contents (条例第十二条) -----------------------------------------------------------------
# Each item: (key, label, pattern). "hours_or_online" is satisfied by either pattern.
GUIDE_ADDRESS = re.compile(r"(?:办公|联系|通讯|通信)?地\s*址\s*[:：]|办公地点\s*[:：]?|地址位于|位于.{2,30}(?:路|街|大道)\d+号")
GUIDE_PHONE = re.compile(r"(?:电\s*话|咨询电话|联系电话)\s*[:：]?\s*[（(]?0\d{2,3}[)）]?[-－\s]?\d{7,8}"
                         r"|0\d{2,3}[-－]\d{7,8}")
GUIDE_HOURS = re.compile(r"(?:办公|受理|工作|接待)时间\s*[:：]?|工作日\s*(?:上午|\d)")
GUIDE_ONLINE = re.compile(r"在线申请|网上申请|网上提交|在线提交|申请平台|互联网联系方式|电子邮箱\s*[:：]|"
                          r"[\w.\-]+@[\w\-]+\.[\w.]+|网\s*址\s*[:：]\s*https?://")
GUIDE_ITEMS: tuple[tuple[str, str], ...] = (
    ("address", "办公地址"),
    ("phone", "联系电话"),
    ("hours_or_online", "办公时间或互联网联系方式"),
)
# A guide that mentions these offers the on-request channel itself (Art. 28 channel "inside the guide").
GUIDE_REQUEST_CHANNEL = re.compile(r"依申请公开|申请公开政府信息|政府信息公开申请")

# --- annual reports (条例第四十九条) ---------------------------------------------------------------
# Titles are read inside the annual-report column, so "2025年度报告" alone counts; look-alikes are excluded.
REPORT_TITLE = re.compile(r"年度报告|年报|信息公开.{0,8}工作报告")
REPORT_EXCLUDE = re.compile(r"网站.{0,6}(?:年度报表|年度报告|年报)|报表|统计年报|经济年报|企业年报|工商年报|年鉴|年报数据|"
                            r"财务|决算|预算")
YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
             "七": "7", "八": "8", "九": "9"}
CN_YEAR = re.compile(r"([二][〇○零一二三四五六七八九]{3})\s*年")
DEPARTMENT_DEADLINE = (1, 31)   # (month, day): a department's report for last year is due by then
GOVERNMENT_DEADLINE = (3, 31)   # a county-level-or-above government's (portal, district, new_area)
