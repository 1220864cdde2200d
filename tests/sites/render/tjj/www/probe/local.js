fetch("/probe/data.json").then(function (r) { return r.json(); }).then(function (d) {
  document.getElementById("out").textContent = d.text;
});
