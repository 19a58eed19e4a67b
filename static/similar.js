// Similar-content hints: a title input marked data-similar-kind="idea" (or
// "thread") gets a live list of existing items with similar titles below
// it, from GET /api/v1/search/similar, so people vote on or join what
// exists instead of posting a duplicate. Include this file on the form page
// after app.js; without JavaScript the form simply works without hints.
(function () {
  "use strict";
  const { api, debounce } = window.townhall;

  const labels = { idea: "Similar ideas already on the board:", thread: "Similar discussions:" };

  document.querySelectorAll("input[data-similar-kind]").forEach(function (input) {
    const kind = input.dataset.similarKind;
    const box = document.createElement("div");
    box.className = "similar";
    box.id = input.id ? input.id + "-similar" : "";
    box.setAttribute("aria-live", "polite");
    box.hidden = true;
    input.insertAdjacentElement("afterend", box);
    let last = "";

    function show(items) {
      box.replaceChildren();
      if (!items.length) {
        box.hidden = true;
        return;
      }
      const p = document.createElement("p");
      p.className = "field-help";
      p.textContent = labels[kind] || "Similar:";
      const ul = document.createElement("ul");
      for (const it of items) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = it.url;
        a.target = "_blank"; // keep the half-written form
        a.rel = "noopener";
        a.textContent = it.title; // text, never HTML
        li.appendChild(a);
        ul.appendChild(li);
      }
      box.append(p, ul);
      box.hidden = false;
    }

    input.addEventListener("input", debounce(async function () {
      const q = input.value.trim();
      if (q === last) return;
      last = q;
      if (q.length < 4) {
        show([]);
        return;
      }
      try {
        const data = await api("GET", "/api/v1/search/similar?kind=" + encodeURIComponent(kind) + "&q=" + encodeURIComponent(q));
        if (q === input.value.trim()) show(data.items || []);
      } catch (e) {
        show([]); // hints are optional; never block typing
      }
    }, 300));
  });
})();
