var req = new XMLHttpRequest();
req.open("GET", "/js/footer.html");
req.onload = function () { document.getElementById("footer").innerHTML = req.responseText; };
req.send();
