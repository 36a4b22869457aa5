// The moderator's panel (moderators and hosts): reports from attendees, acting
// on a person (mute, move, remove or ban) and the bans. The server checks every
// action again, so hiding is for clarity, not security.

import { h, fill, newId, userText } from "../dom.js";
import { t, formatDateTime, isolate } from "../i18n.js";
import { AREAS, roomsInOrder, roomTitle, isHost, lobbyId } from "../state.js";
import { CLIENT_EVENTS as C, ROLES } from "../protocol.js";
import { confirmDialog } from "../dialog.js";
import { api } from "../api.js";
import { field } from "./broadcast.js";
import { flagsSection } from "./moderation.js";

export function moderatorView(ctx) {
  const ok = (ack, msg) => { if (ack.ok) { if (msg) ctx.notify(msg); return true; } ctx.notifyError(ack.error); return false; };
  const personSel = h("select", { required: true });
  const minutesSel = h("select", {}, [5, 15, 60, 0].map((m) => h("option", { value: String(m) }, m ? t("mod.minutes", { count: m }) : t("mod.untilUnmuted"))));
  const roomSel = h("select", {});
  const reason = h("input", { type: "text", maxlength: 500 });
  const ban = h("input", { type: "checkbox", id: newId("ban") });
  const flags = flagsSection(ctx, { onSelect: (id) => select(id) });
  const bansBox = h("div", { class: "bans" });
  const target = () => personSel.value || null;
  const targetName = () => ctx.state.people.get(target())?.name || "";

  const need = () => { if (!target()) { ctx.notify(t("mod.pickPerson")); personSel.focus(); return false; } return true; };

  const actions = h("div", { class: "stack" },
    field(t("mod.person"), personSel),
    h("fieldset", {}, h("legend", {}, t("mod.muteTitle")),
      h("div", { class: "row" }, field(t("mod.duration"), minutesSel),
        h("button", {
          type: "button", class: "button",
          onclick: async () => {
            if (!need()) return;
            const m = Number(minutesSel.value);
            ok(await ctx.request(C.MOD_MUTE, m ? { person: target(), minutes: m } : { person: target() }), t("mod.muted", { name: targetName() }));
          },
        }, t("mod.mute")),
        h("button", { type: "button", class: "button", onclick: async () => { if (need()) ok(await ctx.request(C.MOD_UNMUTE, { person: target() }), t("mod.unmuted", { name: targetName() })); } }, t("mod.unmute")))),
    h("fieldset", {}, h("legend", {}, t("mod.moveTitle")),
      h("div", { class: "row" }, field(t("mod.toRoom"), roomSel),
        h("button", { type: "button", class: "button", onclick: async () => { if (need()) ok(await ctx.request(C.MOD_MOVE, { person: target(), room: roomSel.value }), t("mod.moved", { name: targetName(), title: roomTitle(ctx.state, roomSel.value) })); } }, t("mod.move")))),
    h("fieldset", {}, h("legend", {}, t("mod.kickTitle")),
      field(t("mod.reason"), reason, t("mod.reasonHint")),
      h("div", { class: "row" },
        h("div", { class: "check" }, ban, h("label", { for: ban.id }, t("mod.ban"))),
        h("button", {
          type: "button", class: "button danger",
          onclick: async () => {
            if (!need()) return;
            const name = targetName();
            const text = reason.value.trim();
            if (!text) { ctx.notify(t("mod.reasonMissing")); reason.focus(); return; }
            const sure = await confirmDialog({
              title: ban.checked ? t("mod.banConfirm", { name }) : t("mod.kickConfirm", { name }),
              text: t("mod.kickText"), confirm: ban.checked ? t("mod.banButton") : t("mod.kick"), danger: true,
            });
            if (!sure) return;
            const banned = ban.checked;
            if (ok(await ctx.request(C.MOD_KICK, { person: target(), reason: text, ban: banned }), t("mod.kicked", { name }))) {
              reason.value = ""; ban.checked = false;
              if (banned) loadBans();
            }
          },
        }, t("mod.kick")))));

  const loadBans = async () => {
    const r = await api.bans(ctx.slug, ctx.token);
    if (!r.ok) { fill(bansBox, h("p", { class: "form-status" }, ctx.errorText(r.error))); return; }
    fill(bansBox, r.data.length === 0 ? h("p", { class: "hint" }, t("mod.noBans")) : h("ul", { class: "ban-list", role: "list" }, r.data.map((b) => {
      const name = b.name || t("mod.someone");
      return h("li", { class: "ban" },
        h("p", {}, userText("strong", name), " ",
          h("span", { class: "hint" }, b.by_name ? t("mod.bannedBy", { name: b.by_name }) : ""),
          b.at ? [" · ", h("time", { datetime: new Date(b.at).toISOString() }, formatDateTime(b.at))] : null),
        b.reason ? userText("p", b.reason, { class: "flag-reason" }) : null,
        h("button", {
          type: "button", class: "button small", "aria-label": t("mod.unbanPerson", { name }),
          onclick: async () => {
            if (ok(await ctx.request(C.MOD_UNBAN, { person: b.person }), t("mod.unbanned", { name }))) loadBans();
          },
        }, t("mod.unban")));
    })));
  };
  const el = h("div", { class: "staff mod-panel" },
    h("h2", { class: "sr-only" }, t("tabs.moderation")),
    h("section", { "aria-labelledby": "mod-flags" }, h("h3", { id: "mod-flags" }, t("mod.flagsTitle")), flags.el),
    h("section", { "aria-labelledby": "mod-act" }, h("h3", { id: "mod-act" }, t("mod.actTitle")), actions),
    h("section", { "aria-labelledby": "mod-bans" }, h("div", { class: "row between" }, h("h3", { id: "mod-bans" }, t("mod.bansTitle")),
      h("button", { type: "button", class: "button small", onclick: loadBans }, t("mod.refresh"))), bansBox));


  const fillPeople = () => {
    const state = ctx.state;
    // Never rebuild the list under an open picker; catch up when it loses focus.
    if (document.activeElement === personSel) {
      personSel.addEventListener("blur", fillPeople, { once: true });
      return;
    }
    const keep = personSel.value;
    const people = [...state.people.values()]
      .filter((p) => p.id !== state.me.id && p.role !== ROLES.HOST && (isHost(state) || p.role !== ROLES.MODERATOR))
      .sort((a, b) => a.name.localeCompare(b.name));
    const sig = people.map((p) => `${p.id}:${p.name}:${p.room}:${p.muted}`).join("|");
    if (personSel.dataset.sig === sig) return;
    personSel.dataset.sig = sig;
    fill(personSel, h("option", { value: "" }, t("mod.choose")),
      people.map((p) => h("option", { value: p.id, selected: p.id === keep }, `${isolate(p.name)}${p.muted ? ` (${t("people.muted")})` : ""} — ${p.room ? isolate(roomTitle(state, p.room)) : t("people.away")}`)));
  };
  const fillRooms = () => {
    const keep = roomSel.value || lobbyId(ctx.state);
    const sig = roomsInOrder(ctx.state).map((r) => `${r.id}:${r.title}`).join("|");
    if (roomSel.dataset.sig === sig) return;
    roomSel.dataset.sig = sig;
    fill(roomSel, roomsInOrder(ctx.state).map((r) => h("option", { value: r.id, selected: r.id === keep }, isolate(r.title))));
  };
  const select = (personId) => {
    fillPeople();
    personSel.value = personId;
    personSel.focus();
  };

  let loaded = false;
  return {
    el,
    select,
    shown() {
      if (!loaded) { loaded = true; flags.load(); loadBans(); }
    },
    update(changes) {
      if (changes.has(AREAS.PEOPLE)) fillPeople();
      if (changes.has(AREAS.ROOMS)) fillRooms();
      flags.update(changes);
    },
  };
}
