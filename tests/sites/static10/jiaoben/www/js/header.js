var site = "脚本市人民政府";
document.writeln("<div class=\"header\">");
document.writeln("  <ul class=\'nav\'>");
document.writeln("    <li><a href=\'/\'>首页</a></li>");
//document.writeln("    <li><a href='/old/'>旧版政务公开</a></li>");
document.writeln("    <li><a href=\'/zwgk/\' title=\'政务公开\'>" + "政务" + "公开</a></li>");
document.writeln("  </ul>");
document.writeln("</div>");
