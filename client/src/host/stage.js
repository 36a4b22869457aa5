// The stage in the lobby: who may speak there, invite and take off.

import { h, fill, newId } from "../dom.js";
import { t, isolate } from "../i18n.js";
import { AREAS, roomTitle } from "../state.js";
import { ROLES } from "../protocol.js";
import { field } from "./broadcast.js";

export function stageSection(ctx) {
  const list = h("ul", { class: "speakers", role: "list" });
  const empty = h("p", { class: "hint" }, t("host.noSpeakers"));
  const pick = h("select", { required: true });
  const listId = newId("h");
  const inviteId = newId("h");
  const form = h("form", {
    class: "row align-end",
    onsubmit: async (e) => {
      e.preventDefault();
      if (!pick.value) { pick.focus(); return; }
      await ctx.stage(pick.value, true);
      pick.focus();
    },
  }, field(t("host.invitePerson"), pick), h("button", { type: "submit", class: "button primary" }, t("stage.invite")));

  let sig = "";
  const render = () => {
    const state = ctx.state;
    const speakers = [...state.speakers].map((id) => state.people.get(id)).filter(Boolean);
    const people = [...state.people.values()]
      .filter((p) => p.room && !state.speakers.has(p.id) && p.role !== ROLES.HOST)
      .sort((a, b) => a.name.localeCompare(b.name));
    const next = JSON.stringify([speakers.map((p) => [p.id, p.name, p.room]), people.map((p) => [p.id, p.name, p.room])]);
    if (next === sig) return;
    sig = next;
    empty.hidden = speakers.length > 0;
    const hadFocus = list.contains(document.activeElement);
    fill(list, speakers.map((p) => h("li", { class: "speaker" },
      h("span", {}, h("bdi", {}, p.name), h("span", { class: "hint" }, ` · ${p.room ? roomTitle(state, p.room) : t("people.away")}`)),
      h("button", {
        type: "button", class: "button small danger", "aria-label": `${t("stage.remove")}: ${isolate(p.name)}`,
        onclick: async () => { await ctx.stage(p.id, false); pick.focus(); },
      }, t("stage.remove")))));
    if (hadFocus) pick.focus();
    if (document.activeElement === pick) return; // never rebuild an open picker
    const keep = pick.value;
    fill(pick, h("option", { value: "" }, t("mod.choose")),
      people.map((p) => h("option", { value: p.id, selected: p.id === keep }, `${isolate(p.name)} — ${isolate(roomTitle(state, p.room))}`)));
  };

  return {
    el: h("div", { class: "stack" },
      h("p", { class: "hint" }, t("host.stageHint")),
      h("section", { class: "host-box", "aria-labelledby": listId }, h("h4", { id: listId }, t("host.speakersTitle")), empty, list),
      h("section", { class: "host-box", "aria-labelledby": inviteId }, h("h4", { id: inviteId }, t("host.inviteTitle")), form)),
    update(changes) {
      if (changes.has(AREAS.PEOPLE) || changes.has(AREAS.MEDIA) || changes.has(AREAS.ROOMS)) render();
    },
  };
}
