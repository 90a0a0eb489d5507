// The annotation page: select text, pick labels, edit entities, quotes and events
// from the keyboard. Every edit is one POST through htmx carrying the version it was
// made on; the server answers with the re-rendered article, or a message for the
// status line. Nothing here builds HTML from data: text goes in through textContent.
(function () {
  "use strict";

  let selectedId = null; // the item (entity, quote or event) the keys act on
  let pending = null; // a text selection {start, end, text} waiting for a label or a role
  let armed = null; // "event" after `e`: the next type key makes an event of the selection
  let items = new Map(); // id -> item data, from the data-item of each item's first piece
  let queue = Promise.resolve(); // edits go one at a time, each on the version the last one produced

  const doc = () => document.getElementById("doc");
  const meta = () => document.getElementById("doc-meta");
  const textEl = () => document.getElementById("text");
  const panel = () => document.getElementById("selection");

  // Each item's first piece describes it: an entity by its attributes, a quote or event
  // by its data-item (parts as [role, start, end], their text read from the page).
  function readItems() {
    items = new Map();
    const text = textEl().textContent;
    textEl()
      .querySelectorAll(".first[data-id]")
      .forEach((el) => {
        if (items.has(el.dataset.id)) return;
        if (el.dataset.item) {
          const item = JSON.parse(el.dataset.item);
          item.parts = item.parts.map(([role, start, end]) => ({ role, start, end, text: text.slice(start, end) }));
          items.set(item.id, item);
        } else if (el.dataset.layer === "entity") {
          const start = +el.dataset.s;
          const end = +el.dataset.e;
          items.set(el.dataset.id, {
            id: el.dataset.id,
            layer: "entity",
            label: el.dataset.label,
            origin: el.classList.contains("suggested") ? "model" : "human",
            parts: [{ role: "entity", start: start, end: end, text: text.slice(start, end) }],
            links: {},
          });
        }
      });
  }

  function layerOf(id) {
    const item = id && items.get(id);
    return item ? item.layer : null;
  }

  function visible(layer) {
    return !document.body.classList.contains("hide-" + layer);
  }

  // Ids of one layer's items, in reading order.
  function idsInOrder(layer) {
    const seen = new Set();
    textEl()
      .querySelectorAll('[data-layer="' + layer + '"]')
      .forEach((el) => seen.add(el.dataset.id));
    return Array.from(seen);
  }

  // Whose label keys are live: an armed new event, else a fresh selection's entity
  // labels, else the selected item's layer.
  function activeLayer() {
    return armed || (pending ? "entity" : layerOf(selectedId)) || "entity";
  }

  // --- sending edits -----------------------------------------------------------------

  // `make` runs when the edit's turn comes, so it sees the selection and version the
  // previous edit left; it returns {path, values} or null to send nothing.
  function send(make) {
    queue = queue
      .then(function () {
        const request = make();
        if (!request) return null;
        const values = Object.assign({ version: meta().dataset.version }, request.values || {});
        // The answer swaps the changed paragraphs, status and version by id (out of band).
        return htmx.ajax("POST", meta().dataset.base + request.path, {
          source: doc(),
          target: "#doc",
          swap: "none",
          values: values,
        });
      })
      .then(refresh)
      .catch(function () {});
  }

  function onItem(action, values) {
    send(function () {
      if (!selectedId) return null;
      return { path: "/items/" + encodeURIComponent(selectedId) + "/" + action, values: values || {} };
    });
  }

  function create(layer, label) {
    const range = pending;
    pending = null;
    armed = null;
    window.getSelection().removeAllRanges();
    send(function () {
      return { path: "/items", values: { layer: layer, start: range.start, end: range.end, label: label || "" } };
    });
  }

  function setPart(role) {
    if (!selectedId || !pending) {
      hint("Select the " + role + " text first, then press the key.");
      return;
    }
    const range = pending;
    pending = null;
    window.getSelection().removeAllRanges();
    onItem("span", { role: role, start: range.start, end: range.end });
  }

  function applyLabel(layer, label) {
    if (pending) {
      create(layer, label);
    } else if (selectedId && layerOf(selectedId) === layer) {
      onItem("label", { label: label });
    }
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
    selectedId = id && items.has(id) ? id : null;
    textEl()
      .querySelectorAll(".selected")
      .forEach((el) => el.classList.remove("selected"));
    if (selectedId) {
      const pieces = textEl().querySelectorAll('[data-id="' + CSS.escape(selectedId) + '"]');
      pieces.forEach((el) => el.classList.add("selected"));
      if (pieces.length) pieces[0].scrollIntoView({ block: "nearest" });
    }
    showPanel();
  }

  function markGroups() {
    const layer = activeLayer();
    document.querySelectorAll(".label-group").forEach(function (group) {
      group.classList.toggle("active", group.dataset.layer === layer);
    });
  }

  // --- the side panel ----------------------------------------------------------------

  function line(cls, text) {
    const p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    panel().appendChild(p);
    return p;
  }

  function hint(text) {
    const old = panel().querySelector(".flash-hint");
    if (old) old.remove();
    line("hint flash-hint", text);
  }

  function field(name, value) {
    const row = document.createElement("div");
    row.className = "field";
    const key = document.createElement("span");
    key.className = "name";
    key.textContent = name;
    const val = document.createElement("span");
    val.className = "value" + (value ? "" : " empty");
    val.textContent = value || "—";
    row.append(key, val);
    panel().appendChild(row);
  }

  function entityText(id) {
    const entity = id && items.get(id);
    return entity ? entity.parts[0].text + " (" + entity.label + ")" : "";
  }

  function labelTag(layer, label) {
    const button = document.querySelector('.label[data-layer="' + layer + '"][data-label="' + CSS.escape(label) + '"]');
    const tag = line("tag " + (button ? button.classList[1] : ""), label);
    if (button && button.dataset.guideline) line("guideline", button.dataset.guideline);
    return tag;
  }

  function showPanel() {
    panel().replaceChildren();
    markGroups();
    if (pending) {
      line("quote", "“" + pending.text.trim() + "”");
      if (armed === "event") line("hint", "Press an event type key to make this an event trigger.");
      else if (selectedId && layerOf(selectedId) === "quote")
        line("hint", "c cue · r source · u add content · or a label key for a new entity");
      else line("hint", "Label key: entity · q: new quote · e then a type key: new event");
      return;
    }
    const item = selectedId && items.get(selectedId);
    if (!item) {
      line("hint", "Select text, then press a label key. Click a span to select it.");
      return;
    }
    labelTag(item.layer, item.label);
    const parts = (role) => item.parts.filter((p) => p.role === role).map((p) => p.text).join(" … ");
    if (item.layer === "entity") {
      line("quote", "“" + item.parts[0].text + "”");
    } else if (item.layer === "quote") {
      field("content", parts("content"));
      field("cue", parts("cue"));
      field("source", parts("source"));
      field("speaker", entityText(item.links.speaker));
      line("hint", "c cue · r source · u content · k speaker · 1-3 type · Delete removes");
    } else {
      field("trigger", parts("trigger"));
      field("source actor", entityText(item.links.source_actor));
      field("target actor", entityText(item.links.target_actor));
      line("hint", "k source actor · x target actor · type keys · Delete removes");
    }
    line("origin", item.origin === "model" ? "Model suggestion: press a to accept" : "Confirmed");
  }

  // The entity picker: type to filter the article's entities, Enter takes one.
  function openPicker(role) {
    const item = selectedId && items.get(selectedId);
    if (!item) return;
    const anchor = item.parts[0].start;
    // one row per distinct entity text and label: the mention nearest before the item
    const choices = new Map();
    items.forEach(function (entity) {
      if (entity.layer !== "entity") return;
      const key = entity.label + "\u0000" + entity.parts[0].text;
      const best = choices.get(key);
      const score = (e) => (e.parts[0].start <= anchor ? anchor - e.parts[0].start : 1e9 + e.parts[0].start);
      if (!best || score(entity) < score(best)) choices.set(key, entity);
    });
    const all = Array.from(choices.values());
    const box = document.createElement("div");
    box.className = "picker";
    const label = document.createElement("label");
    label.textContent = role.replace("_", " ");
    const input = document.createElement("input");
    input.type = "text";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-label", role.replace("_", " "));
    input.placeholder = "type to filter, Enter to take";
    const list = document.createElement("ul");
    list.setAttribute("role", "listbox");
    label.appendChild(input);
    box.append(label, list);
    panel().appendChild(box);
    let shown = [];
    let active = 0;
    function render() {
      const needle = input.value.trim().toLowerCase();
      shown = [{ id: "", text: "— none —" }].concat(
        all
          .filter((e) => !needle || e.parts[0].text.toLowerCase().includes(needle))
          .map((e) => ({ id: e.id, text: e.parts[0].text + " (" + e.label + ")" })),
      );
      if (needle && shown.length > 1) shown.push(shown.shift()); // a typed filter prefers a real entity
      active = Math.min(active, shown.length - 1);
      list.replaceChildren(
        ...shown.map(function (choice, i) {
          const li = document.createElement("li");
          li.setAttribute("role", "option");
          li.dataset.index = i;
          li.textContent = choice.text;
          if (i === active) li.classList.add("active");
          return li;
        }),
      );
    }
    function take(choice) {
      box.remove();
      onItem("link", { role: role, target: choice.id });
    }
    input.addEventListener("input", function () {
      active = 0;
      render();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : -1) + shown.length) % shown.length;
        render();
      } else if (event.key === "Enter") {
        event.preventDefault();
        take(shown[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        box.remove();
      }
      event.stopPropagation();
    });
    list.addEventListener("mousedown", function (event) {
      const li = event.target.closest("li");
      if (li) {
        event.preventDefault();
        take(shown[+li.dataset.index]);
      }
    });
    render();
    input.focus();
  }

  // --- events ------------------------------------------------------------------------

  document.addEventListener("mouseup", function (event) {
    if (!textEl() || !textEl().contains(event.target)) return;
    const found = readSelection();
    if (found) {
      pending = found;
      armed = null;
      showPanel();
      return;
    }
    pending = null;
    armed = null;
    const hit = event.target.closest("[data-id]");
    select(hit ? hit.dataset.id : null);
  });

  document.addEventListener("click", function (event) {
    const button = event.target.closest(".label[data-layer]");
    if (button) {
      applyLabel(button.dataset.layer, button.dataset.label);
      return;
    }
    const action = event.target.closest("[data-action]");
    if (!action) return;
    const name = action.dataset.action;
    if (name === "help") document.getElementById("help").showModal();
    else finish(name);
  });

  // Keep the label buttons from taking the text selection away when clicked.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest(".label[data-layer]")) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    const toggle = event.target.closest("input[data-toggle]");
    if (!toggle) return;
    document.body.classList.toggle("hide-" + toggle.dataset.toggle, !toggle.checked);
    if (!toggle.checked && layerOf(selectedId) === toggle.dataset.toggle) select(null);
  });

  function step(direction) {
    const layer = layerOf(selectedId) || "entity";
    if (!visible(layer)) return;
    const ids = idsInOrder(layer);
    if (!ids.length) return;
    let index = ids.indexOf(selectedId);
    index = index < 0 ? (direction > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, index + direction));
    pending = null;
    select(ids[index]);
  }

  // The page's commands by name; which keys call them comes from the server (annotator/model/keys.py).
  const arrow = (event) => (event.key === "ArrowRight" ? 1 : -1);
  const COMMANDS = {
    delete: () => onItem("delete"),
    submit: () => finish("submit"),
    skip: () => finish("skip"),
    undo: () => finish("undo"),
    confirm: () => onItem("confirm"),
    help: () => document.getElementById("help").showModal(),
    step: (event) => step(arrow(event)),
    move_end: (event) => onItem("boundary", { side: "end", delta: arrow(event) }),
    move_start: (event) => onItem("boundary", { side: "start", delta: arrow(event) }),
    new_quote: function () {
      if (pending) create("quote", null);
      else hint("Select the quote's content first, then press q.");
    },
    arm_event: function () {
      if (!pending) return hint("Select the event's trigger word first, then press e.");
      armed = "event";
      showPanel();
    },
    set_cue: () => setPart("cue"),
    set_source: () => setPart("source"),
    add_content: () => setPart("content"),
    pick_speaker: function () {
      const layer = layerOf(selectedId);
      if (layer === "quote") openPicker("speaker");
      else if (layer === "event") openPicker("source_actor");
    },
    pick_target: function () {
      if (layerOf(selectedId) === "event") openPicker("target_actor");
    },
    clear: function () {
      pending = null;
      armed = null;
      window.getSelection().removeAllRanges();
      select(null);
    },
  };
  const KEYMAP = JSON.parse(document.getElementById("keymap").dataset.keys);

  // A key as the keymap names it: modifiers (Ctrl, Alt, Shift for non-printable keys) then the key.
  function chordOf(event) {
    const mods = [];
    if (event.ctrlKey || event.metaKey) mods.push("Ctrl");
    if (event.altKey) mods.push("Alt");
    if (event.shiftKey && event.key.length > 1) mods.push("Shift");
    const key = mods.length && event.key.length === 1 ? event.key.toLowerCase() : event.key;
    return mods.concat([key]).join("+");
  }

  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select, dialog") || document.querySelector("dialog[open]")) return;
    const chord = chordOf(event);
    if (chord === event.key) {
      const layer = activeLayer();
      const button = document.querySelector(
        '.label[data-layer="' + layer + '"][data-key="' + CSS.escape(event.key) + '"]',
      );
      if (button) {
        event.preventDefault();
        applyLabel(layer, button.dataset.label);
        return;
      }
    }
    const command = COMMANDS[KEYMAP[chord]];
    if (command) {
      event.preventDefault();
      command(event);
    }
  });

  // After each answer, select what the server says the edit produced, or keep the selection.
  function refresh() {
    if (!doc()) return;
    readItems();
    const told = meta().dataset.selected;
    meta().dataset.selected = "";
    select(told || selectedId);
  }
  document.addEventListener("htmx:afterSettle", refresh);

  document.addEventListener("DOMContentLoaded", function () {
    if (!doc()) return;
    readItems();
    showPanel();
  });
})();
