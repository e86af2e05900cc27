/* Type-ahead and one-page making for the briefing page. The page works without this script:
   every step is also a plain form or link answered by the server. */
(function () {
  "use strict";
  var base = document.body.getAttribute("data-base") || "";
  var q = document.getElementById("q"), find = document.getElementById("find"),
      matches = document.getElementById("matches"), makeSection = document.getElementById("make-section"),
      make = document.getElementById("make");
  if (!q || !find || !matches || !make) return;
  var button = document.getElementById("make-button"), status = document.getElementById("make-status"),
      slot = document.getElementById("result-slot"), timer = null, last = null, asked = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function getJSON(response) {
    return response.json().then(function (body) { return {status: response.status, body: body}; });
  }

  /* 1. Find: ask the API as the user types; show the matches as links (each also works without script). */
  function lookup() {
    var text = q.value.trim();
    if (text === last) return;
    last = text;
    var mine = ++asked;
    if (text.length < 2) { matches.textContent = ""; return; }
    fetch(base + "/api/constituencies?q=" + encodeURIComponent(text), {headers: {Accept: "application/json"}})
      .then(getJSON)
      .then(function (res) { if (mine === asked) showMatches(res.body, text); })
      .catch(function () { /* the Find button still submits the form */ });
  }
  function showMatches(body, text) {
    matches.textContent = "";
    if (body.error) { matches.appendChild(el("p", "match-note", body.error)); return; }
    if (body.message) matches.appendChild(el("p", "match-note", body.message));
    if (!body.matches.length) return;
    var count = body.total > body.matches.length
      ? "The first " + body.matches.length + " of " + body.total + " matches; type more to narrow them."
      : body.total + (body.total === 1 ? " match:" : " matches:");
    matches.appendChild(el("p", "match-count", count + " choose your constituency."));
    var list = el("ul", "matches");
    body.matches.forEach(function (m) {
      var li = el("li"), a = el("a", "", m.name), detail = "MP: " + m.member + " (" + m.party + ", as at " + m.as_at + ")";
      a.href = base + "/?" + new URLSearchParams({q: text, seat: m.code}).toString() + "#make-heading";
      a.setAttribute("data-code", m.code); a.setAttribute("data-name", m.name);
      a.setAttribute("data-member", m.member); a.setAttribute("data-party", m.party);
      a.setAttribute("data-as-at", m.as_at);
      if (m.via === "council") detail += "; covers part of " + m.detail;
      else if (m.via === "postcode") detail += "; contains " + m.detail;
      li.appendChild(a); li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", "match-detail", detail));
      list.appendChild(li);
    });
    matches.appendChild(list);
  }
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 150); });
  find.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); last = null; lookup(); });

  /* 2. Choose: fill in the seat, show the form, move the focus to it. */
  matches.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-code]");
    if (!a) return;
    e.preventDefault();
    document.getElementById("constituency").value = a.getAttribute("data-code");
    var summary = document.getElementById("seat-summary"), again = el("a", "search-again", "Search again");
    again.href = "#q";
    summary.textContent = "Constituency: ";
    summary.appendChild(el("strong", "", a.getAttribute("data-name")));
    summary.appendChild(document.createTextNode(". Member of Parliament: "));
    summary.appendChild(el("strong", "", a.getAttribute("data-member")));
    summary.appendChild(document.createTextNode(" (" + a.getAttribute("data-party") + ", as at " +
      a.getAttribute("data-as-at") + "). Not right? "));
    summary.appendChild(again);
    summary.appendChild(document.createTextNode("."));
    clearErrors();
    makeSection.hidden = false;
    document.getElementById("make-heading").focus();
    if (window.history && history.replaceState) {
      history.replaceState(null, "", "?" + new URLSearchParams({q: q.value.trim(), seat: a.getAttribute("data-code")}).toString());
    }
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest("a.search-again")) { e.preventDefault(); q.focus(); q.select(); }
  });

  /* 3. Make: send the form to the API; show the briefing in this page, or each error beside its field. */
  function clearErrors() {
    Array.prototype.forEach.call(make.querySelectorAll(".field-error"), function (p) { p.hidden = true; p.textContent = ""; });
    Array.prototype.forEach.call(make.querySelectorAll("[aria-invalid]"), function (i) { i.removeAttribute("aria-invalid"); });
  }
  function showError(field, message) {
    var box = document.getElementById((field || "form") + "-error") || document.getElementById("form-error");
    box.textContent = "";
    box.appendChild(el("span", "visually-hidden", "Error: "));
    box.appendChild(document.createTextNode(message));
    box.hidden = false;
    var inputs = field === "concerns" ? make.querySelectorAll("input[name=concerns]")
               : field ? make.querySelectorAll("[name='" + field + "']:not([type=hidden])") : [];
    Array.prototype.forEach.call(inputs, function (i) { i.setAttribute("aria-invalid", "true"); });
    if (inputs.length) inputs[0].focus();
    else if (field === "constituency") q.focus();
  }
  make.addEventListener("submit", function (e) {
    e.preventDefault();
    var form = new FormData(make), payload = {concerns: form.getAll("concerns")};
    ["constituency", "club", "address", "meeting_date", "sender_name", "personal_note"].forEach(function (k) {
      if (form.has(k)) payload[k] = form.get(k);
    });
    clearErrors();
    button.disabled = true;
    status.textContent = "Making your briefing…";
    fetch(base + "/api/briefings", {method: "POST", body: JSON.stringify(payload),
                                   headers: {"Content-Type": "application/json", Accept: "application/json"}})
      .then(getJSON)
      .then(function (res) {
        if (res.status === 200) return showResult(res.body);
        button.disabled = false;
        if (res.status === 400) {
          var said = res.body.message || res.body.error;   /* message: the page's words, without CLI options */
          showError(res.body.field, said);
          status.textContent = "There is a problem: " + said;
        } else {
          status.textContent = res.body.error || "Something went wrong; please try again.";
        }
      })
      .catch(function () {
        button.disabled = false;
        status.textContent = "The server could not be reached; check your connection and try again.";
      });
  });
  function showResult(body) {
    return fetch(body.page, {headers: {Accept: "text/html"}})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html"),
            section = doc.getElementById("result-section");
        if (!section) { window.location.assign(body.page); return; }
        slot.textContent = "";
        slot.appendChild(document.importNode(section, true));
        button.disabled = false;
        status.textContent = "Your briefing is ready.";
        document.getElementById("result-heading").focus();
      });
  }
})();
