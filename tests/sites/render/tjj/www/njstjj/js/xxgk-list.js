// A column list: the records of column `id` come from /njstjj/xxgkzl/data/<id>.json (same site).
var XxgkList = {
  show: function (containerId, id) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", "/njstjj/xxgkzl/data/" + id + ".json");
    xhr.onload = function () {
      if (xhr.status !== 200) { return; }
      var items = JSON.parse(xhr.responseText).items, html = "<ul class=\"list\">";
      for (var i = 0; i < items.length; i++) {
        html += "<li><a href=\"" + items[i].url + "\" title=\"" + items[i].title + "\">" + items[i].title +
                "</a><span>" + items[i].date + "</span></li>";
      }
      document.getElementById(containerId).innerHTML = html + "</ul>";
    };
    xhr.send();
  }
};
