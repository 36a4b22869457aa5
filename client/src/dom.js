// Small DOM helpers. Text always goes in as text nodes: nothing here parses HTML,
// and its directional isolates are paired (see i18n.js `balanced`).

import { balanced } from "./i18n.js";

/** h("button", {class: "x", onclick: f, "aria-label": "..."}, "text", child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "value" || k === "checked" || k === "disabled" || k === "hidden" || k === "selected") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(balanced(c)));
  }
}

/**
 * Someone's text (a name, a title, a line of chat) as its own element: `dir=auto`
 * takes the direction from the text itself, and CSS isolates it, so neither an
 * override inside nor a long unbroken word gets out of it.
 */
export function userText(tag, text, attrs = {}) {
  return h(tag, { ...attrs, dir: "auto" }, text);
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Set text only when it differs (keeps screen readers and selection calm). */
export function setText(el, text) {
  const s = balanced(text);
  if (el.textContent !== s) el.textContent = s;
}

export function setAttr(el, name, value) {
  if (value == null || value === false) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else {
    const s = value === true ? "" : String(value);
    if (el.getAttribute(name) !== s) el.setAttribute(name, s);
  }
}

/**
 * Keyed list update: reuse the element of each key so focus and state survive
 * the 2-per-second presence updates. `create(item)` makes an element, `update(el,
 * item)` refreshes it.
 */
export function reconcile(container, items, key, create, update) {
  const old = new Map();
  for (const child of [...container.children]) {
    if (child.dataset.key != null) old.set(child.dataset.key, child);
  }
  let prev = null;
  for (const item of items) {
    const k = String(key(item));
    let el = old.get(k);
    if (el) old.delete(k);
    else {
      el = create(item);
      el.dataset.key = k;
    }
    update(el, item);
    const want = prev ? prev.nextSibling : container.firstChild;
    if (want !== el) container.insertBefore(el, want);
    prev = el;
  }
  for (const el of old.values()) el.remove();
}

let uid = 0;
export function newId(prefix = "k") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A stable, readable colour for an avatar (all pass AA with white text). */
const AVATAR_COLOURS = ["#2f5d8a", "#7a3f8c", "#1f6f50", "#8a4b12", "#a1324f", "#38606b", "#5b5a18", "#4a4fa3"];
export function avatarColour(id) {
  let n = 0;
  for (const ch of String(id)) n = (n * 31 + ch.charCodeAt(0)) >>> 0;
  return AVATAR_COLOURS[n % AVATAR_COLOURS.length];
}

/** Download a Blob under a file name (the API needs a bearer header, so no plain link). */
export function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
