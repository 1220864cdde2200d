document.write('<div class="foot">');
document.write('<p>主办：脚本市人民政府办公厅 网站标识码：3299000002</p>');
document.write('<p><a href="https://beian.miit.gov.cn/">苏ICP备09011111</a> <a href="http://www.beian.gov.cn/">苏公网安备:32990002000002号</a></p>');
document.write('<a href="https://bszs.conac.cn/sitename?method=show&id=ABC"><img src="/img/red.png"></a>');
document.write('<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3299000002"><img src="/img/jiucuo.png"></a>');
document.write('</div>');
