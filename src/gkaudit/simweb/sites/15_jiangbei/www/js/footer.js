// 页脚由脚本写入（document.write），仿照部分政府网站的做法
document.write('<div class="footer-links"><a href="{{base}}/wzdt/">网站地图</a> | <a href="{{base}}/lxwm/">联系我们</a></div>');
document.write('  <p>主办单位：南京江北新区管理委员会 &nbsp;&nbsp;<a href="https://beian.miit.gov.cn/" target="_blank">苏ICP备05004952号-1</a> &nbsp;&nbsp;网站标识码：3201000050&nbsp;&nbsp;');
document.write('  <a target="_blank" href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=32010502010001"><img src="/images/jbxq_gabah.png" />苏公网安备 32010502010001号</a></p>');
document.write('  <script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/11/173/0000/60491749/CA111730000604917490001.js' type='text/javascript'%3E%3C/script%3E"));</script>');
document.write('  <script id="_jiucuo_" sitecode='3201000050' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>');
