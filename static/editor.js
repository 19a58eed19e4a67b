// Markdown editor enhancement: any <textarea data-preview> gets Write and
// Preview tabs. Without JavaScript the textarea still works as is.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-preview]").forEach(function (ta) {
    const bar = document.createElement("div");
    bar.className = "editor-tabs";
    bar.setAttribute("role", "tablist");
    const write = tab("Write", true);
    const prev = tab("Preview", false);
    bar.append(write, prev);
    const pane = document.createElement("div");
    pane.className = "prose editor-preview card";
    pane.hidden = true;
    pane.setAttribute("aria-live", "polite");
    ta.before(bar);
    ta.after(pane);

    function tab(label, selected) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.setAttribute("role", "tab");
      b.setAttribute("aria-selected", String(selected));
      return b;
    }
    write.addEventListener("click", function () {
      write.setAttribute("aria-selected", "true");
      prev.setAttribute("aria-selected", "false");
      pane.hidden = true;
      ta.hidden = false;
      ta.focus();
    });
    prev.addEventListener("click", async function () {
      write.setAttribute("aria-selected", "false");
      prev.setAttribute("aria-selected", "true");
      pane.textContent = "Rendering…";
      pane.hidden = false;
      ta.hidden = true;
      try {
        const res = await window.townhall.api("POST", "/api/v1/preview", { body: ta.value });
        // The server sanitised this HTML with the same policy as saved posts.
        pane.innerHTML = res.html || "<p class=\"muted\">Nothing to preview.</p>";
      } catch (e) {
        pane.textContent = e.message;
      }
    });
  });
})();
