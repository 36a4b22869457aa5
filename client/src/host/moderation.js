// Reports from attendees (open and resolved) and the moderation log, read as
// sentences in the reader's language ("Timer set to 10 min by Anna at 14:05").

import { h, fill, reconcile, userText, newId } from "../dom.js";
import { t, formatTime, formatDateTime, getLang } from "../i18n.js";
import { AREAS } from "../state.js";
import { CLIENT_EVENTS as C } from "../protocol.js";
import { api } from "../api.js";

export function nameOf(ctx, id, known) {
  if (known) return known;
  if (!id) return "";
  const p = ctx.state.people.get(id);
  if (p) return p.name;
  const r = ctx.state.rooms.get(id);
  if (r) return r.title;
  return t("mod.someone");
}

/** Open reports with Resolve, resolved ones below; both kept up to date by `flag:*`. */
export function flagsSection(ctx, { onSelect } = {}) {
  const openList = h("ul", { class: "flags", role: "list" });
  const doneList = h("ul", { class: "flags resolved", role: "list" });
  const noOpen = h("p", { class: "hint" }, t("mod.noOpenFlags"));
  const noDone = h("p", { class: "hint" }, t("mod.noResolvedFlags"));
  const doneCount = h("span", { class: "count" }, "(0)");
  const openId = newId("h");
  const doneId = newId("h");

  const load = async () => {
    const r = await api.flags(ctx.slug, ctx.token);
    if (r.ok) ctx.setFlags(r.data); else ctx.notifyError(r.error);
  };
  const resolve = async (f, li) => {
    const name = nameOf(ctx, f.person, f.person_name);
    const ack = await ctx.request(C.FLAG_RESOLVE, { flag: f.flag });
    if (!ack.ok) { ctx.notifyError(ack.error); return; }
    ctx.notify(t("mod.resolvedToast", { name }));
    // The item moves to the resolved list: focus goes to the next open report,
    // or to the heading of the list when none is left.
    const next = li.nextElementSibling || li.previousElementSibling;
    ctx.setFlags(ctx.state.flags.map((x) => (x.flag === f.flag ? { ...x, ...ack.flag } : x)));
    (next?.querySelector("button") || document.getElementById(openId))?.focus();
  };

  const createItem = (f) => {
    const li = h("li", { class: "flag" });
    li._render = (flag) => {
      const name = nameOf(ctx, flag.person, flag.person_name);
      const parts = [
        h("p", {}, userText("strong", name), ` ${t("mod.flaggedBy", { name: nameOf(ctx, flag.from, flag.from_name) })} · `,
          h("time", { datetime: new Date(flag.at).toISOString() }, formatDateTime(flag.at))),
        userText("p", flag.reason, { class: "flag-reason" }),
      ];
      if (flag.resolved_at) {
        parts.push(h("p", { class: "hint" }, t("mod.resolvedNote", { name: flag.resolved_by_name || nameOf(ctx, flag.resolved_by), time: formatTime(flag.resolved_at) })));
      } else {
        parts.push(h("div", { class: "row" },
          onSelect ? h("button", { type: "button", class: "button small", onclick: () => onSelect(flag.person) }, t("mod.select")) : null,
          h("button", { type: "button", class: "button small primary", "aria-label": t("mod.resolveAbout", { name }), onclick: () => resolve(flag, li) }, t("mod.resolve"))));
      }
      fill(li, parts);
    };
    return li;
  };
  const updateItem = (li, f) => {
    const sig = `${f.resolved_at}|${f.person_name}|${ctx.state.people.get(f.person)?.name}`;
    if (li.dataset.sig !== sig) { li.dataset.sig = sig; li._render(f); }
  };

  const render = () => {
    const flags = ctx.state.flags;
    const open = flags.filter((f) => !f.resolved_at);
    const done = flags.filter((f) => f.resolved_at);
    reconcile(openList, open, (f) => f.flag, createItem, updateItem);
    reconcile(doneList, done, (f) => f.flag, createItem, updateItem);
    noOpen.hidden = open.length > 0;
    noDone.hidden = done.length > 0;
    doneCount.textContent = `(${done.length})`;
  };

  return {
    el: h("div", { class: "stack" },
      h("section", { "aria-labelledby": openId },
        h("div", { class: "row between" }, h("h4", { id: openId, tabindex: "-1" }, t("mod.openFlags")),
          h("button", { type: "button", class: "button small", onclick: load }, t("mod.refresh"))),
        noOpen, openList),
      h("details", { class: "resolved-flags" },
        h("summary", { id: doneId }, t("mod.resolvedFlags"), " ", doneCount), noDone, doneList)),
    load,
    update(changes) { if (changes.has(AREAS.FLAGS)) render(); },
  };
}

const minutesOf = (d) => (d?.seconds != null ? Math.round(d.seconds / 6) / 10 : d?.minutes);

/** One log row as a sentence. */
export function logLine(ctx, e) {
  const d = e.detail && typeof e.detail === "object" ? e.detail : {};
  const actor = e.actor_name || nameOf(ctx, e.actor);
  const target = e.target_name || nameOf(ctx, e.target);
  const time = formatTime(e.at);
  const room = (id) => (id ? (ctx.state.rooms.get(id)?.title || "") : "");
  const p = { actor, target, time, room: target, text: d.text ?? "", reason: d.reason ?? "", moved: d.moved ?? 0, minutes: minutesOf(d) ?? "" };
  switch (e.action) {
    case "room:create": case "room:update": case "room:open": case "room:close":
      return t(`log.${e.action}`, { ...p, room: room(e.target) || target || d.title || "" });
    case "mod:mute": return t(d.minutes == null ? "log.mod:muteOpen" : "log.mod:mute", p);
    case "mod:move": return t("log.mod:move", { ...p, room: room(d.room) });
    case "mod:kick": return t(d.ban ? "log.mod:ban" : "log.mod:kick", p);
    case "announce": case "timer:set": case "timer:clear": case "recall": case "mod:unmute":
    case "mod:unban": case "flag:resolve": case "stage:invite": case "stage:remove":
      return t(`log.${e.action}`, p);
    default: return t("log.other", { ...p, action: e.action });
  }
}

export function logSection(ctx) {
  const box = h("div", { class: "modlog" });
  let loaded = false;
  const load = async () => {
    loaded = true;
    const r = await api.moderation(ctx.slug, ctx.token);
    if (!r.ok) { fill(box, h("p", { class: "form-status" }, ctx.errorText(r.error))); return; }
    fill(box, r.data.length === 0 ? h("p", { class: "hint" }, t("mod.logEmpty")) : h("ol", { class: "log-list" }, r.data.map((e) =>
      h("li", { class: `log-${String(e.action).replace(/[^a-z]/g, "-")}` },
        h("time", { datetime: new Date(e.at).toISOString(), class: "log-date" },
          new Date(e.at).toLocaleDateString(getLang(), { day: "numeric", month: "short" })),
        h("span", { dir: "auto" }, logLine(ctx, e))))));
  };
  const id = newId("h");
  return {
    el: h("section", { "aria-labelledby": id },
      h("div", { class: "row between" }, h("h4", { id }, t("mod.logTitle")),
        h("button", { type: "button", class: "button small", onclick: load }, t("mod.refresh"))), box),
    load,
    // A report resolved here or by another moderator is a new line in the log.
    update(changes) { if (loaded && changes.has(AREAS.FLAGS)) load(); },
  };
}
