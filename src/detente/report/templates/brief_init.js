(function () {
  "use strict";
  var node = document.getElementById("detente-specs");
  if (!node || typeof vegaEmbed === "undefined") { return; }
  var specs = JSON.parse(node.textContent);
  Object.keys(specs).forEach(function (name) {
    var el = document.getElementById("vis-" + name);
    if (!el) { return; }
    vegaEmbed(el, specs[name], {
      // expressions interpreted, not compiled with eval; no style element inserted
      actions: false, renderer: "svg", ast: true, defaultStyle: false,
      tooltip: { disableDefaultStyle: true }
    }).then(function () {
      el.setAttribute("data-rendered", "true");
    }).catch(function (err) {
      el.setAttribute("data-rendered", "error");
      el.textContent = "This chart could not be drawn: " + err;
    });
  });
})();
