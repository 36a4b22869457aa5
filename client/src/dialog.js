// Modal dialogs on the native <dialog>: the browser traps focus and handles
// Escape; we put focus back where it was when the dialog closes.

import { h, newId } from "./dom.js";
import { t } from "./i18n.js";

/** Open a modal; `build(close)` returns the body. Resolves with the close value. */
export function openDialog({ title, build, className = "" }) {
  return new Promise((resolve) => {
    const back = document.activeElement;
    const titleId = newId("dlg");
    const dlg = h("dialog", { class: `dialog ${className}`, "aria-labelledby": titleId });
    let result;
    const close = (value) => { result = value; dlg.close(); };
    const head = h("div", { class: "dialog-head" },
      h("h2", { id: titleId }, title),
      h("button", { type: "button", class: "icon-button", "aria-label": t("dialog.close"), onclick: () => close(undefined) }, "×"));
    dlg.append(head, h("div", { class: "dialog-body" }, build(close)));
    dlg.addEventListener("close", () => {
      dlg.remove();
      if (back && back.isConnected && typeof back.focus === "function") back.focus();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = dlg.querySelector("[autofocus]") || dlg.querySelector(".dialog-body input, .dialog-body select, .dialog-body textarea, .dialog-body button");
    if (first) first.focus();
  });
}

/** Yes/no question; resolves true when confirmed. */
export function confirmDialog({ title, text, confirm, danger = false }) {
  return openDialog({
    title,
    build: (close) => h("div", {},
      h("p", {}, text),
      h("div", { class: "row end" },
        h("button", { type: "button", class: "button", onclick: () => close(false) }, t("dialog.cancel")),
        h("button", { type: "button", class: danger ? "button danger" : "button primary", autofocus: !danger, onclick: () => close(true) }, confirm))),
  }).then((v) => v === true);
}

/** Ask for one line (or a few) of text; resolves with the text or null. */
export function promptDialog({ title, label, confirm, multiline = false, maxlength = 500, required = true, hint = "" }) {
  const id = newId("prompt");
  return openDialog({
    title,
    build: (close) => {
      const field = multiline
        ? h("textarea", { id, rows: 3, maxlength, required, autofocus: true })
        : h("input", { id, type: "text", maxlength, required, autofocus: true });
      return h("form", {
        class: "stack",
        onsubmit: (e) => { e.preventDefault(); const v = field.value.trim(); if (!required || v) close(v); },
      },
      h("label", { for: id }, label), field,
      hint ? h("p", { class: "hint" }, hint) : null,
      h("div", { class: "row end" },
        h("button", { type: "button", class: "button", onclick: () => close(null) }, t("dialog.cancel")),
        h("button", { type: "submit", class: "button primary" }, confirm)));
    },
  }).then((v) => (v == null ? null : v));
}
