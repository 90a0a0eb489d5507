// The annotation page: select text, pick labels, edit spans from the keyboard.
// Every edit is one POST through htmx carrying the version it was made on; the
// server answers with the re-rendered article (or a message for the status line).
(function () {
  "use strict";

  let selectedId = null; // the entity span the keys act on
  let pending = null; // a text selection {start, end, text} waiting for a label
  let queue = Promise.resolve(); // edits go one at a time, each on the version the last one produced

  const doc = () => document.getElementById("doc");
  const textEl = () => document.getElementById("text");
  const marks = () => Array.from(textEl().querySelectorAll("mark.ent"));
  const labelButtons = () => Array.from(document.querySelectorAll("#labels .label"));

  // --- sending edits -----------------------------------------------------------------

  // `make` runs when the edit's turn comes, so it sees the selection and version the
  // previous edit left; it returns {path, values} or null to send nothing.
  function send(make) {
    queue = queue
      .then(function () {
        const request = make();
        if (!request) return null;
        const values = Object.assign({ version: doc().dataset.version }, request.values || {});
        return htmx.ajax("POST", doc().dataset.base + request.path, {
          source: doc(),
          target: "#doc",
          swap: "outerHTML",
          values: values,
        });
      })
      .catch(function () {});
  }

  function entityPath(suffix) {
    return selectedId ? "/entities/" + encodeURIComponent(selectedId) + suffix : null;
  }

  function applyLabel(label) {
    if (pending) {
      const range = pending;
      pending = null;
      window.getSelection().removeAllRanges();
      send(function () {
        return { path: "/entities", values: { start: range.start, end: range.end, label: label } };
      });
    } else if (selectedId) {
      send(function () {
        const path = entityPath("/label");
        return path && { path: path, values: { label: label } };
      });
    }
  }

  function onSelected(suffix, values) {
    send(function () {
      const path = entityPath(suffix);
      return path && { path: path, values: values || {} };
    });
  }

  function finish(action) {
    send(function () {
      return { path: "/" + action, values: {} };
    });
  }

  // --- selection ---------------------------------------------------------------------

  function charOffset(node, offset) {
    const range = document.createRange();
    range.setStart(textEl(), 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function readSelection() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
    const range = selection.getRangeAt(0);
    const container = textEl();
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
    const start = charOffset(range.startContainer, range.startOffset);
    const end = charOffset(range.endContainer, range.endOffset);
    if (end <= start || !range.toString().trim()) return null;
    return { start: start, end: end, text: range.toString() };
  }

  function select(id) {
    selectedId = id;
    marks().forEach(function (mark) {
      mark.classList.toggle("selected", mark.dataset.id === id);
    });
    const mark = id && marks().find((m) => m.dataset.id === id);
    if (mark) mark.scrollIntoView({ block: "nearest" });
    else selectedId = null;
    showPanel();
  }

  function showPanel() {
    const panel = document.getElementById("selection");
    panel.replaceChildren();
    const line = function (cls, text) {
      const p = document.createElement("p");
      p.className = cls;
      p.textContent = text;
      panel.appendChild(p);
      return p;
    };
    if (pending) {
      line("quote", "“" + pending.text.trim() + "”");
      line("hint", "Press a label key or click a label to mark it.");
      return;
    }
    const mark = selectedId && marks().find((m) => m.dataset.id === selectedId);
    if (!mark) {
      line("hint", "Select text, then press a label key. Click a span to select it.");
      return;
    }
    const label = mark.dataset.label;
    const button = labelButtons().find((b) => b.dataset.label === label);
    line("picked " + (button ? button.className.replace("label", "") : ""), label).classList.add("tag");
    line("quote", "“" + mark.textContent + "”");
    line("origin", mark.classList.contains("suggested") ? "Model suggestion: press a to accept" : "Confirmed");
    if (button && button.dataset.guideline) line("guideline", button.dataset.guideline);
  }

  // --- events ------------------------------------------------------------------------

  document.addEventListener("mouseup", function (event) {
    if (!textEl() || !textEl().contains(event.target)) return;
    const found = readSelection();
    if (found) {
      pending = found;
      select(null);
      return;
    }
    pending = null;
    const mark = event.target.closest("mark.ent");
    select(mark ? mark.dataset.id : null);
  });

  document.addEventListener("click", function (event) {
    const button = event.target.closest("#labels .label");
    if (button) {
      applyLabel(button.dataset.label);
      return;
    }
    const action = event.target.closest("[data-action]");
    if (!action) return;
    const name = action.dataset.action;
    if (name === "help") document.getElementById("help").showModal();
    else if (name === "undo") finish("undo");
    else finish(name);
  });

  // Keep the label buttons from taking the text selection away when clicked.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest("#labels .label")) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    const toggle = event.target.closest("input[data-layer]");
    if (toggle) document.body.classList.toggle("hide-" + toggle.dataset.layer, !toggle.checked);
  });

  function step(direction) {
    const all = marks();
    if (!all.length) return;
    let index = all.findIndex((m) => m.dataset.id === selectedId);
    index = index < 0 ? (direction > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + direction));
    pending = null;
    select(all[index].dataset.id);
  }

  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select, dialog") || document.querySelector("dialog[open]")) return;
    const key = event.key;
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && key.toLowerCase() === "z") {
      event.preventDefault();
      finish("undo");
      return;
    }
    if (ctrl) return;
    if (key === "ArrowLeft" || key === "ArrowRight") {
      event.preventDefault();
      const direction = key === "ArrowRight" ? 1 : -1;
      if (event.shiftKey && selectedId) {
        onSelected("/boundary", { side: event.altKey ? "start" : "end", delta: direction });
      } else if (!event.shiftKey) {
        step(direction);
      }
      return;
    }
    if (key === "Delete" || key === "Backspace") {
      event.preventDefault();
      onSelected("/delete");
      return;
    }
    if (key === "Enter") {
      event.preventDefault();
      finish("submit");
      return;
    }
    if (key === "Escape") {
      pending = null;
      window.getSelection().removeAllRanges();
      select(null);
      return;
    }
    if (key === "?") {
      document.getElementById("help").showModal();
      return;
    }
    if (key === "s") {
      finish("skip");
      return;
    }
    if (key === "a") {
      onSelected("/confirm");
      return;
    }
    const button = labelButtons().find((b) => b.dataset.key && b.dataset.key === key);
    if (button) {
      event.preventDefault();
      applyLabel(button.dataset.label);
    }
  });

  // After each swap, select what the server says the edit produced, or keep the selection.
  document.addEventListener("htmx:afterSettle", function () {
    if (!doc()) return;
    const told = doc().dataset.selected;
    select(told || selectedId);
  });
})();
