// Product reviews enhancements: helpful votes without a page reload, and
// the sort/filter menus apply as soon as they change. Without JavaScript
// the same forms post and reload.
(function () {
  "use strict";

  document.querySelectorAll("[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.requestSubmit(); });
  });
  document.querySelectorAll(".review-toolbar .js-hide").forEach(function (b) { b.hidden = true; });

  document.querySelectorAll("form.helpful-form").forEach(function (form) {
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      const btn = form.querySelector("button.helpful");
      const voted = btn.getAttribute("aria-pressed") === "true";
      btn.disabled = true;
      try {
        const res = await window.townhall.api(voted ? "DELETE" : "POST",
          "/api/v1/reviews/" + encodeURIComponent(form.dataset.review) + "/helpful");
        btn.setAttribute("aria-pressed", String(res.voted));
        btn.querySelector(".helpful-count").textContent = res.helpful;
        // Keep the no-JS fallback in step in case the script stops.
        let undo = form.querySelector("input[name=undo]");
        if (res.voted && !undo) {
          undo = document.createElement("input");
          undo.type = "hidden";
          undo.name = "undo";
          undo.value = "1";
          form.prepend(undo);
        } else if (!res.voted && undo) {
          undo.remove();
        }
      } catch (err) {
        window.alert(err.message);
      } finally {
        btn.disabled = false;
      }
    });
  });
})();
