// 通知公告: a front-end list filled from a JSON endpoint of the same site (read only in a browser).
(function () {
  var xhr = new XMLHttpRequest();
  xhr.open("GET", "/tzgg/list.json");
  xhr.onload = function () {
    var items = JSON.parse(xhr.responseText).items, html = "<ul class=\"list\">";
    for (var i = 0; i < items.length; i++) {
      html += "<li><a href=\"" + items[i].url + "\">" + items[i].title + "</a><span>" + items[i].date + "</span></li>";
    }
    document.getElementById("app").innerHTML = html + "</ul>";
  };
  xhr.send();
})();
