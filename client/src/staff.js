// Host and moderator panels. Built only for people with those roles; the
// server checks every action again, so hiding is for clarity, not security.

import { h, fill, reconcile, setText, newId, downloadBlob, userText } from "./dom.js";
import { t, formatTime, formatDateTime, isolate } from "./i18n.js";
import { AREAS, roomsInOrder, roomTitle, isHost, lobbyId } from "./state.js";
import { CLIENT_EVENTS as C, ROOM_KINDS, ROLES } from "./protocol.js";
import { confirmDialog } from "./dialog.js";
import { api } from "./api.js";

const field = (label, input, hint) => {
  const id = input.id || newId("in");
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "hint" }, hint) : null);
};

const capacityValue = (v) => {
  const s = String(v).trim();
  if (!s) return null;
  const n = Number(s);
  return Number.isInteger(n) && n > 0 ? n : NaN;
};

export function hostView(ctx) {
  const ok = (ack, msg) => { if (ack.ok) { if (msg) ctx.notify(msg); return true; } ctx.notifyError(ack.error); return false; };

  // Tables: one row per table with rename, theme, capacity and open/close.
  const tableList = h("ul", { class: "staff-tables", role: "list" });
  const createRow = (room) => {
    const title = h("input", { type: "text", maxlength: 80, required: true });
    const theme = h("input", { type: "text", maxlength: 200 });
    const cap = h("input", { type: "number", min: 1, step: 1, inputmode: "numeric" });
    const toggle = h("button", { type: "button", class: "button small" });
    const save = h("button", { type: "submit", class: "button small primary" }, t("host.save"));
    const form = h("form", {
      class: "staff-table",
      onsubmit: async (e) => {
        e.preventDefault();
        const capacity = capacityValue(cap.value);
        if (Number.isNaN(capacity)) { ctx.notify(t("host.badCapacity")); cap.focus(); return; }
        const ack = await ctx.request(C.ROOM_UPDATE, { room: room.id, title: title.value.trim(), theme: theme.value.trim(), capacity });
        ok(ack, t("host.saved", { title: title.value.trim() }));
      },
    },
    h("div", { class: "grid3" },
      field(t("host.tableTitle"), title), field(t("host.theme"), theme), field(t("host.capacity"), cap, t("host.capacityHint"))),
    h("div", { class: "row" }, save, toggle, h("span", { class: "badge state" })));
    toggle.addEventListener("click", async () => {
      const r = ctx.state.rooms.get(room.id);
      if (r.open) {
        const sure = await confirmDialog({ title: t("host.closeTitle", { title: r.title }), text: t("host.closeText"), confirm: t("host.closeConfirm") });
        if (!sure) return;
        ok(await ctx.request(C.ROOM_CLOSE, { room: room.id }), t("host.closed", { title: r.title }));
      } else {
        ok(await ctx.request(C.ROOM_OPEN, { room: room.id }), t("host.opened", { title: r.title }));
      }
    });
    form._inputs = { title, theme, cap, toggle };
    return h("li", {}, form);
  };
  const updateRow = (li, room) => {
    const { title, theme, cap, toggle } = li.firstChild._inputs;
    // Do not overwrite what the host is typing.
    if (!li.contains(document.activeElement)) {
      title.value = room.title; theme.value = room.theme || ""; cap.value = room.capacity ?? "";
    }
    title.setAttribute("aria-label", `${t("host.tableTitle")}: ${isolate(room.title)}`);
    setText(toggle, room.open ? t("host.close") : t("host.open"));
    toggle.setAttribute("aria-label", `${room.open ? t("host.close") : t("host.open")}: ${isolate(room.title)}`);
    const badge = li.querySelector(".badge.state");
    setText(badge, `${room.open ? t("host.isOpen") : t("floor.closed")} · ${t("floor.seatedShort", { count: room.count })}`);
  };

  const newTitle = h("input", { type: "text", maxlength: 80, required: true });
  const newTheme = h("input", { type: "text", maxlength: 200 });
  const newCap = h("input", { type: "number", min: 1, step: 1, inputmode: "numeric" });
  const createForm = h("form", {
    class: "stack",
    onsubmit: async (e) => {
      e.preventDefault();
      const title = newTitle.value.trim();
      if (!title) { newTitle.focus(); return; }
      const capacity = capacityValue(newCap.value);
      if (Number.isNaN(capacity)) { ctx.notify(t("host.badCapacity")); newCap.focus(); return; }
      const payload = { title, theme: newTheme.value.trim() };
      if (capacity != null) payload.capacity = capacity;
      if (ok(await ctx.request(C.ROOM_CREATE, payload), t("host.created", { title }))) {
        newTitle.value = ""; newTheme.value = ""; newCap.value = "";
      }
    },
  },
  h("div", { class: "grid3" },
    field(t("host.tableTitle"), newTitle), field(t("host.theme"), newTheme), field(t("host.capacity"), newCap, t("host.capacityHint"))),
  h("div", { class: "row" }, h("button", { type: "submit", class: "button primary" }, t("host.create"))));

  // Announcement.
  const annText = h("textarea", { rows: 2, maxlength: 1000, required: true });
  const announceForm = h("form", {
    class: "stack",
    onsubmit: async (e) => {
      e.preventDefault();
      const text = annText.value.trim();
      if (!text) { annText.focus(); return; }
      if (ok(await ctx.request(C.ANNOUNCE, { text }), t("host.announced"))) annText.value = "";
    },
  }, field(t("host.announceText"), annText), h("div", { class: "row" }, h("button", { type: "submit", class: "button primary" }, t("host.announce"))));

  // Timer.
  const minutes = h("input", { type: "number", min: 1, max: 1440, step: 1, value: "10", inputmode: "numeric" });
  const label = h("input", { type: "text", maxlength: 80, value: "" });
  const timerNow = h("p", { class: "hint", "aria-live": "polite" });
  const setTimer = async (seconds, lbl) => ok(await ctx.request(C.TIMER_SET, { seconds, label: lbl }), t("host.timerSet"));
  const timerForm = h("form", {
    class: "stack",
    onsubmit: (e) => {
      e.preventDefault();
      const m = Number(minutes.value);
      if (!Number.isFinite(m) || m <= 0) { minutes.focus(); return; }
      setTimer(Math.min(86400, Math.round(m * 60)), label.value.trim() || t("timer.defaultLabel"));
    },
  },
  h("div", { class: "grid2" }, field(t("host.minutes"), minutes), field(t("host.timerLabel"), label)),
  timerNow,
  h("div", { class: "row" },
    h("button", { type: "submit", class: "button primary" }, t("host.setTimer")),
    h("button", {
      type: "button", class: "button",
      onclick: () => {
        const tm = ctx.state.timer;
        const left = tm ? Math.max(0, Math.round((tm.ends_at - ctx.now()) / 1000)) : 0;
        setTimer(Math.min(86400, left + 300), tm?.label || label.value.trim() || t("timer.defaultLabel"));
      },
    }, t("host.extend")),
    h("button", { type: "button", class: "button", onclick: async () => ok(await ctx.request(C.TIMER_CLEAR, {}), t("host.timerCleared")) }, t("host.clearTimer"))));

  // Recall and report.
  const report = h("div", { class: "report", "aria-live": "polite" });
  const recall = h("button", {
    type: "button", class: "button",
    onclick: async () => {
      if (await confirmDialog({ title: t("host.recallTitle"), text: t("host.recallText"), confirm: t("host.recall") })) {
        ok(await ctx.request(C.RECALL, {}), t("host.recalled"));
      }
    },
  }, t("host.recall"));
  const showReport = async () => {
    const r = await api.report(ctx.slug, ctx.token);
    if (!r.ok) { fill(report, h("p", { class: "form-status" }, ctx.errorText(r.error))); return; }
    const d = r.data;
    const c = d.contacts_per_attendee || {};
    fill(report,
      h("dl", { class: "stats" },
        h("div", {}, h("dt", {}, t("report.attendees")), h("dd", {}, String(d.attendees))),
        h("div", {}, h("dt", {}, t("report.peak")), h("dd", {}, String(d.peak_concurrent))),
        h("div", {}, h("dt", {}, t("report.exchanges")), h("dd", {}, String(d.exchanges))),
        h("div", {}, h("dt", {}, t("report.contacts")), h("dd", {}, `${fmt(c.mean)} / ${fmt(c.median)} / ${c.max ?? 0}`))),
      h("table", { class: "report-table" },
        h("caption", {}, t("report.rooms")),
        h("thead", {}, h("tr", {}, ["report.room", "report.visits", "report.unique", "report.dwell"].map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", {}, (d.rooms || []).map((row) => h("tr", {},
          userText("th", row.title, { scope: "row" }), h("td", {}, String(row.visits)), h("td", {}, String(row.unique_visitors)),
          h("td", {}, fmt(row.mean_dwell_s)))))),
      h("button", {
        type: "button", class: "button",
        onclick: async () => {
          const f = await api.reportCsv(ctx.slug, ctx.token);
          if (f.ok) downloadBlob(f.data, `kohtaamo-report-${ctx.slug}.csv`); else ctx.notifyError(f.error);
        },
      }, t("report.csv")));
  };

  const el = h("div", { class: "staff host-panel" },
    h("h2", { class: "sr-only" }, t("tabs.host")),
    h("section", { "aria-labelledby": "host-ann" }, h("h3", { id: "host-ann" }, t("host.announceTitle")), announceForm),
    h("section", { "aria-labelledby": "host-timer" }, h("h3", { id: "host-timer" }, t("host.timerTitle")), timerForm),
    h("section", { "aria-labelledby": "host-tables" }, h("h3", { id: "host-tables" }, t("host.tablesTitle")), tableList,
      h("h4", {}, t("host.createTitle")), createForm),
    h("section", { "aria-labelledby": "host-recall" }, h("h3", { id: "host-recall" }, t("host.recallTitle")),
      h("p", { class: "hint" }, t("host.recallText")), recall),
    h("section", { "aria-labelledby": "host-report" }, h("h3", { id: "host-report" }, t("report.title")),
      h("button", { type: "button", class: "button", onclick: showReport }, t("report.show")), report));

  return {
    el,
    update(changes) {
      if (changes.has(AREAS.ROOMS)) {
        const tables = roomsInOrder(ctx.state).filter((r) => r.kind !== ROOM_KINDS.LOBBY);
        reconcile(tableList, tables, (r) => r.id, createRow, updateRow);
      }
      if (changes.has(AREAS.TIMER)) {
        const tm = ctx.state.timer;
        setText(timerNow, tm ? t("host.timerRunning", { label: tm.label, time: formatTime(tm.ends_at) }) : t("host.noTimer"));
      }
    },
  };
}

const fmt = (n) => (typeof n === "number" ? (Math.round(n * 10) / 10).toString() : "–");

export function moderatorView(ctx) {
  const ok = (ack, msg) => { if (ack.ok) { if (msg) ctx.notify(msg); return true; } ctx.notifyError(ack.error); return false; };
  const personSel = h("select", { required: true });
  const minutesSel = h("select", {}, [5, 15, 60, 0].map((m) => h("option", { value: String(m) }, m ? t("mod.minutes", { count: m }) : t("mod.untilUnmuted"))));
  const roomSel = h("select", {});
  const reason = h("input", { type: "text", maxlength: 500 });
  const ban = h("input", { type: "checkbox", id: newId("ban") });
  const flagsList = h("ul", { class: "flags", role: "list" });
  const bansBox = h("div", { class: "bans" });
  const logBox = h("div", { class: "modlog" });
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

  const loadFlags = async () => {
    const r = await api.flags(ctx.slug, ctx.token);
    if (r.ok) ctx.setFlags(r.data); else ctx.notifyError(r.error);
  };
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
  const loadLog = async () => {
    const r = await api.moderation(ctx.slug, ctx.token);
    if (!r.ok) { fill(logBox, h("p", { class: "form-status" }, ctx.errorText(r.error))); return; }
    fill(logBox, r.data.length === 0 ? h("p", { class: "hint" }, t("mod.logEmpty")) : h("ol", { class: "log-list" }, r.data.map((e) =>
      h("li", {}, h("time", { datetime: new Date(e.at).toISOString() }, formatDateTime(e.at)), " ",
        userText("strong", e.actor_name || nameOf(ctx, e.actor)), ` ${e.action} `, e.target ? h("bdi", {}, e.target_name || nameOf(ctx, e.target)) : "",
        detailText(e.detail) ? h("span", { class: "hint" }, ` — ${detailText(e.detail)}`) : null))));
  };

  const el = h("div", { class: "staff mod-panel" },
    h("h2", { class: "sr-only" }, t("tabs.moderation")),
    h("section", { "aria-labelledby": "mod-flags" }, h("div", { class: "row between" }, h("h3", { id: "mod-flags" }, t("mod.flagsTitle")),
      h("button", { type: "button", class: "button small", onclick: loadFlags }, t("mod.refresh"))), flagsList),
    h("section", { "aria-labelledby": "mod-act" }, h("h3", { id: "mod-act" }, t("mod.actTitle")), actions),
    h("section", { "aria-labelledby": "mod-bans" }, h("div", { class: "row between" }, h("h3", { id: "mod-bans" }, t("mod.bansTitle")),
      h("button", { type: "button", class: "button small", onclick: loadBans }, t("mod.refresh"))), bansBox),
    isHost(ctx.state)
      ? h("section", { "aria-labelledby": "mod-log" }, h("div", { class: "row between" }, h("h3", { id: "mod-log" }, t("mod.logTitle")),
        h("button", { type: "button", class: "button small", onclick: loadLog }, t("mod.refresh"))), logBox)
      : null);

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
  const renderFlags = () => {
    const flags = ctx.state.flags;
    if (!flags.length) { fill(flagsList, h("li", { class: "hint" }, t("mod.noFlags"))); return; }
    for (const li of [...flagsList.children]) if (li.dataset.key == null) li.remove();  // "No reports."
    reconcile(flagsList, flags, (f) => f.flag,
      (f) => h("li", { class: "flag" },
        h("p", {}, userText("strong", nameOf(ctx, f.person)), ` ${t("mod.flaggedBy", { name: nameOf(ctx, f.from) })} · `,
          h("time", { datetime: new Date(f.at).toISOString() }, formatTime(f.at))),
        userText("p", f.reason, { class: "flag-reason" }),
        h("button", { type: "button", class: "button small", onclick: () => select(f.person) }, t("mod.select"))),
      () => {});
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
      if (!loaded) { loaded = true; loadFlags(); loadBans(); if (isHost(ctx.state)) loadLog(); }
    },
    update(changes) {
      if (changes.has(AREAS.PEOPLE)) fillPeople();
      if (changes.has(AREAS.ROOMS)) fillRooms();
      if (changes.has(AREAS.FLAGS)) renderFlags();
    },
  };
}

function detailText(detail) {
  if (detail == null || detail === "") return "";
  if (typeof detail !== "object") return String(detail);
  return Object.entries(detail).filter(([, v]) => v != null && v !== "")
    .map(([k, v]) => `${k}: ${isolate(typeof v === "object" ? JSON.stringify(v) : v)}`).join(", ");
}

function nameOf(ctx, id) {
  if (!id) return "";
  const p = ctx.state.people.get(id);
  if (p) return p.name;
  const r = ctx.state.rooms.get(id);
  if (r) return r.title;
  return typeof id === "string" && id.length > 16 ? t("mod.someone") : String(id);
}
