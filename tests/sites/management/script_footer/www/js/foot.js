document.write('网站标识码：3201150099');
document.write('<a href="https://beian.miit.gov.cn/">苏ICP备05004952号-3</a>');
document.write('<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=32011502010999">苏公网安备 32011502010999号</a>');
document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E"));
document.write('<scr'+'ipt id="_jiucuo_" sitecode="3201150099" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></scr'+'ipt>');
