/* realpolitik web app: small helpers (no inline scripts anywhere; the CSP forbids them). */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  // A problem in the YAML view names its line: clicking it selects that line in the text.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.line[data-line]") : null;
    if (!a) return;
    var ta = document.getElementById("yaml");
    if (!ta) return;
    ev.preventDefault();
    var n = parseInt(a.getAttribute("data-line"), 10) || 1;
    var lines = ta.value.split("\n");
    var start = 0;
    for (var i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
    var end = start + (lines[n - 1] || "").length;
    ta.focus();
    ta.setSelectionRange(start, end);
    var lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
    ta.scrollTop = Math.max(0, (n - 4) * lh);
  });

  // Unsaved edits: ask before leaving the page (saving or adding rows submits the form: no question).
  var dirty = false;
  document.addEventListener("input", function (ev) {
    if (ev.target.closest && ev.target.closest("form.editor, form.yaml-form")) dirty = true;
  });
  document.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (ev) {
    if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
  });
})();
