(function () {
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");
  var specs = JSON.parse(document.getElementById("rp-figures").textContent);
  var config = { responsive: true, displaylogo: false, displayModeBar: false };
  function draw(el) {
    if (el.getAttribute("data-drawn")) return;
    var spec = specs[el.getAttribute("data-plotly")];
    if (!spec || !window.Plotly) return;
    el.setAttribute("data-drawn", "1");
    window.Plotly.newPlot(el, spec.data, spec.layout, config);
  }
  var live = document.querySelectorAll("[data-plotly]");
  if ("IntersectionObserver" in window) {
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) { if (e.isIntersecting) { draw(e.target); io.unobserve(e.target); } });
    }, { rootMargin: "400px 0px" });
    live.forEach(function (el) { io.observe(el); });
  } else {
    live.forEach(draw);
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
