// Duplicate hints while a reader types the source links and title of a report.
// The form works without this script (the "Check for similar incidents" button).
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var box = document.getElementById("duplicate-hints");
  if (!form || !box || !window.fetch) { return; }
  var endpoint = form.getAttribute("data-hints-url");
  var timer = null;
  var last = "";

  function field(name) { return form.elements[name] ? form.elements[name].value : ""; }

  function render(hints) {
    var list = box.querySelector("ul");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    hints.forEach(function (hint) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = hint.url;
      link.textContent = hint.code + " " + hint.title;
      item.appendChild(link);
      var reasons = document.createElement("span");
      reasons.className = "reasons";
      reasons.textContent = hint.reasons.join("; ");
      item.appendChild(reasons);
      list.appendChild(item);
    });
    box.hidden = hints.length === 0;
  }

  function check() {
    var params = new URLSearchParams();
    field("source_urls").split(/\s+/).filter(Boolean).slice(0, 5).forEach(function (url) {
      params.append("url", url);
    });
    params.set("title", field("title"));
    params.set("occurred", field("occurred"));
    params.set("organisations", field("organisations"));
    var query = params.toString();
    if (query === last) { return; }
    last = query;
    fetch(endpoint + "?" + query, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { hints: [] }; })
      .then(function (data) { render(data.hints || []); })
      .catch(function () { /* hints are a help, not a requirement */ });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 400);
  });
})();
