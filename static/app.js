// Townhall's shared JavaScript: small enhancements over forms that already
// work without it. Feature scripts build on window.townhall.
(function () {
  "use strict";

  // api sends a JSON request to the API and resolves to the parsed body,
  // rejecting with the server's error message.
  async function api(method, path, body) {
    const opts = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const err = new Error((data && data.error && data.error.message) || res.statusText);
      err.status = res.status;
      err.code = data && data.error && data.error.code;
      throw err;
    }
    return data;
  }

  // debounce delays fn until calls stop for ms milliseconds.
  function debounce(fn, ms) {
    let t;
    return function (...args) {
      clearTimeout(t);
      t = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("submit", function (e) {
    const btn = e.submitter;
    if (btn && btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) {
      e.preventDefault();
    }
  });

  // Header menus (<details data-menu>) work without JavaScript; with it,
  // one is open at a time and a click elsewhere or Escape closes it.
  const menus = () => document.querySelectorAll("details[data-menu][open]");
  document.addEventListener("click", function (e) {
    for (const m of menus()) {
      if (!m.contains(e.target)) {
        m.open = false;
      }
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") {
      return;
    }
    for (const m of menus()) {
      m.open = false;
      m.querySelector("summary").focus();
    }
  });
  for (const m of document.querySelectorAll("details[data-menu]")) {
    m.addEventListener("toggle", function () {
      if (m.open) {
        for (const other of menus()) {
          if (other !== m) {
            other.open = false;
          }
        }
      }
    });
  }

  // A polite live region announces in-place changes to screen readers.
  let live;
  function say(text) {
    if (!live) {
      live = document.createElement("p");
      live.className = "visually-hidden";
      live.setAttribute("aria-live", "polite");
      document.body.append(live);
    }
    live.textContent = text;
  }

  // toggle turns forms of class formClass (an on/off button that works as
  // an ordinary form) into API calls without a reload: method(form) and
  // path(form) name the call, render(form, body) shows the answer and
  // message(body) is announced. Signed-out people go to sign-in.
  function toggle(formClass, { method, path, render, message }) {
    document.addEventListener("submit", async function (e) {
      const form = e.target;
      if (!(form instanceof HTMLFormElement) || !form.classList.contains(formClass)) {
        return;
      }
      e.preventDefault();
      const btn = form.querySelector("button");
      if (btn.disabled) {
        return;
      }
      btn.disabled = true;
      try {
        const body = await api(method(form), path(form));
        render(form, body);
        say(message(body));
      } catch (err) {
        if (err.status === 401) {
          window.location.href = "/signin?next=" + encodeURIComponent(window.location.pathname + window.location.search);
          return;
        }
        say(err.message);
        window.alert(err.message);
      } finally {
        btn.disabled = false;
      }
    });
  }

  // A flag box gets the page's one flag form when it opens (toggle does not
  // bubble, so listen while it goes down to the box).
  document.addEventListener("toggle", function (e) {
    const box = e.target;
    if (!(box instanceof HTMLDetailsElement) || !box.classList.contains("flag-box") || !box.open || box.querySelector("form")) {
      return;
    }
    const tpl = document.getElementById("flag-form-template");
    if (!tpl) {
      return;
    }
    const form = tpl.content.firstElementChild.cloneNode(true);
    for (const name of ["kind", "id", "back"]) {
      form.elements[name].value = box.dataset[name];
    }
    const text = form.querySelector("textarea");
    text.id = "flag-text-" + box.dataset.id;
    form.querySelector(".flag-text-label").htmlFor = text.id;
    const fallback = box.querySelector(".flag-fallback");
    if (fallback) {
      fallback.remove();
    }
    box.appendChild(form);
  }, true);

  window.townhall = { api, debounce, say, toggle };
})();
