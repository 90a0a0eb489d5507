// The annotation page's keys and selection; everything else is htmx. Edits are POSTs in one queue
// (hx-sync on #editor) that each carry the version the previous one left (hx-include); answers swap
// the changed paragraphs out of band and fire `annotator:saved` (HX-Trigger), which names the item a
// new item or an undo selected. The panel and the link picker are server fragments. The selection
// and the keys belong to this script: a key acts at once on what the person sees, as if every save
// before it were done. Nothing here builds HTML from data.
(function () {
  "use strict";

  let selected = null; // the selected item's id, or "@r<n>" for an item being made
  let pending = null; // a text selection {start, end, text} waiting for a label or a role
  let armed = false; // after `e`: the next type key makes an event of the selection
  let layer = "entity"; // the layer whose label keys are live and the arrows walk
  let made = 0;
  let undoFrom = null; // what was selected when undo was asked for
  let handedOff = false; // an answer named the item to select: it takes the focus
  let outstanding = 0; // edits sent or queued and not answered yet
  let picking = null; // a link picker on its way: the keys typed meanwhile {typed, enter}
  const refs = new Map(); // "@r<n>" -> {id, layer, start} of an item being made
  const settling = new Map(); // id -> "accepted" | "removed": shown done before the answer comes

  const $ = (id) => document.getElementById(id);
  const base = () => $("doc-meta").dataset.base;
  const text = () => $("text");
  const shown = (name) => $("show-" + name).checked;
  const pieces = (id) => text().querySelectorAll('[data-id="' + CSS.escape(id) + '"]');
  const handle = (id) => text().querySelector('.tag[data-id="' + CSS.escape(id) + '"]');
  const untouched = (h) => h.classList.contains("suggested") && !settling.has(h.dataset.id);

  // The handles (badges) of the items of one visible layer, or of every visible layer, in text order.
  function handles(which) {
    return Array.from(text().querySelectorAll(".tag[data-id]"))
      .filter((h) => (!which || h.dataset.layer === which) && shown(h.dataset.layer))
      .filter((h) => settling.get(h.dataset.id) !== "removed")
      .sort((a, b) => a.dataset.s - b.dataset.s);
  }

  // Where an item is: its layer and start, also for one still being made.
  function position(id) {
    if (refs.has(id)) return refs.get(id);
    const h = id && handle(id);
    return h ? { layer: h.dataset.layer, start: +h.dataset.s, end: +h.parentElement.dataset.e } : null;
  }

  const hint = (message) => ($("hint").textContent = message || "");

  // A fragment of the server's (the panel, a picker) into the side panel; a newer one replaces it.
  function fragment(path) {
    htmx.ajax("GET", base() + path, { source: $("selection"), target: "#selection", swap: "innerHTML" });
  }

  // --- sending --------------------------------------------------------------------------

  function post(path, values) {
    outstanding++;
    return htmx.ajax("POST", base() + path, {
      source: $("editor"),
      values: values || {},
      headers: { "X-Annotator-Edit": "1" },
    });
  }

  function onItem(action, values) {
    if (!selected) return hint("Select an item first (click it, or use the arrow keys).");
    post("/items/" + encodeURIComponent(selected) + "/" + action, values);
  }

  // An accept or a delete shown done at once; the answer brings what was saved.
  function settle(id, how) {
    settling.set(id, how);
    paint();
  }

  function create(kind, label) {
    const range = pending;
    pending = null;
    armed = false;
    window.getSelection().removeAllRanges();
    const ref = "r" + ++made;
    refs.set("@" + ref, { id: null, layer: kind, start: range.start, end: range.end });
    post("/items", { layer: kind, start: range.start, end: range.end, label: label || "", ref: ref });
    select("@" + ref);
  }

  function setPart(role) {
    if (!selected || !pending) return hint("Select the " + role + " text first, then press the key.");
    const range = pending;
    pending = null;
    window.getSelection().removeAllRanges();
    onItem("span", { role: role, start: range.start, end: range.end });
    paint();
  }

  function applyLabel(kind, label) {
    if (pending) create(kind, label);
    else if (selected && position(selected) && position(selected).layer === kind) onItem("label", { label: label });
  }

  // --- selection ------------------------------------------------------------------------

  function select(id) {
    selected = id || null;
    const at = selected && position(selected);
    if (at) layer = at.layer;
    paint(true);
    panel();
  }

  // Draw the selection and the edits on their way; `moved`: the selection changed, so it takes the focus.
  function paint(moved) {
    text()
      .querySelectorAll(".selected, .accepted-now, .removed-now")
      .forEach((el) => el.classList.remove("selected", "accepted-now", "removed-now"));
    settling.forEach((how, id) => pieces(id).forEach((el) => el.classList.add(how + "-now")));
    document.querySelectorAll(".label-group").forEach((group) => {
      group.classList.toggle("active", group.dataset.layer === (armed ? "event" : pending ? "entity" : layer));
    });
    if (!selected || refs.has(selected)) return;
    pieces(selected).forEach((el) => el.classList.add("selected"));
    // the focus follows the selection; after an answer, only if the swap took it away
    const h = handle(selected);
    const lost = document.activeElement === document.body;
    if (h && !pending && (moved || lost) && !document.activeElement.closest("input, dialog"))
      h.focus({ preventScroll: !moved });
  }

  function panel() {
    const quote = layer === "quote" && selected ? " · c cue · r source · u content" : "";
    const keys = armed ? "an event type key makes it a trigger" : "label key: entity · q: quote · e + type: event";
    if (pending) $("selection").replaceChildren();
    hint(
      pending ? "“" + pending.text.trim() + "” — " + keys + quote : refs.has(selected) ? "Saving the new item…" : "",
    );
    if (selected && !pending && !refs.has(selected)) fragment("/panel?item=" + encodeURIComponent(selected));
  }

  // The next or previous item from the selection (or from where it was), among `list`.
  function step(direction, list) {
    const at = list.findIndex((h) => h.dataset.id === selected);
    const here = selected && position(selected);
    let next;
    if (at >= 0) next = list[at + direction];
    else if (here)
      next =
        direction > 0 ? list.find((h) => +h.dataset.s > here.start) : list.findLast((h) => +h.dataset.s < here.start);
    else next = direction > 0 ? list[0] : list[list.length - 1];
    if (!next) return hint(direction > 0 ? "That was the last one." : "That was the first one.");
    pending = null;
    select(next.dataset.id);
  }

  // The nearest item of the next visible layer: one covering the selection first.
  function switchLayer() {
    const order = ["entity", "quote", "event"].filter(shown);
    const next = order[(order.indexOf(layer) + 1) % order.length];
    const here = pending || position(selected) || { start: 0 };
    const away = (el) => Math.abs(el.dataset.s - here.start);
    const nearest = handles(next).reduce((a, b) => (away(b) < away(a) ? b : a), handles(next)[0]);
    const covering = Array.from(text().querySelectorAll('[data-layer="' + next + '"][data-s]')).find(
      (el) => +el.dataset.s <= here.start && here.start < +el.dataset.e,
    );
    if (!nearest) return hint("No " + next + " here.");
    pending = null;
    select((covering || nearest).dataset.id);
  }

  // --- selecting text, by mouse or by keyboard -----------------------------------------

  // The browser's selection in the text as character offsets (the badges hold no characters).
  function readSelection() {
    const selection = window.getSelection();
    const range = selection && selection.rangeCount && !selection.isCollapsed && selection.getRangeAt(0);
    if (
      !range ||
      !range.toString().trim() ||
      ![range.startContainer, range.endContainer].every((n) => text().contains(n))
    )
      return null;
    const before = document.createRange();
    before.setStart(text(), 0);
    before.setEnd(range.startContainer, range.startOffset);
    const start = before.toString().length;
    return { start: start, end: start + range.toString().length, text: range.toString() };
  }

  // Show characters start..end as the browser's selection.
  function showRange(start, end) {
    const walker = document.createTreeWalker(text(), NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let seen = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (seen <= start && start < seen + node.length) range.setStart(node, start - seen);
      if (seen < end && end <= seen + node.length) range.setEnd(node, end - seen);
      seen += node.length;
    }
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    pending = { start: start, end: end, text: range.toString() };
  }

  // Ctrl+Shift+→ ←: a word more or less; the first press takes the word after the selected item.
  function extend(direction) {
    const words = [...text().textContent.matchAll(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)].map((m) => [
      m.index,
      m.index + m[0].length,
    ]);
    const from = pending ? pending.end : selected && position(selected) ? position(selected).end : 0;
    const word =
      !pending || direction > 0
        ? words.find(([s]) => s >= from)
        : words.findLast(([, e]) => e < from && e > pending.start);
    if (word) showRange(pending ? pending.start : word[0], word[1]);
    panel();
  }

  document.addEventListener("mouseup", function (event) {
    if (!text() || !text().contains(event.target)) return;
    const found = readSelection();
    if (found) {
      pending = found;
      armed = false;
      paint();
      return panel();
    }
    pending = null;
    if (event.target.matches(".tag")) return select(event.target.dataset.id); // a badge names its item
    // items under the pointer, innermost first; a second click on the same spot takes the next one out
    const hits = [];
    for (let el = event.target.closest("[data-id]"); el; el = el.parentElement.closest("[data-id]")) {
      if (!hits.includes(el.dataset.id)) hits.push(el.dataset.id);
    }
    const at = hits.indexOf(selected);
    select(hits.length ? hits[(at + 1) % hits.length] : null);
  });

  // --- the link picker: a server fragment, filtered here as the person types -----------

  function openPicker(role) {
    if (!selected) return hint("Select a quote or an event first.");
    picking = { typed: "", enter: false };
    fragment("/items/" + encodeURIComponent(selected) + "/picker?role=" + role);
  }

  function filterPicker(box) {
    const needle = box.querySelector("input").value.trim().toLowerCase();
    const options = Array.from(box.querySelectorAll("li"));
    options.forEach((li) => {
      li.hidden = needle !== "" && (!li.dataset.target || !li.textContent.toLowerCase().includes(needle));
    });
    const first = options.find((li) => !li.hidden);
    choose(box, first);
  }

  function choose(box, li) {
    box.querySelectorAll("li").forEach((o) => o.setAttribute("aria-selected", o === li ? "true" : "false"));
    if (li) box.querySelector("input").setAttribute("aria-activedescendant", li.id);
  }

  function take(box, li) {
    picking = null;
    box.remove();
    text().focus();
    if (!li) return panel();
    selected = box.dataset.item;
    onItem("link", { role: box.dataset.role, target: li.dataset.target });
  }

  function armPicker(box) {
    const input = box.querySelector("input");
    input.value = picking ? picking.typed : "";
    filterPicker(box);
    input.addEventListener("input", () => filterPicker(box));
    input.addEventListener("keydown", function (event) {
      const options = Array.from(box.querySelectorAll("li:not([hidden])"));
      const at = options.findIndex((li) => li.getAttribute("aria-selected") === "true");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        choose(box, options[(at + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length]);
      } else if (event.key === "Enter") take(box, options[at]);
      else if (event.key === "Escape") take(box, null);
      else return event.stopPropagation();
      event.preventDefault();
      event.stopPropagation();
    });
    box.addEventListener("mousedown", function (event) {
      const li = event.target.closest("li");
      if (li) take(box, li);
      event.preventDefault();
    });
    const enter = picking && picking.enter;
    input.focus();
    if (enter) take(box, box.querySelector('li[aria-selected="true"]'));
  }

  // --- commands and keys ----------------------------------------------------------------

  function paragraphOf() {
    const h = selected && handle(selected);
    const el = h || (pending && window.getSelection().anchorNode.parentElement);
    const para = el && el.closest(".para");
    return para ? para.id.slice(1) : null;
  }

  function acceptIn(root, values) {
    root.querySelectorAll(".tag.suggested").forEach((h) => settle(h.dataset.id, "accepted"));
    post("/confirm-all", values);
  }

  const arrow = (event) => (event.key === "ArrowRight" || event.key === "ArrowDown" ? 1 : -1);
  const COMMANDS = {
    confirm: function () {
      if (selected && handle(selected) && untouched(handle(selected))) settle(selected, "accepted");
      onItem("confirm");
    },
    confirm_all: () => acceptIn(text(), {}),
    confirm_paragraph: function () {
      const index = paragraphOf();
      if (index === null) return hint("Select an item or text in the paragraph first.");
      acceptIn($("p" + index), { paragraph: index });
    },
    step_unconfirmed: (event) => step(arrow(event), handles().filter(untouched)),
    step: (event) => step(arrow(event), handles(layer)),
    switch_layer: switchLayer,
    move_end: (event) => onItem("boundary", { side: "end", delta: arrow(event) }),
    move_start: (event) => onItem("boundary", { side: "start", delta: arrow(event) }),
    extend: (event) => extend(arrow(event)),
    delete: function () {
      if (!selected) return;
      const list = handles(layer);
      const at = list.findIndex((h) => h.dataset.id === selected);
      onItem("delete");
      settle(selected, "removed");
      const next = list[at + 1] || list[at - 1];
      select(at >= 0 && next ? next.dataset.id : null);
    },
    new_quote: () => (pending ? create("quote", null) : hint("Select the quote's content first, then press q.")),
    arm_event: function () {
      if (!pending) return hint("Select the event's trigger word first, then press e.");
      armed = true;
      paint();
      panel();
    },
    set_cue: () => setPart("cue"),
    set_source: () => setPart("source"),
    add_content: () => setPart("content"),
    pick_speaker: function () {
      if (layer === "entity") return hint("Select a quote or an event first.");
      openPicker(layer === "event" ? "source_actor" : "speaker");
    },
    pick_target: () => (layer === "event" ? openPicker("target_actor") : hint("Only an event has a target actor.")),
    undo: function () {
      undoFrom = selected;
      $("undo").click();
    },
    submit: () => $("submit").click(),
    skip: () => $("skip") && $("skip").click(),
    clear: function () {
      pending = null;
      armed = false;
      window.getSelection().removeAllRanges();
      select(null);
    },
    help: () => $("help").showModal(),
  };
  const KEYMAP = JSON.parse($("keymap").dataset.keys);

  // A key as the keymap names it (annotator/model/keys.py): modifiers, then the key.
  function chordOf(event) {
    const letter = event.key.length === 1 && event.key.toLowerCase() !== event.key.toUpperCase();
    const mods = [event.ctrlKey || event.metaKey ? "Ctrl" : "", event.altKey ? "Alt" : ""];
    mods.push(event.shiftKey && (letter || event.key.length > 1) ? "Shift" : "");
    const key = letter ? (event.shiftKey ? event.key.toUpperCase() : event.key.toLowerCase()) : event.key;
    return mods.concat([key]).filter(Boolean).join("+");
  }

  document.addEventListener("keydown", function (event) {
    if (picking && !$("selection").querySelector(".picker")) {
      // the picker is on its way: what is typed now is meant for it
      if (event.key === "Enter") picking.enter = true;
      else if (event.key === "Escape") picking = null;
      else if (event.key.length === 1) picking.typed += event.key;
      return event.preventDefault();
    }
    if (event.target.closest("input, textarea, select, button, a, dialog") || document.querySelector("dialog[open]"))
      return;
    const chord = chordOf(event);
    const active = armed ? "event" : pending ? "entity" : layer;
    const key = '.label[data-layer="' + active + '"][data-key="' + CSS.escape(chord) + '"]';
    const button = chord.length === 1 && document.querySelector(key);
    if (button) {
      event.preventDefault();
      return applyLabel(active, button.dataset.label);
    }
    const command = COMMANDS[KEYMAP[chord]];
    if (command) {
      event.preventDefault();
      command(event);
    }
  });

  document.addEventListener("click", function (event) {
    const button = event.target.closest(".label[data-layer]");
    if (button) applyLabel(button.dataset.layer, button.dataset.label);
  });

  // Buttons that change the document (the editor's, and a reviewer's Take and Accept) keep the focus and the
  // text selection where they are when clicked: the Enter pressed next submits, it does not press them again.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest("#editor button, #versions button")) event.preventDefault();
  });

  document.addEventListener("change", function () {
    if (selected && position(selected) && !shown(position(selected).layer)) select(null);
  });

  // --- answers --------------------------------------------------------------------------

  // An item a new-item ref or an undo names; edits queued on a ref go to its id.
  document.addEventListener("annotator:saved", function (event) {
    const told = event.detail;
    const ref = told.ref && refs.get("@" + told.ref);
    if (ref) ref.id = told.selected;
    if ((told.ref === "undo" && told.selected && selected === undoFrom) || (ref && selected === "@" + told.ref)) {
      selected = told.selected;
      handedOff = true;
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    const match = event.detail.path.match(/\/items\/%40(r\d+)\//);
    if (!match) return;
    const ref = refs.get("@" + match[1]);
    if (ref && ref.id) {
      event.detail.path = event.detail.path.replace("%40" + match[1], encodeURIComponent(ref.id));
    } else {
      event.preventDefault();
      if (event.detail.headers["X-Annotator-Edit"]) outstanding--;
      hint("That new item was not saved, so the key pressed on it did nothing.");
    }
  });

  // After each answer (its swaps are done by now): the selection drawn again, the panel asked for again.
  document.addEventListener("htmx:afterRequest", function (event) {
    const config = event.detail.requestConfig;
    if (!config || !text()) return;
    if (config.headers["X-Annotator-Edit"] && --outstanding <= 0) {
      outstanding = 0;
      settling.clear(); // every answer is in: the page shows what is saved
      refs.forEach((ref, key) => ref.id === null || refs.delete(key));
    }
    const box = $("selection").querySelector(".picker");
    if (config.path.includes("/picker") && !box) picking = null;
    const dialog = event.target.closest("dialog[open]");
    if (dialog) dialog.close();
    if (event.detail.target.id === "selection" || event.detail.xhr.status === 204) return;
    paint(handedOff);
    handedOff = false;
    if (!box) panel();
  });

  // A picker is armed as soon as it is in the page, so no key typed for it is lost.
  document.addEventListener("htmx:afterSwap", function (event) {
    const box = $("selection").querySelector(".picker");
    if (event.detail.target.id === "selection" && box) armPicker(box);
  });

  document.addEventListener("annotator:ask", () => $("ask").showModal());
})();
