"""The plan title classifier (checks/plans/titles.py) on real-style titles, positives and negatives."""

from __future__ import annotations

import pytest

from gkaudit.checks.plans.titles import classify_title, find_generations, generation_label, generation_of_year

PLANS = [
    # (title, type, generations)
    ("南京市秦淮区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "outline", {14}),
    ("南京市秦淮区国民经济和社会发展第十五个五年规划和二〇三五年远景目标纲要", "outline", {15}),
    ("秦淮区“十四五”规划纲要", "outline", {14}),
    ("秦淮区\"十五五\"规划纲要", "outline", {15}),
    ("鼓楼区国民经济和社会发展“十四五”规划和二〇三五年远景目标纲要", "outline", {14}),
    ("秦淮区十五五规划和二〇三五年远景目标纲要", "outline", {15}),
    ("南京市国民经济和社会发展第十三个五年规划纲要", "outline", {13}),
    ("江宁区国民经济和社会发展规划纲要（2026—2030年）", "outline", {15}),
    ("关于印发《南京市江宁区国民经济和社会发展第十五个五年规划纲要》的通知", "outline", {15}),
    ("《南京市“十四五”规划纲要》全文", "outline", {14}),
    ("关于印发《秦淮区“十四五”生态环境保护规划》的通知", "special", {14}),
    ("关于印发南京市秦淮区“十四五”教育发展规划的通知", "special", {14}),
    ("秦淮区“十五五”综合交通运输发展规划", "special", {15}),
    ("南京市“十四五”能源发展专项规划", "special", {14}),
    ("秦淮区养老服务设施布局规划（2021—2035年）", "special", set()),
    ("建邺区“十四五”卫生健康事业发展规划（2021-2025年）", "special", {14}),
    ("秦淮区教育发展规划纲要", "special", set()),
    ("南京市秦淮区国土空间总体规划（2021—2035年）", "spatial", set()),
    ("南京市国土空间总体规划（2021-2035年）（公开版）", "spatial", set()),
    ("溧水区土地利用总体规划（2006-2020年）调整完善", "spatial", set()),
    ("永阳街道村庄规划", "spatial", set()),
    ("宁镇扬一体化发展规划", "regional", set()),
    ("南京都市圈发展规划", "regional", set()),
    ("江心洲—南部新城区域协同发展规划", "regional", set()),
    ("秦淮区2026年国民经济和社会发展计划", "other", set()),
    ("秦淮区“十四五”规划", "other", {14}),
    ("南京江北新区“十四五”发展规划纲要", "outline", {14}),
    ("江北新区“十五五”经济社会发展规划", "outline", {15}),
]

NOT_PLANS = [
    # (title, related: a document about a plan?)
    ("区规划资源分局召开党风廉政建设会议", False),
    ("市规划和自然资源局秦淮分局开展“学习月”活动", False),
    ("“十四五”期间工作总结", True),
    ("秦淮区“十四五”规划纲要实施中期评估报告", True),
    ("《秦淮区“十五五”规划纲要》解读", True),
    ("一图读懂《江宁区“十五五”规划纲要》", True),
    ("建设工程规划许可证批前公示", True),
    ("南京市秦淮区国土空间总体规划（2021—2035年）草案公示", True),
    ("关于《秦淮区“十五五”文化发展规划（征求意见稿）》公开征求意见的公告", True),
    ("江南区召开“十五五”规划编制工作推进会", True),
    ("关于秦淮区2025年国民经济和社会发展计划执行情况与2026年计划草案的报告", True),
    ("秦淮区“十五五”规划前期研究课题采购公告", True),
    ("秦淮区“十四五”综合交通规划环境影响报告书", True),
    ("秦淮区2026年政务公开工作要点", False),
    ("专项规划", False),  # a sub-column's menu link
    ("“十四五”规划", False),
    ("国土空间规划", False),
    ("关于实施“十四五”城市更新行动的意见", False),
    ("秦淮区“十四五”养老服务体系建设实施方案", False),
]


@pytest.mark.parametrize(("title", "plan_type", "generations"), PLANS)
def test_plans_are_recognised(title: str, plan_type: str, generations: set[int]) -> None:
    result = classify_title(title)
    assert result.is_plan, result.reason
    assert result.plan_type == plan_type
    assert set(result.generations) == generations


@pytest.mark.parametrize(("title", "related"), NOT_PLANS)
def test_non_plans_are_rejected(title: str, related: bool) -> None:
    result = classify_title(title)
    assert not result.is_plan
    assert result.plan_type is None
    assert result.related is related
    assert result.reason


def test_at_least_thirty_titles() -> None:
    assert len(PLANS) + len(NOT_PLANS) >= 30


def test_generation_words_and_years() -> None:
    assert generation_label(14) == "十四五"
    assert generation_label(15) == "十五五"
    assert generation_label(16) == "十六五"
    assert generation_of_year(2025) == 14
    assert generation_of_year(2026) == 15
    assert generation_of_year(2031) == 16
    assert find_generations("（2026—2030年）") == {15}
    assert find_generations("（2021-2035年）") == frozenset()  # a spatial plan's horizon is not a generation
    assert find_generations("第十四个五年规划") == {14}


def test_evaluation_of_a_plan_keeps_its_generation() -> None:
    result = classify_title("秦淮区“十四五”规划纲要实施中期评估报告")
    assert result.generations == {14}
    assert "评估" in result.reason
