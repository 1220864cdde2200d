"""Annual reports written for tests, the way TRS and Hanweb CMSs publish them (independent of gkaudit's code).

`figures()` gives a Table 3 that adds up; tests break one cell of it. `article()` writes the whole
article page (six sections, Tables 2-4) in the 2021 format or the 2019 trial format, with the
table markup of a CMS: "trs" (all <td>, labels split over cells, values in nested <p><span>) or
"hanweb" (<thead>/<th>, rowspan=2/colspan=5 header cells, full-width digits and — for zero).
`pdf_report()` writes the same report as a PDF (tests/pdfmaker.py).
"""

from __future__ import annotations

from pdfmaker import PdfWriter

COLS = ("natural", "business", "research", "nonprofit", "legal", "other_org")
SUBS = {
    "withheld": ("属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
                 "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"),
    "unavailable": ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"),
    "rejected": ("信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
                 "要求行政机关确认或重新出具已获取信息"),
    "other": ("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "其他"),
}
GROUP_LABELS = {"withheld": "（三）不予公开", "unavailable": "（四）无法提供", "rejected": "（五）不予处理",
                "other": "（六）其他处理"}
Figures = dict[str, list]


def figures(carried_in: tuple[int, ...] = (2, 1, 0, 0, 0, 0)) -> Figures:
    """A Table 3 that adds up: {row: [six columns]}; 总计 is computed when written."""
    f: Figures = {key: [0] * 6 for key in ("new", "disclosed", "partly")}
    f["new"] = [20, 5, 1, 0, 0, 0]
    f["carried_in"] = list(carried_in)
    f["disclosed"] = [10, 3, 1, 0, 0, 0]
    f["partly"] = [3, 1, 0, 0, 0, 0]
    for group, labels in SUBS.items():
        for i in range(1, len(labels) + 1):
            f[f"{group}.{i}"] = [0] * 6
    f["withheld.4"] = [1, 0, 0, 0, 0, 0]
    f["unavailable.1"] = [4, 1, 0, 0, 0, 0]
    f["rejected.2"] = [1, 0, 0, 0, 0, 0]
    f["other.3"] = [1, 0, 0, 0, 0, 0]
    results = ["disclosed", "partly", *(f"{g}.{i}" for g, labels in SUBS.items() for i in range(1, len(labels) + 1))]
    f["total"] = [sum(f[key][c] for key in results) for c in range(6)]
    f["carried_out"] = [f["new"][c] + f["carried_in"][c] - f["total"][c] for c in range(6)]
    return f


def _with_total(values: list) -> list:
    if all(v == "" for v in values):
        return [*values, ""]
    if all(isinstance(v, int) for v in values):
        return [*values, sum(values)]
    return [*values, values[-1] if len(values) > 6 else sum(v for v in values if isinstance(v, int))]


def table3_rows(f: Figures, totals: dict[str, object] | None = None,
                generation: str = "2021") -> list[list[tuple[str, int, int]]]:
    """Table 3 as rows of (text, rowspan, colspan), as the form lays it out; `totals` overrides 总计 cells.

    The 2019 trial format has （六）其他处理 as one row, without the 2021 sub-items.
    """
    totals = totals or {}
    subs = dict(SUBS)
    if generation == "2019":
        f = {**f, "other": [sum(f[f"other.{i}"][c] for i in (1, 2, 3)) for c in range(6)]}
        del subs["other"]

    def values(key: str) -> list[tuple[str, int, int]]:
        row = _with_total(f[key])
        if key in totals:
            row[-1] = totals[key]
        return [(str(v), 1, 1) for v in row]

    rows = [
        [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        [("商业企业", 1, 1), ("科研机构", 1, 1), ("社会公益组织", 1, 1), ("法律服务机构", 1, 1), ("其他", 1, 1)],
        [("一、本年新收政府信息公开申请数量", 1, 3), *values("new")],
        [("二、上年结转政府信息公开申请数量", 1, 3), *values("carried_in")],
    ]
    result_rows = 2 + sum(len(v) for v in subs.values()) + 1 + (1 if generation == "2019" else 0)
    rows.append([("三、本年度办理结果", result_rows, 1), ("（一）予以公开", 1, 2), *values("disclosed")])
    rows.append([("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2), *values("partly")])
    for group, labels in subs.items():
        for i, label in enumerate(labels, start=1):
            head = [(GROUP_LABELS[group], len(labels), 1)] if i == 1 else []
            rows.append([*head, (f"{i}．{label}", 1, 1), *values(f"{group}.{i}")])
    if generation == "2019":
        rows.append([("（六）其他处理", 1, 2), *values("other")])
    rows.append([("（七）总计", 1, 2), *values("total")])
    rows.append([("四、结转下年度继续办理", 1, 3), *values("carried_out")])
    return rows


def _fullwidth(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


def html_table(rows: list[list[tuple[str, int, int]]], style: str, header_rows: int) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse" width="600">']
    if style == "hanweb":
        out.append("<thead>")
    for r, row in enumerate(rows):
        if style == "hanweb" and r == header_rows:
            out.append("</thead><tbody>")
        cells = []
        for text, rowspan, colspan in row:
            attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
            if style == "hanweb":
                tag = "th" if r < header_rows else "td"
                shown = ("—" if text == "0" else _fullwidth(text)) if text.lstrip("-").isdigit() else text
                cells.append(f"<{tag}{attrs}>{shown}</{tag}>")
            else:
                cells.append(f'<td{attrs} valign="center"><p style="text-align:center"><span style="font-size:14px">'
                             f'{text}</span></p></td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>" if style == "hanweb" else "</table>")
    return "\n".join(out)


def table2_rows(generation: str) -> list[list[tuple[str, int, int]]]:
    if generation == "2019":
        return [
            [("第二十条第（一）项", 1, 4)],
            [("信息内容", 1, 1), ("本年新制作数量", 1, 1), ("本年新公开数量", 1, 1), ("对外公开总数量", 1, 1)],
            [("规章", 1, 1), ("0", 1, 1), ("0", 1, 1), ("0", 1, 1)],
            [("规范性文件", 1, 1), ("3", 1, 1), ("3", 1, 1), ("12", 1, 1)],
            [("第二十条第（九）项", 1, 4)],
            [("信息内容", 1, 1), ("采购项目数量", 1, 1), ("采购总金额", 1, 2)],
            [("政府集中采购", 1, 1), ("4", 1, 1), ("120", 1, 2)],
        ]
    return [
        [("第二十条第（一）项", 1, 4)],
        [("信息内容", 1, 1), ("本年制发件数", 1, 1), ("本年废止件数", 1, 1), ("现行有效件数", 1, 1)],
        [("规章", 1, 1), ("0", 1, 1), ("0", 1, 1), ("0", 1, 1)],
        [("行政规范性文件", 1, 1), ("3", 1, 1), ("1", 1, 1), ("12", 1, 1)],
        [("第二十条第（五）项", 1, 4)],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
        [("行政许可", 1, 1), ("1,234", 1, 3)],
        [("第二十条第（六）项", 1, 4)],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
        [("行政处罚", 1, 1), ("56", 1, 3)],
        [("行政强制", 1, 1), ("0", 1, 3)],
        [("第二十条第（八）项", 1, 4)],
        [("信息内容", 1, 1), ("本年收费金额（单位：万元）", 1, 3)],
        [("行政事业性收费", 1, 1), ("12.5", 1, 3)],
    ]


def table4_rows(values: list[int] | None = None) -> list[list[tuple[str, int, int]]]:
    values = values or [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    measures = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    return [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [*((m, 2, 1) for m in measures), ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [*((m, 1, 1) for m in measures), *((m, 1, 1) for m in measures)],
        [(str(v), 1, 1) for v in values],
    ]


SECTION_TITLES = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                  "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项")


def section_texts(year: int, org: str, key_points: bool, fee: bool) -> list[str]:
    six = []
    if fee:
        six.append(f"{year}年度，本机关未收取信息处理费。")
    if key_points:
        six.append(f"{year}年政务公开工作要点落实情况：各项任务均已按期完成，详见工作台账。")
    six.append("无其他需要报告的事项。")
    return [
        f"{year}年，{org}深入贯彻落实《中华人民共和国政府信息公开条例》，主动公开、依申请公开、政府信息管理、"
        "平台建设、监督保障各项工作稳步推进，工作考核、社会评议和责任追究结果均已公开。",
        "", "", "",
        "一是公开内容的深度有待加强；二是解读形式比较单一。下一步将加强培训，丰富解读形式。",
        "".join(six),
    ]


def article(year: int, org: str, f: Figures | None = None, *, generation: str = "2021", style: str = "trs",
            numbering: str = "standard", drop_section: int | None = None, key_points: bool = True, fee: bool = True,
            pubdate: str | None = "2026-03-20", totals: dict[str, object] | None = None,
            table4: list[int] | None = None, charset: str = "utf-8", tables: bool = True) -> str:
    """A whole article page holding the report."""
    f = f or figures()
    texts = section_texts(year, org, key_points, fee)
    parts = []
    numerals = "一二三四五六"
    for n, title in enumerate(SECTION_TITLES, start=1):
        if n == drop_section:
            continue
        heading = {"standard": f"{numerals[n - 1]}、{title}", "dot": f"{numerals[n - 1]}． {title}",
                   "part": f"第{numerals[n - 1]}部分　{title}", "paren": f"（{numerals[n - 1]}）{title}"}[numbering]
        parts.append(f'<p style="text-indent:2em"><strong><span>{heading}</span></strong></p>')
        if texts[n - 1]:
            parts.append(f'<p style="text-indent:2em">{texts[n - 1]}</p>')
        if tables and n == 2:
            parts.append(html_table(table2_rows(generation), style, 0))
        if tables and n == 3:
            parts.append(html_table(table3_rows(f, totals, generation), style, 3))
        if tables and n == 4:
            parts.append(html_table(table4_rows(table4), style, 3))
    meta = f'<meta name="PubDate" content="{pubdate} 10:30">' if pubdate else ""
    title = f"{org}{year}年政府信息公开工作年度报告"
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta name="ArticleTitle" content="{title}">{meta}
<title>{title}</title></head>
<body><div class="header"><a href="/">首页</a> &gt; <a href="../">政府信息公开年报</a></div>
<div class="article"><h1>{title}</h1><div class="info">发布时间：{pubdate or ""}</div>
<div class="TRS_Editor">
<p style="text-indent:2em">本报告根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室印发的政府信息公开工作年度报告格式要求编制。</p>
{chr(10).join(parts)}
</div></div>
<div class="footer">主办单位：{org}</div></body></html>
"""


def pdf_report(year: int, org: str, f: Figures | None = None, split_table3_at: int | None = None) -> bytes:
    """The report as a PDF: the six sections as text lines, Tables 2-4 as ruled tables.

    `split_table3_at`: Table 3 breaks onto a new page before that row, as Word exports long tables.
    """
    f = f or figures()
    writer = PdfWriter()
    writer.text(f"{org}{year}年政府信息公开工作年度报告", 12)
    texts = section_texts(year, org, True, True)
    for n, title in enumerate(SECTION_TITLES, start=1):
        writer.text(f"{'一二三四五六'[n - 1]}、{title}", 10)
        for i in range(0, len(texts[n - 1]), 60):
            writer.text(texts[n - 1][i:i + 60])
        if n == 2:
            writer.table(table2_rows("2021"), [200, 120, 120, 120])
        if n == 3:
            writer.table(table3_rows(f), [80, 90, 250, 45, 45, 45, 45, 45, 45, 45], split_at=split_table3_at)
        if n == 4:
            writer.table(table4_rows(), [51] * 15)
    return writer.bytes()


def report_list(org: str, entries: list[tuple[int, str, str]]) -> str:
    """The 年报 column page: (year, href, date) entries."""
    items = "\n".join(f'<li><a href="{href}" title="{org}{year}年政府信息公开工作年度报告">{org}{year}年政府信息公开'
                      f"工作年度报告</a><span>{day}</span></li>" for year, href, day in entries)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报_{org}</title></head>
<body><div class="top"><a href="/">网站首页</a> &gt; <a href="../">政府信息公开</a></div>
<ul class="list">
{items}
</ul></body></html>
"""


def homepage(org: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{org}</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/xxgk/">政府信息公开</a> <a href="/news/">新闻动态</a></div>
<p>欢迎访问{org}门户网站。</p></body></html>
"""


def column_page(org: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开_{org}</title></head>
<body><ul>
<li><a href="/xxgk/xxgkzn/">政府信息公开指南</a></li><li><a href="/xxgk/xxgkzd/">政府信息公开制度</a></li>
<li><a href="/xxgk/fdzdgknr/">法定主动公开内容</a></li><li><a href="/xxgk/ndbg/">政府信息公开年报</a></li>
</ul></body></html>
"""


def attachment_page(year: int, org: str, href: str, kind: str, pubdate: str = "2026-03-20") -> str:
    """An article page whose report is an attachment (TRS: a short note and a W0….pdf link)."""
    title = f"{org}{year}年政府信息公开工作年度报告"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{pubdate} 09:00"><title>{title}</title></head>
<body><div class="article"><h1>{title}</h1><div class="TRS_Editor"><p>详见附件。</p></div>
<div class="fj">附件：<a href="{href}">{title}.{kind}</a></div></div></body></html>
"""


def blank_figures() -> Figures:
    """A Table 3 left unfilled: every cell empty."""
    return {key: [""] * 6 for key in figures()}


def script_article(year: int, org: str) -> str:
    """An article page whose body a script loads (nothing of the report in the static HTML)."""
    title = f"{org}{year}年政府信息公开工作年度报告"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<script src="/js/jquery.min.js"></script></head>
<body><div id="content"></div>
<script>$.ajax({{url: "/api/article?id=5567", success: function (d) {{ $("#content").html(d.body); }}}});</script>
</body></html>
"""
