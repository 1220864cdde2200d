"""The stylesheet inlined into the HTML report: screen and A4 print, no web fonts, no external resource."""

CSS = """
:root { --pass:#2e7d32; --warn:#f9a825; --fail:#c62828; --error:#6a1b9a; --inconclusive:#78909c;
        --skipped:#b0bec5; --waived:#0277bd; --ink:#1f2933; --muted:#5f6b7a; --line:#d9dee4; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f5f7fa; line-height: 1.55;
       font: 14px/1.55 "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
             "WenQuanYi Micro Hei", sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
header h1 { font-size: 26px; margin: 0 0 4px; }
header .en { color: var(--muted); margin: 0 0 12px; }
h2 { font-size: 19px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; margin: 32px 0 12px; }
h2 .en, h3 .en { font-weight: normal; color: var(--muted); font-size: 13px; margin-left: 6px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
a { color: #0b57d0; word-break: break-all; }
.meta { color: var(--muted); font-size: 13px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 10px; margin: 16px 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.figure .value { font-size: 26px; font-weight: 700; }
.figure .label { color: var(--muted); font-size: 12px; }
.figure.fail .value { color: var(--fail); } .figure.pass .value { color: var(--pass); }
.figure.warn .value { color: #b26a00; } .figure.inconclusive .value { color: var(--inconclusive); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
th small, td small { color: var(--muted); font-weight: normal; display: block; }
td.cell { text-align: center; white-space: nowrap; }
td.cell a { text-decoration: none; color: inherit; display: block; }
.s-pass { background: #e8f5e9; color: var(--pass); }
.s-warn { background: #fff8e1; color: #8a5a00; }
.s-fail { background: #ffebee; color: var(--fail); font-weight: 700; }
.s-error { background: #f3e5f5; color: var(--error); font-weight: 700; }
.s-inconclusive { background: #eceff1; color: #455a64; }
.s-skipped { background: #fafafa; color: #90a4ae; }
.s-waived { background: #e1f5fe; color: var(--waived); }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 12px; font-weight: 600; }
.site { border-top: 1px solid var(--line); padding-top: 4px; }
.result { margin: 10px 0 10px 4px; padding-left: 10px; border-left: 4px solid var(--line); }
.result.s-fail, .result.s-error { border-left-color: var(--fail); background: none; color: inherit; font-weight: normal; }
.result.s-warn { border-left-color: var(--warn); background: none; color: inherit; }
.result.s-inconclusive, .result.s-waived { background: none; color: inherit; }
.result .summary { margin: 2px 0; }
.findings { margin: 4px 0; padding-left: 20px; }
.findings li { margin: 3px 0; }
.evidence, .rule, .fix { font-size: 12.5px; margin: 1px 0; }
.evidence { color: var(--muted); }
.fix { color: #0d5e2a; }
.fix::before { content: "整改："; font-weight: 600; }
.rule::before { content: "依据："; font-weight: 600; color: var(--muted); }
.evidence::before { content: "证据："; font-weight: 600; }
.chart { max-width: 100%; height: auto; display: block; margin: 8px 0; }
.diff td:first-child { white-space: nowrap; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid-page; page-break-after: avoid; }
  .site { break-before: auto; }
  .result, .figure, tr, .chart { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .noprint { display: none; }
}
"""
