// Clear endings: the page a removed (kicked) person sees, which says their link
// works again, and the one page a banned person sees, which still lets them
// take their data with them or erase it (the HTTP API allows a banned token
// exactly that: GET /api/me, GET /api/me/contacts, DELETE /api/me).

import { h, fill, downloadBlob } from "./dom.js";
import { t } from "./i18n.js";
import { api } from "./api.js";
import { confirmDialog } from "./dialog.js";

const kickedKey = (slug) => `kohtaamo:kicked:${slug}`;

/** Remember in this tab that the person was removed, so a reload says so. */
export function rememberKick(slug, reason) {
  try { sessionStorage.setItem(kickedKey(slug), JSON.stringify({ reason: reason || "", at: Date.now() })); } catch { /* not kept */ }
}

export function recalledKick(slug) {
  try {
    const raw = sessionStorage.getItem(kickedKey(slug));
    return raw ? JSON.parse(raw) : null;
  } catch { return null; }
}

export function forgetKick(slug) {
  try { sessionStorage.removeItem(kickedKey(slug)); } catch { /* nothing kept */ }
}

/** Whether the server now refuses this token as banned (a kick may come with a ban). */
export async function isBanned(token) {
  const r = await api.requests(token, "");
  return !r.ok && r.error?.code === "banned";
}

function page(root, className, ...children) {
  root.classList.remove("in-fair");
  const main = h("main", { id: "main", class: `join-main ending ${className}`, tabindex: "-1" },
    h("div", { class: "ending-card" }, ...children));
  fill(root, main);
  document.title = "Kohtaamo";
  main.focus();
  return main;
}

/** Kicked: what happened, the reason, and a way back in (the link still works). */
export function showKicked(root, { title, reason, onRejoin }) {
  page(root, "kicked",
    h("p", { class: "ending-event", dir: "auto" }, title || ""),
    h("h1", {}, t("ending.kickedTitle")),
    h("p", {}, t("ending.kickedText")),
    reason ? h("p", { class: "ending-reason" }, t("ended.reason", { reason })) : null,
    h("p", {}, t("ending.linkWorks")),
    h("div", { class: "row" },
      h("button", { type: "button", class: "button primary", onclick: onRejoin }, t("ending.rejoin"))));
}

/** Banned: one clear page; the person may still download or erase their data. */
export function showBanned(root, { title, token, onErased }) {
  const status = h("p", { class: "form-status", role: "status" });
  const download = async () => {
    status.textContent = "";
    const [me, contacts] = await Promise.all([api.me(token), api.contacts(token)]);
    if (!me.ok || !contacts.ok) { status.textContent = t("error.network"); return; }
    const data = { card: me.data.card, person: me.data.person, contacts: contacts.data };
    downloadBlob(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }), "kohtaamo-my-data.json");
    status.textContent = t("contacts.downloaded");
  };
  const vcard = async () => {
    const r = await api.contactsFile(token, "vcf");
    if (!r.ok) { status.textContent = t("error.network"); return; }
    downloadBlob(r.data, "kohtaamo-contacts.vcf");
    status.textContent = t("contacts.downloaded");
  };
  const erase = async () => {
    const ok = await confirmDialog({ title: t("erase.confirmTitle"), text: t("erase.confirmText"), confirm: t("erase.confirm"), danger: true });
    if (!ok) return;
    const r = await api.eraseMe(token);
    if (r.ok) onErased(); else status.textContent = t("error.network");
  };
  page(root, "banned",
    h("p", { class: "ending-event", dir: "auto" }, title || ""),
    h("h1", {}, t("ending.bannedTitle")),
    h("p", {}, t("ending.bannedText")),
    h("h2", {}, t("ending.yourData")),
    h("p", {}, t("ending.yourDataText")),
    h("div", { class: "row" },
      h("button", { type: "button", class: "button primary", onclick: download }, t("ending.download")),
      h("button", { type: "button", class: "button", onclick: vcard }, t("contacts.downloadVcf")),
      h("button", { type: "button", class: "button danger", onclick: erase }, t("erase.button"))),
    status);
}
