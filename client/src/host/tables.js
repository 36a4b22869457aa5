// The host's tables: a grid of cards, one Edit dialog per table (titles and
// themes in fi, sv and en, seats), Add table, and Close / Open set apart in the
// dialog's own zone, closing confirmed. The server checks every action again.

import { h, reconcile, setText, newId } from "../dom.js";
import { t, LANGS, getLang } from "../i18n.js";
import { AREAS, roomsInOrder, wireRoom } from "../state.js";
import { CLIENT_EVENTS as C, ROOM_KINDS } from "../protocol.js";
import { openDialog, confirmDialog } from "../dialog.js";

const MAX_TITLE = 80;
const MAX_THEME = 200;

const capacityValue = (v) => {
  const s = String(v).trim();
  if (!s) return null;
  const n = Number(s);
  return Number.isInteger(n) && n > 0 ? n : NaN;
};

/** Three inputs, one per language, in a fieldset; `values()` gives the non-empty ones. */
function perLanguage(legend, texts, { maxlength, multiline = false }) {
  const inputs = {};
  const rows = Object.entries(LANGS).map(([code, name]) => {
    const id = newId(`in-${code}`);
    const input = multiline
      ? h("textarea", { id, rows: 2, maxlength, lang: code, dir: "auto" })
      : h("input", { id, type: "text", maxlength, lang: code, dir: "auto" });
    input.value = texts?.[code] || "";
    inputs[code] = input;
    return h("div", { class: "field" }, h("label", { for: id, lang: code }, name), input);
  });
  return {
    el: h("fieldset", { class: "langs" }, h("legend", {}, legend), rows),
    inputs,
    values: () => Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.value.trim()]).filter(([, v]) => v)),
  };
}

/** The Edit (or Add) dialog. Resolves when it closes. */
function editDialog(ctx, room) {
  const ok = (ack, msg) => { if (ack.ok) { ctx.notify(msg); return true; } ctx.notifyError(ack.error); return false; };
  const raw = room ? wireRoom(room) : null;
  const fallback = (maps, plain) => (maps && Object.keys(maps).length ? maps : plain ? { fi: plain } : {});
  return openDialog({
    title: room ? t("host.editTable", { title: room.title }) : t("host.addTable"),
    className: "wide host-edit",
    build: (close) => {
      const titles = perLanguage(t("host.titles"), fallback(raw?.titles, raw?.title), { maxlength: MAX_TITLE });
      const themes = perLanguage(t("host.themes"), fallback(raw?.themes, raw?.theme), { maxlength: MAX_THEME, multiline: true });
      const capId = newId("cap");
      const cap = h("input", { id: capId, type: "number", min: 1, step: 1, inputmode: "numeric", value: raw?.capacity ?? "" });
      const status = h("p", { class: "form-status", role: "alert" });
      const form = h("form", {
        class: "stack",
        onsubmit: async (e) => {
          e.preventDefault();
          const tt = titles.values();
          if (!Object.keys(tt).length) { setText(status, t("host.needTitle")); titles.inputs.fi.focus(); return; }
          const capacity = capacityValue(cap.value);
          if (Number.isNaN(capacity)) { setText(status, t("host.badCapacity")); cap.focus(); return; }
          const name = Object.values(tt)[0];
          if (room) {
            const ack = await ctx.request(C.ROOM_UPDATE, { room: room.id, titles: tt, themes: themes.values(), ...(room.kind === ROOM_KINDS.LOBBY ? {} : { capacity }) });
            if (ok(ack, t("host.saved", { title: tt[getLang()] || name }))) close(true); else setText(status, ctx.errorText(ack.error));
          } else {
            const payload = { titles: tt, themes: themes.values() };
            if (capacity != null) payload.capacity = capacity;
            const ack = await ctx.request(C.ROOM_CREATE, payload);
            if (ok(ack, t("host.created", { title: name }))) close(true); else setText(status, ctx.errorText(ack.error));
          }
        },
      },
      h("p", { class: "hint" }, t("host.langHint")),
      titles.el, themes.el,
      room?.kind === ROOM_KINDS.LOBBY ? null
        : h("div", { class: "field seats" }, h("label", { for: capId }, t("host.capacity")), cap, h("p", { class: "hint" }, t("host.capacityHint"))),
      status,
      h("div", { class: "row end" },
        h("button", { type: "button", class: "button", onclick: () => close(false) }, t("host.cancel")),
        h("button", { type: "submit", class: "button primary" }, room ? t("host.save") : t("host.create"))));

      if (!room || room.kind === ROOM_KINDS.LOBBY) return form;
      // Set apart from Save: closing moves people, so it asks first.
      const current = ctx.state.rooms.get(room.id) || room;
      const toggle = current.open
        ? h("button", {
          type: "button", class: "button danger",
          onclick: async () => {
            const sure = await confirmDialog({ title: t("host.closeTitle", { title: current.title }), text: t("host.closeText"), confirm: t("host.closeConfirm"), danger: true });
            if (sure && ok(await ctx.request(C.ROOM_CLOSE, { room: room.id }), t("host.closed", { title: current.title }))) close(true);
          },
        }, t("host.closeConfirm"))
        : h("button", {
          type: "button", class: "button",
          onclick: async () => { if (ok(await ctx.request(C.ROOM_OPEN, { room: room.id }), t("host.opened", { title: current.title }))) close(true); },
        }, t("host.open"));
      return h("div", {}, form,
        h("section", { class: "danger-zone", "aria-labelledby": `${capId}-dz` },
          h("h3", { id: `${capId}-dz` }, t("host.dangerTitle")),
          h("p", { class: "hint" }, current.open ? t("host.closeHint") : t("host.openHint")), toggle));
    },
  });
}

export function tablesSection(ctx) {
  const grid = h("ul", { class: "host-grid", role: "list" });
  const add = h("button", { type: "button", class: "button primary", onclick: () => editDialog(ctx, null) }, `+ ${t("host.addTable")}`);

  const createCard = (room) => {
    const titleEl = h("h4", { class: "host-card-title", dir: "auto" });
    const theme = h("p", { class: "host-card-theme", dir: "auto" });
    const badge = h("span", { class: "badge state" });
    const seats = h("span", { class: "host-card-seats" });
    const edit = h("button", {
      type: "button", class: "button small",
      onclick: () => editDialog(ctx, ctx.state.rooms.get(room.id) || room),
    }, t("host.edit"));
    const li = h("li", { class: "host-card" }, h("div", { class: "host-card-head" }, titleEl, badge), theme,
      h("div", { class: "row between" }, seats, edit));
    li._parts = { titleEl, theme, badge, seats, edit };
    return li;
  };
  const updateCard = (li, room) => {
    const { titleEl, theme, badge, seats, edit } = li._parts;
    setText(titleEl, room.title);
    setText(theme, room.theme || "");
    const lobby = room.kind === ROOM_KINDS.LOBBY;
    setText(badge, lobby ? t("host.alwaysOpen") : room.open ? t("host.isOpen") : t("floor.closed"));
    badge.classList.toggle("closed", !room.open);
    li.classList.toggle("closed", !room.open);
    const limit = room.capacity ? t("host.seats", { count: room.capacity }) : t("host.noLimit");
    setText(seats, lobby ? t("host.seatedOf", { count: room.count ?? 0 }) : `${t("host.seatedOf", { count: room.count ?? 0 })} · ${limit}`);
    edit.setAttribute("aria-label", t("host.editTable", { title: room.title }));
  };

  return {
    el: h("div", { class: "stack" }, h("div", { class: "row" }, add), grid),
    update(changes) {
      if (changes.has(AREAS.ROOMS)) reconcile(grid, roomsInOrder(ctx.state), (r) => r.id, createCard, updateCard);
    },
  };
}
