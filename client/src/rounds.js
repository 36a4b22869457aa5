// Networking rounds (issue 13): the series' state, the attendee's round panel (taking
// part, the group, the warning, the mates to ask for cards), "People I met" with
// suggestions, and the host's controls.

import { h, fill, setText, userText, newId } from "./dom.js";
import { t, formatCountdown, formatTime } from "./i18n.js";
import { CLIENT_EVENTS as C, SERVER_EVENTS as S, ROLES } from "./protocol.js";
import { api } from "./api.js";
import { confirmDialog } from "./dialog.js";

export const ROUNDS_AREA = "rounds";

/** A fresh part of the state for rounds. */
export function roundsState() {
  return { series: null, in: true, group: [], room: null, endsAt: null, warned: false, mates: [] };
}

/**
 * Apply a rounds message (or the welcome's `rounds`/`rounds_in`) to `state.rounds`.
 * Returns true when something shown changed. `round:seated` is also a move: the
 * caller seats the person in `msg.room` as for `moved`.
 */
export function applyRound(state, name, msg) {
  const r = (state.rounds ||= roundsState());
  switch (name) {
    case S.WELCOME:
      r.series = msg.rounds ?? null;
      r.in = msg.rounds_in ?? true;
      if (!r.series) Object.assign(r, { group: [], room: null, endsAt: null, warned: false });
      return true;
    case S.ROUNDS:
      r.series = msg;
      if (!msg) Object.assign(r, { group: [], room: null, endsAt: null, warned: false });
      return true;
    case S.ROUND_SEATED:
      Object.assign(r, { group: msg.group || [], room: msg.room?.room?.id ?? null,
        endsAt: msg.ends_at ?? null, warned: false, mates: [] });
      return true;
    case S.ROUND_WARNING:
      r.warned = true;
      r.endsAt = msg.ends_at ?? r.endsAt;
      return true;
    case S.ROUND_ENDED:
      Object.assign(r, { mates: msg.mates || [], group: [], room: null, endsAt: null, warned: false });
      return true;
    default:
      return false;
  }
}

/** Whom of `people` shares an interest with me, per interest (for table cards). */
export function sharedInterests(me, people) {
  const mine = new Map((me?.interests || []).map((i) => [i.trim().toLocaleLowerCase(), i.trim()]));
  const found = new Map();
  if (!mine.size) return found;
  for (const p of people) {
    if (!p || p.id === me.id) continue;
    for (const i of p.interests || []) {
      const key = i.trim().toLocaleLowerCase();
      if (mine.has(key)) found.set(mine.get(key), (found.get(mine.get(key)) || 0) + 1);
    }
  }
  return found;
}

/** The line a table card shows when people there share my interests, or "". */
export function tableMatch(state, roomId) {
  const here = [...state.people.values()].filter((p) => p.room === roomId);
  const shared = [...sharedInterests(state.me, here).entries()].sort((a, b) => b[1] - a[1]);
  if (!shared.length) return "";
  const [interest, n] = shared[0];
  return t("rounds.tableMatch", { n, interest });
}

function personLine(ctx, p, { ask = false } = {}) {
  const state = ctx.state;
  const row = h("li", { class: "round-person" },
    userText("span", p.name, { class: "person-name" }),
    p.organization ? userText("span", p.organization, { class: "person-org" }) : null);
  if (ask && p.id !== state.me?.id) {
    const done = state.contacts.has(p.id);
    const asked = state.sentRequests.has(p.id);
    row.append(h("button", {
      type: "button", class: "button small", disabled: done || asked,
      "aria-label": t("rounds.askFrom", { name: p.name }),
      onclick: async (e) => {
        await ctx.requestCard(p.id);
        e.target.disabled = true;
        e.target.textContent = t("rounds.asked");
      },
    }, done ? t("rounds.contact") : asked ? t("rounds.asked") : t("rounds.ask")));
  }
  return row;
}

/** The attendee's panel: taking part, my group now, the last round's mates. */
export function roundsView(ctx) {
  const optId = newId("rounds-opt");
  const opt = h("input", {
    id: optId, type: "checkbox",
    onchange: async (e) => {
      const ack = await ctx.request(C.ROUNDS_OPT, { in: e.target.checked });
      if (ack.ok) ctx.state.rounds.in = e.target.checked;
      else { e.target.checked = !e.target.checked; ctx.notifyError(ack.error); }
    },
  });
  const status = h("p", { class: "rounds-status", "aria-live": "polite" });
  const warning = h("p", { class: "rounds-warning", role: "status", hidden: true });
  const groupTitle = h("h3", {});
  const group = h("ul", { class: "round-people", role: "list" });
  const matesTitle = h("h3", {});
  const mates = h("ul", { class: "round-people", role: "list" });
  const optLabel = h("label", { for: optId });
  const el = h("section", { class: "rounds-panel", "aria-labelledby": `${optId}-title`, hidden: true },
    h("h2", { id: `${optId}-title` }),
    status, warning,
    h("div", { class: "check" }, opt, optLabel),
    h("div", { class: "round-group" }, groupTitle, group),
    h("div", { class: "round-mates" }, matesTitle, mates));

  function render() {
    const state = ctx.state;
    const r = state.rounds || roundsState();
    const series = r.series;
    el.hidden = !series && !r.mates.length;
    setText(el.querySelector("h2"), t("rounds.title"));
    setText(optLabel, t("rounds.takePart"));
    opt.checked = r.in;
    if (series) {
      const left = r.endsAt ? Math.max(0, Math.round((r.endsAt - ctx.now()) / 1000)) : null;
      const key = { running: "rounds.running", paused: "rounds.paused", between: "rounds.between", done: "rounds.done" }[series.state];
      setText(status, (series.round === 0 ? t("rounds.starting") : t(key, { round: series.round, of: series.of })) + (left != null && series.state === "running" && r.group.length ? ` · ${t("rounds.left", { time: formatCountdown(left) })}` : ""));
    } else setText(status, t("rounds.over"));
    warning.hidden = !r.warned;
    setText(warning, t("rounds.warning"));
    groupTitle.parentElement.hidden = !r.group.length;
    setText(groupTitle, t("rounds.yourGroup"));
    fill(group, r.group.map((p) => personLine(ctx, p)));
    matesTitle.parentElement.hidden = !r.mates.length;
    setText(matesTitle, t("rounds.youMet"));
    fill(mates, r.mates.map((p) => personLine(ctx, p, { ask: true })));
  }

  return {
    el,
    update(changes) { if (changes.has(ROUNDS_AREA) || changes.has("contacts") || changes.has("timer")) render(); },
    tick: render,
    relabel: render,
  };
}

/** "People I met" and "People you may want to meet", fetched over HTTP. */
export function metView(ctx) {
  const metList = h("ul", { class: "round-people", role: "list" });
  const suggestList = h("ul", { class: "round-people", role: "list" });
  const metTitle = h("h3", {});
  const suggestTitle = h("h3", {});
  const metEmpty = h("p", { class: "hint" });
  const suggestEmpty = h("p", { class: "hint" });
  const el = h("section", { class: "met-panel" },
    suggestTitle, suggestEmpty, suggestList, metTitle, metEmpty, metList);
  let met = [];
  let suggested = [];
  let fetching = null;
  let last = 0;

  async function refresh(force = false) {
    if (fetching || (!force && Date.now() - last < 10_000)) return;
    last = Date.now();
    fetching = Promise.all([api.met(ctx.token), api.suggestions(ctx.token)]);
    const [m, s] = await fetching;
    fetching = null;
    if (m.ok) met = m.data;
    if (s.ok) suggested = s.data;
    render();
  }

  function render() {
    setText(metTitle, t("met.title"));
    setText(suggestTitle, t("suggest.title"));
    setText(metEmpty, met.length ? "" : t("met.none"));
    metEmpty.hidden = !!met.length;
    setText(suggestEmpty, suggested.length ? "" : t("suggest.none"));
    suggestEmpty.hidden = !!suggested.length;
    fill(metList, met.map((m) => {
      const row = personLine(ctx, m.person, { ask: true });
      row.append(h("span", { class: "hint" }, t(m.via === "round" ? "met.inRound" : "met.atTable",
        { room: m.room_title || "", time: formatTime(m.at) })));
      return row;
    }));
    fill(suggestList, suggested.map((s) => {
      const row = personLine(ctx, s.person, { ask: true });
      const why = [];
      if (s.interests.length) why.push(t("suggest.interests", { n: s.interests.length, list: s.interests.join(", ") }));
      if (s.languages.length) why.push(t("suggest.languages", { list: s.languages.join(", ") }));
      row.append(h("span", { class: "hint" }, why.join(" · ")));
      return row;
    }));
  }

  return {
    el,
    refresh,
    update(changes) {
      if (changes.has(ROUNDS_AREA)) refresh(true);
      else if (changes.has("people")) refresh();
    },
    relabel: render,
  };
}

/** The host's controls: start a series, then pause, resume, skip, extend, stop. */
export function hostRoundsView(ctx) {
  const field = (name, min, max, value) => {
    const id = newId(`rounds-${name}`);
    const input = h("input", { id, type: "number", min, max, value, inputmode: "numeric", required: true });
    const label = h("label", { for: id });
    return { input, label, box: h("div", { class: "field" }, label, input) };
  };
  const rounds = field("count", 1, 20, 3);
  const minutes = field("minutes", 1, 60, 8);
  const size = field("size", 2, 8, 4);
  const start = h("button", { type: "submit", class: "button primary" });
  const hint = h("p", { class: "hint" });
  // which tables to use; none ticked: the server makes round tables and removes them after
  const tablesLegend = h("legend", {});
  const tablesHint = h("p", { class: "hint" });
  const tablesBox = h("div", { class: "round-tables" });
  const tables = h("fieldset", { class: "round-tables-field" }, tablesLegend, tablesHint, tablesBox);
  let tablesSig = "";
  const form = h("form", {
    class: "rounds-start",
    onsubmit: async (e) => {
      e.preventDefault();
      const ack = await ctx.request(C.ROUNDS_START, {
        rounds: Number(rounds.input.value), minutes: Number(minutes.input.value),
        group_size: Number(size.input.value),
        ...(chosenTables().length ? { rooms: chosenTables() } : {}),
      });
      if (!ack.ok) ctx.notifyError(ack.error);
      else ctx.notify(t("rounds.started"));
    },
  }, rounds.box, minutes.box, size.box, tables, hint, start);
  const chosenTables = () => [...tablesBox.querySelectorAll("input:checked")].map((i) => i.value);
  const status = h("p", { class: "rounds-status", "aria-live": "polite" });
  const act = (event, payload = {}) => async () => {
    const ack = await ctx.request(event, payload);
    if (!ack.ok) ctx.notifyError(ack.error);
  };
  const pause = h("button", { type: "button", class: "button", onclick: act(C.ROUNDS_PAUSE) });
  const resume = h("button", { type: "button", class: "button", onclick: act(C.ROUNDS_RESUME) });
  const skip = h("button", { type: "button", class: "button", onclick: act(C.ROUNDS_SKIP) });
  const extend = h("button", { type: "button", class: "button", onclick: act(C.ROUNDS_EXTEND, { minutes: 2 }) });
  const stop = h("button", {
    type: "button", class: "button danger",
    onclick: async () => {
      const sure = await confirmDialog({ title: t("rounds.stopTitle"), text: t("rounds.stopConfirm"), confirm: t("rounds.stop"), danger: true });
      if (sure) await act(C.ROUNDS_STOP)();
    },
  });
  const controls = h("div", { class: "rounds-controls" }, status, h("div", { class: "button-row" }, pause, resume, skip, extend), stop);
  const title = h("h3", {});
  const el = h("section", { class: "host-rounds" }, title, form, controls);

  function render() {
    const series = ctx.state.rounds?.series;
    setText(title, t("rounds.hostTitle"));
    setText(rounds.label, t("rounds.count"));
    setText(minutes.label, t("rounds.minutes"));
    setText(size.label, t("rounds.groupSize"));
    setText(hint, t("rounds.hostHint"));
    setText(start, t("rounds.start"));
    setText(tablesLegend, t("rounds.tables"));
    setText(tablesHint, t("rounds.tablesHint"));
    const rooms = [...ctx.state.rooms.values()].filter((r) => r.kind === "table");
    const sig = rooms.map((r) => `${r.id}:${r.title}`).join("|");
    if (sig !== tablesSig && !tablesBox.contains(document.activeElement)) {
      tablesSig = sig;
      const was = new Set(chosenTables());
      fill(tablesBox, rooms.map((r) => {
        const id = newId("round-table");
        return h("div", { class: "check" },
          h("input", { id, type: "checkbox", value: r.id, checked: was.has(r.id) }),
          h("label", { for: id, dir: "auto" }, r.title));
      }));
    }
    setText(pause, t("rounds.pause"));
    setText(resume, t("rounds.resume"));
    setText(skip, t(series?.state === "between" ? "rounds.next" : "rounds.skip"));
    setText(extend, t("rounds.extend"));
    setText(stop, t("rounds.stop"));
    form.hidden = !!series;
    controls.hidden = !series;
    if (series) {
      const key = { running: "rounds.running", paused: "rounds.paused", between: "rounds.between", done: "rounds.done" }[series.state];
      setText(status, series.round === 0 ? t("rounds.starting") : t(key, { round: series.round, of: series.of }));
      pause.hidden = series.state === "paused";
      resume.hidden = series.state !== "paused";
    }
  }

  return {
    el,
    update(changes) { if (changes.has(ROUNDS_AREA) || changes.has("rooms")) render(); },
    relabel: render,
  };
}

export const isAttendee = (state) => state.me?.role === ROLES.ATTENDEE;
