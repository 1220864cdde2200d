var columnName = "统计分析";
