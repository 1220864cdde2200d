$(function () {
  $.ajax({ url: "/api/list?col=" + colId, dataType: "json", success: function (rows) {
    var html = "";
    for (var i = 0; i < rows.length; i++) { html += "<li>" + rows[i].title + "</li>"; }
    $("#list").html(html);
  }});
});
