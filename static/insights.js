// Tooltips for the insights charts: hovering (or tapping) a bar or a point
// shows its value next to it. The charts, their values and their tables
// are all in the page without this script; it only saves looking them up.
(function () {
  "use strict";
  const tip = document.createElement("div");
  tip.className = "chart-tip";
  tip.hidden = true;
  tip.setAttribute("aria-hidden", "true"); // the same values are in each chart's table

  // The browser's own tooltip (each mark's <title>) would show beside this
  // one: keep the text in data-tip only.
  document.querySelectorAll("svg.chart [data-tip] > title").forEach(function (t) { t.remove(); });

  function show(mark) {
    const wrap = mark.closest(".chart-wrap");
    if (!wrap) return;
    if (tip.parentNode !== wrap) wrap.appendChild(tip);
    tip.textContent = mark.getAttribute("data-tip");
    tip.hidden = false;
    const w = wrap.getBoundingClientRect();
    const r = mark.getBoundingClientRect();
    const half = tip.offsetWidth / 2;
    const x = Math.min(Math.max(r.left + r.width / 2 - w.left, half), w.width - half);
    tip.style.left = x + "px";
    tip.style.top = Math.max(r.top - w.top - 6, 0) + "px";
  }

  document.addEventListener("pointerover", function (e) {
    const mark = e.target.closest && e.target.closest("svg.chart [data-tip]");
    if (mark) {
      show(mark);
    } else if (!tip.hidden && !(e.target.closest && e.target.closest(".chart-tip"))) {
      tip.hidden = true;
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") tip.hidden = true;
  });
})();
