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
    selectLine(ta, parseInt(a.getAttribute("data-line"), 10) || 1);
  });

  function selectLine(ta, n) {
    var lines = ta.value.split("\n");
    var start = 0;
    for (var i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
    var end = start + (lines[n - 1] || "").length;
    ta.focus();
    ta.setSelectionRange(start, end);
    var lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
    ta.scrollTop = Math.max(0, (n - 4) * lh);
  }

  // The sticky Save bar must never cover the field being edited or its problem: when a field gets the
  // focus (typing, Tab, a link from the list of problems), scroll until its whole label is clear of it.
  function clearOfSavebar(el) {
    var bar = document.querySelector(".savebar");
    var box = el.closest ? (el.closest(".fld") || el) : el;
    if (!bar || !box) return;
    var b = box.getBoundingClientRect(), top = bar.getBoundingClientRect().top;
    if (getComputedStyle(bar).position !== "sticky" || top >= window.innerHeight) return;
    if (b.bottom > top - 6) window.scrollBy(0, Math.min(b.bottom - top + 12, b.top - 8));
  }
  document.addEventListener("focusin", function (ev) {
    if (ev.target.closest && ev.target.closest("form.editor, form.yaml-form")) clearOfSavebar(ev.target);
  });
  // A link to a field (the list of problems and warnings) puts the cursor in it.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest('a[href^="#f-"]') : null;
    if (!a) return;
    var field = document.getElementById(a.getAttribute("href").slice(1));
    if (!field) return;
    ev.preventDefault();
    field.focus({ preventScroll: true });
    // the whole grid cell (or the field with its problem) in view, across a table that scrolls sideways
    var box = field.closest("td") || field.closest(".fld") || field;
    box.scrollIntoView({ block: "center", inline: "nearest" });
    clearOfSavebar(field);
  });
  // The YAML view opened at a line (?line=N, e.g. "edit the link instead"): select that line.
  var ta = document.getElementById("yaml");
  if (ta && ta.getAttribute("data-select-line")) selectLine(ta, parseInt(ta.getAttribute("data-select-line"), 10) || 1);

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
