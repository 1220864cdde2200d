"""Help texts of the command line (Chinese first, then English): examples, exit codes, environment.

Plain strings only. A line `\\b` before a paragraph keeps click from re-flowing it.
"""

APP_HELP = """gkaudit：政府网站政务公开合规检查 / audit Chinese government websites for disclosure rules (政务公开).

\b
常用 / examples:
  gkaudit demo                                  扫描内置的模拟南京网站 / scan the bundled simulated web
  gkaudit scan -t targets.yaml                  年度检查 / the year-end audit, table on the terminal
  gkaudit scan -f json -o r.json -f html -o r.html   一次扫描，多种格式 / several formats from one scan
  gkaudit check www.njqh.gov.cn --kind district      临时检查一个站点 / one site ad hoc
  gkaudit diff old.json new.json                与上次比较 / what changed since the last run
  gkaudit rules                                 规则说明 / the rule reference
"""

EXIT_CODES = """\b
退出码 / exit codes:
  0    没有达到 --fail-on 的结果 / nothing at or above --fail-on (with --fail-on regression: no regression)
  1    有不合格（或 --fail-on warn 时的警告；--fail-on regression 时为退步）/ compliance failures (or regressions)
  2    用法或配置错误 / usage or configuration error (bad option, targets file, report file)
  3    扫描无法进行（扫描机离线）或内部错误 / the scan could not run (scanner offline) or internal error
  130  被 Ctrl-C 中断 / interrupted (SIGINT)     143  被终止 / terminated (SIGTERM)
"""

ENVIRONMENT = """\b
环境变量 / environment (an option on the command line wins):
  GKAUDIT_TARGETS GKAUDIT_NAMESERVER GKAUDIT_ALLOW_PRIVATE GKAUDIT_TIMEOUT GKAUDIT_CONCURRENCY
  GKAUDIT_CA_BUNDLE GKAUDIT_NOW GKAUDIT_FAIL_ON GKAUDIT_IPV6 GKAUDIT_IPV6_CONTROL GKAUDIT_CONTROL_HOST
  GKAUDIT_CHECKS_DIR GKAUDIT_HISTORY  对应同名选项 / the option of the same name
  NO_COLOR=1  不输出颜色 / no colours (as --no-color)     GKAUDIT_DEBUG=1  内部错误显示回溯 / tracebacks
"""

FORMATS = """\b
格式 / formats (-f, repeatable; the i-th -f pairs with the i-th -o; one -f without -o goes to stdout;
an -o without -f takes its format from the suffix .json .csv .md .xml .html .txt):
  table     终端表格 / terminal table, fits the terminal width
  json      JSON 报告（gkaudit schema）/ the JSON report
  csv       每个站点×检查一行，UTF-8 带 BOM（Excel 可直接打开）/ one row per site × check
  markdown  CI 摘要、工单正文 / for CI job summaries and issue bodies
  junit     JUnit XML，每个站点×检查一个 testcase / one testcase per site × check
  html      年度报告，单文件、可打印 A4 / the year-end report, one self-contained file
"""

SCAN_EPILOG = FORMATS + "\n" + EXIT_CODES + "\n" + ENVIRONMENT + """
\b
例 / examples:
  gkaudit scan -t targets.yaml --tag district -c ipv6
  gkaudit scan -f json -o today.json -f markdown -o summary.md -f junit -o junit.xml --quiet
  gkaudit scan --baseline yesterday.json --fail-on regression -f json -o today.json
  gkaudit scan -f html -o report.html --history reports/
"""

CHECK_EPILOG = """\b
URL 可省略协议：www.njqh.gov.cn 即 http://www.njqh.gov.cn/（站点自己的 https 跳转会被跟随）。
A bare host means http://HOST/ (the site's own redirect to https is followed); give https:// to pin it.

""" + FORMATS + "\n" + EXIT_CODES + "\n" + ENVIRONMENT

DIFF_EPILOG = """\b
比较两份 JSON 报告 / compare two JSON reports (sites by id, checks by id; only statuses count —
timings, summaries and metrics never do):
  新增不合格 new_failure  fails (fail/error) now, did not fail in OLD (or was not in OLD)
  变差 worse              pass/waived -> warn
  已修复 fixed            warn/fail/error -> pass (or waived)
  好转 improved           fail/error -> warn
  状态变化 changed        anything else: to inconclusive / skipped, inconclusive -> pass/warn, fail <-> error
  order: pass = waived < warn < fail = error; inconclusive and skipped are not ranked
\b
退出码 / exit codes: 0 no regression, 1 a regression (new_failure or worse), 2 a file is not a report.
例 / example:  gkaudit diff yesterday.json today.json -f markdown >> "$GITHUB_STEP_SUMMARY"
"""
