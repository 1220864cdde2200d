"""Write the annual-report articles of the demo's 秦淮区 (right) and 鼓楼区 (Table 3 does not add up).

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


if __name__ == "__main__":
    main()
