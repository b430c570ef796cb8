// "Similar questions already answered" on the submission form (issue 7).
// While the citizen types a subject or a message, the published Q&A is
// searched (GET /api/v1/qa/search, debounced) and matching answers are
// listed with links. Everything from the server is inserted with
// textContent, never as HTML. Without JavaScript the box stays hidden and
// the form works as before.
(function () {
  "use strict";
  var box = document.getElementById("similar-qa");
  var list = document.getElementById("similar-qa-list");
  var title = document.getElementById("title");
  var body = document.getElementById("body");
  var category = document.getElementById("category");
  if (!box || !list || !title || !body || !window.fetch) { return; }
  var endpoint = box.getAttribute("data-endpoint");
  var timer = null, seq = 0, last = "";

  function query() {
    var words = (title.value + " " + body.value).split(/\s+/).filter(Boolean);
    return words.slice(0, 30).join(" ");
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/qa/" + encodeURIComponent(r.id);
      a.target = "_blank";
      a.rel = "noopener";
      var q = r.question || "";
      a.textContent = q.length > 200 ? q.slice(0, 200) + "…" : q;
      li.appendChild(a);
      if (r.answer) {
        var p = document.createElement("p");
        p.className = "hint";
        p.textContent = r.answer.length > 240 ? r.answer.slice(0, 240) + "…" : r.answer;
        li.appendChild(p);
      }
      list.appendChild(li);
    });
    box.hidden = results.length === 0;
  }

  function lookup() {
    var q = query();
    if (q === last) { return; }
    last = q;
    if (q.length < 6) { show([]); return; }
    var mine = ++seq;
    var url = endpoint + "?limit=5&q=" + encodeURIComponent(q);
    if (category && category.value) { url += "&category=" + encodeURIComponent(category.value); }
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "omit" })
      .then(function (res) { return res.ok ? res.json() : { results: [] }; })
      .then(function (data) { if (mine === seq) { show(data.results || []); } })
      .catch(function () { /* suggestions are optional */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(lookup, 400);
  }
  title.addEventListener("input", later);
  body.addEventListener("input", later);
  if (category) { category.addEventListener("change", function () { last = ""; later(); }); }
})();
