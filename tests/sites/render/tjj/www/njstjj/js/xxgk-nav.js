// 政府信息公开 navigation: the menu comes from a JSON file (same site), written into #app.
(function () {
  var xhr = new XMLHttpRequest();
  xhr.open("GET", "/njstjj/xxgkzl/data/nav.json");
  xhr.onload = function () {
    var menu = JSON.parse(xhr.responseText).menu, html = "<ul class=\"xxgk-nav\">";
    for (var i = 0; i < menu.length; i++) {
      html += "<li><a href=\"" + menu[i].href + "\">" + menu[i].name + "</a></li>";
    }
    document.getElementById("app").innerHTML = html + "</ul>";
  };
  xhr.send();
})();
