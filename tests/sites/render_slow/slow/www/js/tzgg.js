var xhr = new XMLHttpRequest();
xhr.open("GET", "/tzgg/list.json");
xhr.onload = function () { document.getElementById("app").textContent = xhr.responseText; };
xhr.send();
