// Like buttons without a reload, over forms that work without JavaScript:
// the like goes to the API and the count and pressed state update in place.
(function () {
  "use strict";
  const th = window.townhall;

  const live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  document.body.append(live);

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

  document.addEventListener("submit", async function (e) {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("like-form")) {
      return;
    }
    e.preventDefault();
    const btn = form.querySelector(".like-button");
    if (btn.disabled) {
      return;
    }
    const liked = form.dataset.liked === "true";
    const path = "/api/v1/" + (form.dataset.kind === "comment" ? "comments/" : "posts/") + form.dataset.id + "/like";
    btn.disabled = true;
    try {
      const res = await th.api(liked ? "DELETE" : "POST", path);
      render(form, res);
      live.textContent = (res.liked ? "Liked. " : "Like taken back. ") + res.likes + (res.likes === 1 ? " like." : " likes.");
    } catch (err) {
      if (err.status === 401) {
        window.location.href = "/signin?next=" + encodeURIComponent(window.location.pathname + window.location.search);
        return;
      }
      live.textContent = err.message;
      window.alert(err.message);
    } finally {
      btn.disabled = false;
    }
  });
})();
