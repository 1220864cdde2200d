"""Write the annual-report articles of the demo: one case of the annual_report check per site.

- 南京市人民政府: the report as a PDF attachment, right (pass);
- 秦淮区: an HTML report, right, carry-over consistent (pass);
- 鼓楼区: GBK pages, Hanweb tables, Table 3 does not add up in the 自然人 column (fail);
- 江北新区: published on 10 May, after the 31 March deadline (warn);
- 统计局: still in the 2019 trial format (warn);
- 发改委: the report is a .doc attachment gkaudit cannot read (inconclusive, naming DOC).

Run once from the repository root (`python tests/make_demo_reports.py`); the files it writes under
src/gkaudit/simweb/sites/ are committed. Years and dates are simweb templates, so the demo stays
current: t001 is last year's report, t002 the year before's (its 四 is t001's 二).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import reportkit as rk

SITES = Path(__file__).parent.parent / "src" / "gkaudit" / "simweb" / "sites"


def main() -> None:
    carried = (2, 1, 0, 0, 0, 0)
    earlier = rk.figures(carried)  # 四 = (2, 1, 0, …)
    qinhuai = SITES / "10_qinhuai" / "www" / "qhqrmzf" / "xxgkzl" / "zfxxgkndbg"
    org = "南京市秦淮区人民政府"
    (qinhuai / "t001.html").write_text(rk.article("{{year:-1}}", org, rk.figures(carried), pubdate="{{date:-250}}"),
                                       encoding="utf-8")
    (qinhuai / "t002.html").write_text(rk.article("{{year:-2}}", org, earlier, pubdate="{{date:-600}}"),
                                       encoding="utf-8")
    gulou = SITES / "11_gulou" / "www" / "glqrmzf" / "xxgkzl" / "zfxxgkndbg"
    org = "南京市鼓楼区人民政府"
    wrong = rk.figures(carried)
    wrong["carried_out"][0] += 2  # 自然人: 一 + 二 = 22, but （七）总计 + 四 = 24
    (gulou / "t001.html").write_text(rk.article("{{year:-1}}", org, wrong, pubdate="{{date:-250}}", style="hanweb",
                                                charset="gb2312"), encoding="utf-8")
    (gulou / "t002.html").write_text(rk.article("{{year:-2}}", org, earlier, pubdate="{{date:-600}}", style="hanweb",
                                                charset="gb2312"), encoding="utf-8")
    nanjing = SITES / "00_nanjing" / "www" / "njsrmzf" / "xxgkzl" / "zfxxgkndbg"
    org = "南京市人民政府"
    (nanjing / "t001.html").write_text(rk.attachment_page("{{year:-1}}", org, "./W020260325512.pdf", "pdf",
                                                          pubdate="{{date:-250}}"), encoding="utf-8")
    (nanjing / "W020260325512.pdf").write_bytes(rk.pdf_report(2025, org, rk.figures(carried)))
    (nanjing / "t002.html").write_text(rk.article("{{year:-2}}", org, earlier, pubdate="{{date:-600}}"),
                                       encoding="utf-8")
    jiangbei = SITES / "15_jiangbei" / "www" / "jbxq" / "xxgkzl" / "zfxxgkndbg"
    org = "南京江北新区管理委员会"
    (jiangbei / "t001.html").write_text(rk.article("{{year:-1}}", org, rk.figures(carried), pubdate="{{year}}-05-10"),
                                        encoding="utf-8")
    (jiangbei / "t002.html").write_text(rk.article("{{year:-2}}", org, earlier, pubdate="{{year:-1}}-05-10"),
                                        encoding="utf-8")
    tjj = SITES / "20_tjj" / "www" / "njstjj" / "xxgkzl" / "xxgknb"
    org = "南京市统计局"
    for name, year, day in (("t001.html", "{{year:-1}}", "{{year}}-01-20"), ("t002.html", "{{year:-2}}", "{{year:-1}}-01-20")):
        (tjj / name).write_text(rk.article(year, org, rk.figures((0,) * 6), generation="2019", pubdate=day),
                                encoding="utf-8")
    fgw = SITES / "21_fgw" / "www" / "njsfzhggwyh" / "xxgkzl" / "zfxxgkndbg"
    org = "南京市发展和改革委员会"
    for name, year in (("t001.html", "{{year:-1}}"), ("t002.html", "{{year:-2}}")):
        (fgw / name).write_text(rk.attachment_page(year, org, f"./W0{name[1:4]}.doc", "doc", pubdate="{{date:-300}}"),
                                encoding="utf-8")
        (fgw / f"W0{name[1:4]}.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)


if __name__ == "__main__":
    main()
