// hookyard dashboard: the little the pages need from JavaScript, and nothing they cannot
// work without. Loaded with `defer` from /dashboard/assets/app.js (the CSP forbids inline
// scripts, so behaviour hangs off data-* attributes):
//   data-copy-target="ID"   on a button: copy the text of element #ID
//   data-reveal-target="ID" on a button: show or mask the secret #ID, whose mask is the
//                           element with data-secret-mask="ID"
//   data-confirm="QUESTION" on a form: ask before submitting
//   data-shown-by="ID" data-shown-for="A B"
//                           on a form field: shown only while the select #ID has the
//                           value A or B (a source's settings, by verifier type)
//   data-live-topics="…"    on <main>: keep the [data-live-region]s up to date from
//                           /dashboard/stream (components/live-region.tsx)
(() => {
  // Copy and Reveal buttons start hidden, so none shows where this script does not run.
  showScriptButtons(document);

  function showScriptButtons(root) {
    for (const button of root.querySelectorAll("[data-copy-target], [data-reveal-target]")) {
      button.hidden = false;
    }
  }

  document.addEventListener("click", (event) => {
    const clicked = event.target instanceof Element ? event.target : null;
    const copy = clicked?.closest("[data-copy-target]");
    if (copy) {
      const target = document.getElementById(copy.getAttribute("data-copy-target") || "");
      if (target) copyText(copy, target);
      return;
    }
    const reveal = clicked?.closest("[data-reveal-target]");
    if (reveal) toggleSecret(reveal, reveal.getAttribute("data-reveal-target") || "");
  });

  function toggleSecret(button, id, show) {
    const secret = document.getElementById(id);
    if (!secret) return;
    const visible = show ?? secret.hidden;
    secret.hidden = !visible;
    for (const mask of document.querySelectorAll("[data-secret-mask]")) {
      if (mask.getAttribute("data-secret-mask") === id) mask.hidden = visible;
    }
    button.textContent = visible ? "Hide" : "Reveal";
    button.setAttribute("aria-expanded", String(visible));
  }

  async function copyText(button, target) {
    const label = button.textContent;
    try {
      // The Clipboard API exists only in secure contexts (https, localhost).
      await navigator.clipboard.writeText(target.textContent || "");
      button.textContent = "Copied";
    } catch {
      // Plain http on a LAN address: select the text and let the user copy it (a masked
      // secret is revealed first: hidden text cannot be selected).
      if (target.hidden) {
        const reveal = document.querySelector(`[data-reveal-target="${CSS.escape(target.id)}"]`);
        if (reveal) toggleSecret(reveal, target.id, true);
      }
      const range = document.createRange();
      range.selectNodeContents(target);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      button.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => {
      button.textContent = label;
    }, 1500);
  }

  // Fields that apply to some choices of a select only: without this script all show.
  showFieldsForChoices();
  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLSelectElement && event.target.id) showFieldsForChoices();
  });

  function showFieldsForChoices() {
    for (const field of document.querySelectorAll("[data-shown-by]")) {
      const select = document.getElementById(field.getAttribute("data-shown-by") || "");
      if (!(select instanceof HTMLSelectElement)) continue;
      const choices = (field.getAttribute("data-shown-for") || "").split(" ");
      field.hidden = !choices.includes(select.value);
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  const livePage = document.querySelector("main[data-live-topics]");
  if (livePage && "EventSource" in window && "DOMParser" in window) startLive(livePage);

  // Live regions: on a notice the page cares about, fetch the page's own URL again and swap
  // in each region of the same id. The server renders (and escapes) the new markup as on
  // any load; the notices only say that something changed.
  function startLive(main) {
    const LIVE_GAP_MS = 1000;
    const topics = new Set((main.getAttribute("data-live-topics") || "").split(" "));
    const only = {
      endpoint_id: main.getAttribute("data-live-endpoint"),
      event_id: main.getAttribute("data-live-event"),
      delivery_id: main.getAttribute("data-live-delivery"),
    };
    const status = document.querySelector("[data-live-status]");
    let due = false;
    let timer;
    let fetching = false;
    let lastFetchAt = 0;
    let stream;

    const setStatus = (text) => {
      if (!status) return;
      status.hidden = false;
      status.textContent = text;
    };

    const wantsDelivery = (message) => {
      let outcome;
      try {
        outcome = JSON.parse(message.data);
      } catch {
        return false;
      }
      return Object.entries(only).every(([field, id]) => !id || outcome?.[field] === id);
    };

    const connect = () => {
      stream = new EventSource("/dashboard/stream");
      stream.addEventListener("open", () => {
        setStatus("Live");
        // What changed between rendering the page (or losing the stream) and now was
        // announced to nobody: fetch once to catch up.
        schedule();
      });
      stream.addEventListener("event", () => {
        if (topics.has("events")) schedule();
      });
      stream.addEventListener("delivery", (message) => {
        if (topics.has("deliveries") && wantsDelivery(message)) schedule();
      });
      stream.addEventListener("error", () => {
        setStatus("Reconnecting…");
        // EventSource gives up after an answer that is not a stream (a 503 when the
        // instance has too many): start again a little later. What changed meanwhile
        // is fetched once it is back.
        if (stream.readyState === EventSource.CLOSED) {
          setTimeout(() => {
            connect();
            schedule();
          }, 5000);
        }
      });
    };
    connect();

    const pollSeconds = Number(main.getAttribute("data-live-poll-seconds"));
    if (Number.isFinite(pollSeconds) && pollSeconds >= 1) setInterval(schedule, pollSeconds * 1000);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && due) schedule();
    });
    // A form sent from the page replaces it: a fetch of the old page then would only be
    // cut off (and, swapped in late, could show what the form is about to change).
    document.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return;
      clearTimeout(timer);
      timer = undefined;
      fetching = true;
      stream?.close();
    });

    // At most one fetch a second, however many notices come; a hidden tab fetches when shown.
    function schedule() {
      due = true;
      if (fetching || timer !== undefined || document.hidden) return;
      const wait = Math.max(0, lastFetchAt + LIVE_GAP_MS - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        refresh();
      }, wait);
    }

    async function refresh() {
      // Someone selecting text or focused on a control in a region would lose it to a swap.
      if (busyInRegion()) {
        timer = setTimeout(() => {
          timer = undefined;
          refresh();
        }, LIVE_GAP_MS);
        return;
      }
      due = false;
      fetching = true;
      lastFetchAt = Date.now();
      try {
        const response = await fetch(window.location.href, {
          headers: { accept: "text/html" },
          credentials: "same-origin",
        });
        if (!response.ok) {
          // The page cannot be fetched again (gone, or shown for a form's POST): stop
          // listening rather than ask again on every notice.
          if (response.status === 404 || response.status === 405) {
            stream?.close();
            topics.clear();
          }
          return;
        }
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        for (const region of document.querySelectorAll("[data-live-region]")) {
          const replacement = fresh.getElementById(region.id);
          if (!replacement?.hasAttribute("data-live-region")) continue;
          const adopted = document.importNode(replacement, true);
          region.replaceWith(adopted);
          showScriptButtons(adopted);
        }
      } catch {
        // Offline for a moment: the next notice or poll tries again.
      } finally {
        fetching = false;
        if (due) schedule();
      }
    }

    function busyInRegion() {
      // A keyboard user moving through a table would lose their place: wait until they leave.
      if (document.activeElement?.closest("[data-live-region]")) return true;
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed || String(selection) === "") return false;
      return Boolean(selection.anchorNode?.parentElement?.closest("[data-live-region]"));
    }
  }
})();
