// Like buttons without a reload, over forms that work without JavaScript:
// the like goes to the API and the count and pressed state update in place.
(function () {
  "use strict";

  function render(form, res) {
    const btn = form.querySelector(".like-button");
    form.dataset.liked = String(res.liked);
    form.querySelector("input[name=on]").value = String(!res.liked);
    btn.setAttribute("aria-pressed", String(res.liked));
    btn.title = res.liked ? "Unlike" : "Like";
    form.querySelector(".like-count").textContent = String(res.likes);
    const label = btn.querySelector(".visually-hidden");
    if (label) {
      label.textContent = res.likes === 1 ? " like" : " likes";
    }
  }

  window.townhall.toggle("like-form", {
    method: (form) => (form.dataset.liked === "true" ? "DELETE" : "POST"),
    path: (form) => "/api/v1/" + (form.dataset.kind === "comment" ? "comments/" : "posts/") + form.dataset.id + "/like",
    render,
    message: (res) => (res.liked ? "Liked. " : "Like taken back. ") + res.likes + (res.likes === 1 ? " like." : " likes."),
  });
})();
