// The notification centre: a bell with a count in the header and a panel that
// lists what asks for an answer (card requests, whispers, an invitation to
// speak, a moderator's notice) until it is answered or dismissed. Toasts
// (ctx.notify) stay for what needs no action.
//
// Made once per fair: it outlives a language switch (the header is redrawn and
// `el` is put back into it; `relabel()` redraws its own words).

import { h, setText, setAttr, newId } from "./dom.js";
import { t } from "./i18n.js";

/**
 * createNotifications(ctx) -> {el, push, resolve, has, count, open, close, relabel, onChange}
 * push({kind, key, title, body, actions: [{label, run}]}) adds or replaces the notice
 * with that key (newest first); resolve(key) removes it. Sets ctx.notifications.
 */
export function createNotifications(ctx) {
  const items = new Map(); // key -> notice
  const listeners = new Set();
  const panelId = newId("notices");
  const headId = newId("notices-title");
  const countEl = h("span", { class: "bell-count", "aria-hidden": "true", hidden: true });
  const bell = h("button", {
    type: "button", class: "bell", id: "bell", "aria-expanded": "false", "aria-controls": panelId,
    onclick: () => (isOpen() ? close(true) : open()),
  }, h("span", { class: "bell-icon", "aria-hidden": "true" }), countEl);
  const heading = h("h2", { id: headId, tabindex: "-1" });
  const empty = h("p", { class: "hint notices-empty" });
  const list = h("ul", { class: "notice-list", role: "list" });
  const closeBtn = h("button", { type: "button", class: "icon-button", onclick: () => close(true) }, "×");
  const panel = h("section", {
    class: "notice-centre", id: panelId, "aria-labelledby": headId, hidden: true,
    onkeydown: (e) => { if (e.key === "Escape") { e.stopPropagation(); close(true); } },
  }, h("div", { class: "notice-head" }, heading, closeBtn), empty, list);
  const live = h("div", { class: "sr-only", role: "status", "aria-live": "polite" });
  const el = h("div", { class: "notify" }, bell, panel, live);

  const isOpen = () => !panel.hidden;

  function open() {
    panel.hidden = false;
    setAttr(bell, "aria-expanded", "true");
    const first = list.querySelector("button");
    (first || heading).focus();
    document.addEventListener("pointerdown", outside, true);
  }

  function close(returnFocus = false) {
    if (!isOpen()) return;
    panel.hidden = true;
    setAttr(bell, "aria-expanded", "false");
    document.removeEventListener("pointerdown", outside, true);
    if (returnFocus) bell.focus();
  }

  function outside(e) {
    if (!el.contains(e.target)) close(false);
  }

  function labels() {
    const n = items.size;
    setText(heading, t("notify.title"));
    setText(empty, t("notify.empty"));
    closeBtn.setAttribute("aria-label", t("notify.close"));
    bell.setAttribute("aria-label", n ? t("notify.bellCount", { count: n }) : t("notify.bell"));
    setText(countEl, n > 99 ? "99+" : String(n));
    countEl.hidden = n === 0;
    bell.classList.toggle("has-items", n > 0);
    empty.hidden = n > 0;
  }

  function itemEl(n) {
    const li = h("li", { class: `notice-entry kind-${n.kind}`, dataset: { key: n.key } },
      h("p", { class: "notice-title", dir: "auto" }, n.title),
      n.body ? h("p", { class: "notice-body", dir: "auto" }, n.body) : null);
    const row = h("div", { class: "row" });
    (n.actions || []).forEach((a, i) => {
      row.append(h("button", {
        type: "button", class: `button small${i === 0 ? " primary" : ""}`,
        "aria-label": a.ariaLabel || null,
        onclick: async () => {
          // An action that takes you elsewhere (Reply) closes the panel; one
          // answered here (Accept) leaves it open on the next notice.
          if (a.closes) close(false);
          await a.run();
          afterAction();
        },
      }, a.label));
    });
    row.append(h("button", {
      type: "button", class: "button small quiet", "aria-label": t("notify.dismissOne", { title: n.title }),
      onclick: () => { const next = neighbour(n.key); resolve(n.key); focusAfter(next); },
    }, t("notify.dismiss")));
    li.append(row);
    return li;
  }

  // Where focus goes when a notice goes away: the next one, else the heading.
  function neighbour(key) {
    const li = list.querySelector(`[data-key="${CSS.escape(key)}"]`);
    return li?.nextElementSibling || li?.previousElementSibling || null;
  }

  function focusAfter(nextLi) {
    if (!isOpen()) return;
    const target = nextLi?.isConnected ? nextLi.querySelector("button") : null;
    (target || heading).focus();
  }

  // After an action, focus stays where the action put it; if that was nowhere,
  // the panel's heading (still open) or the bell.
  function afterAction() {
    const a = document.activeElement;
    if (a && a !== document.body && a.isConnected) return;
    (isOpen() ? heading : bell).focus();
  }

  function render() {
    const sorted = [...items.values()].sort((a, b) => b.at - a.at);
    list.replaceChildren(...sorted.map(itemEl));
    labels();
    for (const fn of listeners) fn(items.size);
  }

  let seq = 0;
  function push({ kind = "info", key, title, body = "", actions = [], quiet = false }) {
    const k = key || `${kind}:${++seq}`;
    items.set(k, { kind, key: k, title, body, actions, at: Date.now() + (++seq) / 1000 });
    const hadFocus = panel.contains(document.activeElement);
    render();
    if (hadFocus) heading.focus();
    if (!quiet) live.textContent = t("notify.new", { title });
    return k;
  }

  function resolve(key) {
    if (!items.has(key)) return;
    const hadFocus = panel.contains(document.activeElement);
    const next = hadFocus ? neighbour(key) : null;
    items.delete(key);
    render();
    if (hadFocus) focusAfter(next);
  }

  labels();
  const api = {
    el,
    bell,
    push,
    resolve,
    has: (key) => items.has(key),
    keys: (prefix = "") => [...items.keys()].filter((k) => k.startsWith(prefix)),
    count: () => items.size,
    open,
    close,
    relabel: render,
    onChange: (fn) => { listeners.add(fn); return () => listeners.delete(fn); },
  };
  ctx.notifications = api;
  return api;
}
