// Idea board enhancements over forms that work without JavaScript:
// - vote buttons send the vote to the API and update the count in place;
// - the propose form suggests similar existing ideas while the title is typed.
(function () {
  "use strict";
  const th = window.townhall;

  function render(form, idea) {
    const btn = form.querySelector(".vote-button");
    form.dataset.voted = String(idea.voted);
    form.action = "/ideas/" + idea.id + "/" + (idea.voted ? "unvote" : "vote");
    btn.setAttribute("aria-pressed", String(idea.voted));
    btn.title = idea.voted ? "Remove your vote" : "Vote for this idea";
    form.querySelector(".vote-count").textContent = String(idea.votes);
    const label = form.querySelector(".visually-hidden");
    if (label) {
      label.textContent = (idea.votes === 1 ? "vote" : "votes") + " for “" + idea.title + "”";
    }
  }

  th.toggle("vote-form", {
    method: (form) => (form.dataset.voted === "true" ? "DELETE" : "POST"),
    path: (form) => "/api/v1/ideas/" + form.dataset.idea + "/vote",
    render,
    message: (idea) => (idea.voted ? "Voted. " : "Vote removed. ") + idea.votes + (idea.votes === 1 ? " vote." : " votes."),
  });

  // Similar ideas while typing a title on the propose form.
  const title = document.querySelector("input[data-similar]");
  if (title) {
    const box = document.getElementById(title.dataset.similar);
    const list = box.querySelector(".similar-list");
    let seq = 0;
    const lookup = th.debounce(async function () {
      const q = title.value.trim();
      const mine = ++seq;
      if (q.length < 3) {
        box.hidden = true;
        return;
      }
      try {
        const res = await th.api("GET", "/api/v1/ideas/similar?q=" + encodeURIComponent(q));
        if (mine !== seq) {
          return; // a newer lookup is under way
        }
        list.replaceChildren();
        for (const idea of res.items) {
          const li = document.createElement("li");
          const a = document.createElement("a");
          a.href = idea.url;
          a.textContent = idea.title;
          const meta = document.createElement("span");
          meta.className = "muted";
          meta.textContent = " · " + idea.votes + (idea.votes === 1 ? " vote" : " votes") + " · " + idea.status_label;
          li.append(a, meta);
          list.append(li);
        }
        box.hidden = res.items.length === 0;
      } catch (err) {
        box.hidden = true; // suggestions are a convenience; never block posting
      }
    }, 250);
    title.addEventListener("input", lookup);
  }
})();
