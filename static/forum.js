// Forum enhancements: "Quote" fills the reply box with a Markdown quote of
// the post (or of the text selected in it) without leaving the page. Without
// JavaScript the same link reloads the page with ?quote=ID.
(function () {
  "use strict";
  const box = document.getElementById("reply-body");
  if (!box) return;
  document.addEventListener("click", async function (e) {
    const link = e.target.closest("a[data-quote]");
    if (!link) return;
    e.preventDefault();
    const id = link.dataset.quote;
    const article = document.getElementById("post-" + id);
    let text = "";
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed && article && article.contains(sel.anchorNode)) {
      text = sel.toString();
    }
    let handle = "";
    try {
      const post = await window.townhall.api("GET", "/api/v1/posts/" + encodeURIComponent(id));
      handle = post.author.handle;
      if (!text) text = post.body;
    } catch (err) {
      window.location.href = link.href; // fall back to the server-side quote
      return;
    }
    const quoted = text.trim().split("\n").map(function (l) { return ("> " + l).trimEnd(); }).join("\n");
    const head = "> @" + handle + " [wrote](/p/" + id + "):\n";
    const sep = box.value && !box.value.endsWith("\n\n") ? (box.value.endsWith("\n") ? "\n" : "\n\n") : "";
    box.value += sep + head + quoted + "\n\n";
    box.hidden = false;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    box.scrollIntoView({ block: "center" });
  });
})();
