(function () {
  var xhr = new XMLHttpRequest();
  xhr.open("GET", "/plain/list.json");
  xhr.onload = function () {
    var items = JSON.parse(xhr.responseText), html = "";
    for (var i = 0; i < items.length; i++) {
      html += "<li><a href=\"" + items[i][1] + "\">" + items[i][0] + "</a><span>" + items[i][2] + "</span></li>";
    }
    document.getElementById("list").innerHTML = html;
  };
  xhr.send();
})();
