// Operator console: live call events over Server-Sent Events, caller
// history lookup, keyboard shortcuts. Served from /static because the
// content security policy allows no inline script. All text from the
// server is inserted with textContent, never as HTML.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var panel = $("incoming");
  if (!panel) { return; }
  var L = function (k) { return panel.getAttribute("data-l-" + k) || k; };
  var form = $("call-form");
  var lookupSeq = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function render(h) {
    $("caller").hidden = false;
    $("caller-name").textContent = h.name || "—";
    $("caller-phone").textContent = h.display || h.phone;
    var bl = $("caller-blocked");
    bl.hidden = !h.blocked;
    bl.textContent = h.blocked ? L("blocked") + ": " + h.blocked : "";
    if (h.name && !$("name").value) { $("name").value = h.name; }
    var box = $("caller-history");
    box.textContent = "";
    if (!h.tickets.length && !h.calls.length) {
      box.appendChild(el("p", "", L("none")));
      return;
    }
    if (h.tickets.length) {
      box.appendChild(el("h3", "", L("tickets")));
      var ul = el("ul", "history");
      h.tickets.forEach(function (t) {
        var li = el("li", t.open ? "open" : "closed");
        li.setAttribute("data-code", t.code);
        var code = el("a", "code", t.code);
        code.href = "#";
        code.addEventListener("click", function (ev) {
          ev.preventDefault();
          $("ticket").value = t.code;
          $("outcome").value = "added_to_ticket";
          $("summary").focus();
        });
        li.appendChild(code);
        li.appendChild(el("span", "status", " · " + t.status_label));
        li.appendChild(el("span", "due", " · " + L("due") + " " + t.due));
        if (t.overdue) { li.appendChild(el("span", "badge", L("overdue"))); }
        li.appendChild(el("div", "title", t.title + (t.category ? " (" + t.category + ")" : "") + " · " + t.channel));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (h.calls.length) {
      box.appendChild(el("h3", "", L("calls")));
      var cl = el("ul", "history");
      h.calls.forEach(function (c) {
        var li = el("li", c.missed ? "missed" : "");
        li.appendChild(el("span", "", c.at + " · " + (c.outcome || "")));
        if (c.ticket) { li.appendChild(el("span", "code", " " + c.ticket)); }
        if (c.summary) { li.appendChild(el("div", "title", c.summary)); }
        cl.appendChild(li);
      });
      box.appendChild(cl);
    }
  }

  function lookup(phone) {
    phone = (phone || "").trim();
    if (!phone) { return; }
    var seq = ++lookupSeq;
    fetch("/staff/console/caller?phone=" + encodeURIComponent(phone), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (r) {
        if (seq !== lookupSeq) { return; } // a newer lookup won
        if (!r.ok) {
          $("caller").hidden = false;
          $("caller-history").textContent = (r.body && r.body.error) || L("error");
          return;
        }
        render(r.body);
      })
      .catch(function () { if (seq === lookupSeq) { $("caller-history").textContent = L("error"); } });
  }

  // The form belongs to a new call unless the operator has started
  // writing about the current one.
  function formIsFree() { return !$("summary").value.trim() && !$("answer").value.trim(); }

  function onCall(ev) {
    var state = $("call-state");
    if (ev.event === "newCall") {
      state.textContent = L("newcall") + ": " + ev.display;
      state.className = "call-state ringing";
      if (formIsFree()) {
        $("phone").value = ev.display || ev.phone;
        $("call_id").value = ev.call_id;
        $("name").value = "";
      }
      lookup(ev.phone);
    } else if (ev.event === "answer") {
      state.textContent = L("answer") + (ev.operator_name ? " — " + ev.operator_name : "") + ": " + ev.display;
      state.className = "call-state answered";
    } else if (ev.event === "hangup") {
      state.textContent = (ev.missed ? L("missed") : L("hangup")) + ": " + ev.display;
      state.className = "call-state ended";
    }
  }

  if (window.EventSource) {
    var es = new EventSource("/staff/console/events");
    var feed = $("feed");
    es.onopen = function () { feed.setAttribute("data-state", "open"); feed.textContent = "●"; };
    es.onerror = function () { feed.setAttribute("data-state", "retrying"); feed.textContent = "○"; };
    es.addEventListener("call", function (e) {
      try { onCall(JSON.parse(e.data)); } catch (err) { /* a malformed event is ignored */ }
    });
  }

  $("lookup").addEventListener("click", function () { lookup($("phone").value); });
  $("phone").addEventListener("change", function () { lookup($("phone").value); });
  // Ctrl+Enter (or Cmd+Enter) saves from anywhere, text areas included;
  // Enter in a one-line field submits natively.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });
  // A number arriving in the URL (from the call-back list) is looked up.
  if ($("phone").value) { lookup($("phone").value); }
})();
