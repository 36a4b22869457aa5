// The fair once you are in: header with the connection state, announcement and
// timer, your table, the floor, and the side panel (people, host, moderation).
// Views subscribe to the areas of state.js they draw; this module wires them to
// the connection.

import { h, fill, setText, setAttr, newId } from "./dom.js";
import { t, LANGS, getLang, formatTime, formatCountdown } from "./i18n.js";
import {
  createState, apply, entered, setConn, setFlags, requestSent, AREAS, CONN,
  isStaff, isHost, roomTitle, setContacts,
} from "./state.js";
import { CLIENT_EVENTS as C, SERVER_EVENTS as S, CONNECT_ERRORS, MOVE_REASONS, STATUSES, CLIENT_TIMEOUT } from "./protocol.js";
import { connect } from "./connection.js";
import { floorView } from "./floor.js";
import { spaceView } from "./space.js";
import { chatView } from "./chat.js";
import { peopleView } from "./people.js";
import { requestsView, contactsButtonView, openMyCard } from "./cards.js";
import { hostConsole } from "./host/console.js";
import { moderatorView } from "./host/moderator.js";
import { callView, pageCall } from "./callview.js";
import { promptDialog } from "./dialog.js";
import { api } from "./api.js";
import { errorText } from "./errors.js";
import { stageNotices } from "./hands.js";

/** Start the fair in `root`. Returns {stop()}. */
export function startFair(root, { slug, token, onLang, onSignedOut, onErased }) {
  const state = createState();
  const views = [];
  let conn = null;
  let clockSkew = 0; // server time - local time, learnt from positions ticks

  const ctx = {
    slug, token, state,
    now: () => Date.now() + clockSkew,
    apply: (changes) => { for (const v of views) v.update(changes); },
    request: async (name, payload) => (conn ? conn.request(name, payload) : { ok: false, error: { code: CLIENT_TIMEOUT } }),
    move: (x, y) => conn?.move(x, y),
    notify,
    notifyError: (error) => notify(errorText(error), "error"),
    errorText,
    enter,
    wave: async (id) => {
      const ack = await ctx.request(C.WAVE, { to: id });
      if (ack.ok) notify(t("people.waved", { name: state.people.get(id)?.name || "" }));
      else ctx.notifyError(ack.error);
    },
    whisper: (id) => { chat.whisper(id); },
    // `name`: for someone not on the floor (found by finder.js), not in state.people
    requestCard: async (id, name = "") => {
      const ack = await ctx.request(C.CARD_REQUEST, { to: id });
      if (!ack.ok) { ctx.notifyError(ack.error); return; }
      if (ack.contact) {
        ctx.apply(apply(state, S.CARD_EXCHANGED, ack.contact));
        notify(t("cards.exchanged", { name: ack.contact.card?.name || "" }));
      } else {
        ctx.apply(requestSent(state, id, ack.request));
        notify(t("cards.requestSent", { name: state.people.get(id)?.name || name }));
      }
    },
    flag: async (id) => {
      const name = state.people.get(id)?.name || "";
      const reason = await promptDialog({ title: t("flag.title", { name }), label: t("flag.reason"), hint: t("flag.hint"), confirm: t("flag.send"), multiline: true });
      if (!reason) return;
      const ack = await ctx.request(C.FLAG, { person: id, reason });
      if (ack.ok) notify(t("flag.sent")); else ctx.notifyError(ack.error);
    },
    moderate: (id) => { ui.selectTab("moderation"); modView?.select(id); },
    stage: async (id, invite) => {
      const ack = await ctx.request(invite ? C.STAGE_INVITE : C.STAGE_REMOVE, { person: id });
      const name = state.people.get(id)?.name || "";
      if (ack.ok) notify(t(invite ? "stage.invited" : "stage.removed", { name }));
      else ctx.notifyError(ack.error);
    },
    addContact: (contact) => apply(state, S.CARD_EXCHANGED, contact),
    setFlags: (flags) => ctx.apply(setFlags(state, flags)),
    erased: () => { conn?.close(); onErased(); },
  };

  async function enter(roomId) {
    if (state.here?.room === roomId) { document.getElementById("space")?.focus(); return; }
    const room = state.rooms.get(roomId);
    if (room && !room.open) { notify(t("error.room_closed")); return; }
    const ack = await ctx.request(C.ENTER, { room: roomId });
    if (!ack.ok) { ctx.notifyError(ack.error); return; }
    ctx.apply(entered(state, ack.room));
    notify(t("space.entered", { title: roomTitle(state, roomId) }));
  }

  let ui = null;
  let chat, modView, notices, main, nav, movedNote, endBox, connEl, timerInterval;
  function notify(text, kind = "info") {
    const n = h("div", { class: `notice-item ${kind}` }, text);
    notices?.append(n);
    setTimeout(() => n.remove(), 7000);
  }

  function buildUI() {
    views.length = 0;
    clearInterval(timerInterval);
    // ---- notices: visible toasts that also reach screen readers ------------
    notices = h("div", { class: "notices", role: "status", "aria-live": "polite" });

    // ---- header ---------------------------------------------------------------
    connEl = h("div", { class: "conn", id: "conn", role: "status" }, h("span", { class: "dot", "aria-hidden": "true" }), h("span", { class: "conn-text" }));
    const statusId = newId("status");
    const statusSel = h("select", {
      id: statusId,
      onchange: async (e) => { const ack = await ctx.request(C.STATUS, { status: e.target.value }); if (!ack.ok) ctx.notifyError(ack.error); },
    }, STATUSES.map((s) => h("option", { value: s }, t(`status.${s}`))));
    const langId = newId("lang");
    const langSel = h("select", { id: langId, onchange: (e) => onLang(e.target.value) },
      Object.entries(LANGS).map(([code, name]) => h("option", { value: code, selected: code === getLang(), lang: code }, name)));
    const contactsBtn = contactsButtonView(ctx);
    views.push(contactsBtn);
    const titleEl = h("h1", { class: "event-title", dir: "auto" });
    const meEl = h("span", { class: "me-name", dir: "auto" });
    const header = h("header", { class: "topbar" },
      h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }, "K"), titleEl),
      connEl,
      nav = h("nav", { class: "top-actions", "aria-label": t("nav.label") },
        meEl,
        h("div", { class: "inline-field" }, h("label", { for: statusId }, t("status.label")), statusSel),
        h("button", { type: "button", class: "button", onclick: () => openMyCard(ctx) }, t("mycard.button")),
        contactsBtn.el,
        h("div", { class: "inline-field" }, h("label", { for: langId }, t("lang.label")), langSel)));

    // ---- announcement and timer ---------------------------------------------
    const annText = h("p", { class: "ann-text", dir: "auto" });
    const annMeta = h("p", { class: "ann-meta" });
    const annBox = h("div", { class: "announcement", hidden: true },
      h("div", { class: "ann-body" }, h("p", { class: "ann-label" }, t("announcement.label")), annText, annMeta),
      h("button", { type: "button", class: "icon-button", "aria-label": t("announcement.dismiss"), onclick: () => { annBox.hidden = true; } }, "×"));
    const annLive = h("div", { class: "sr-only", role: "alert" });
    const timerText = h("span", { class: "timer-text", dir: "auto" });
    const timerClock = h("span", { class: "timer-clock" });
    const timerBox = h("div", { class: "timer", hidden: true, id: "timer" }, h("span", { class: "timer-icon", "aria-hidden": "true" }), timerText, timerClock);
    const timerLive = h("div", { class: "sr-only", "aria-live": "polite" });
    let lastSpoken = null;

    function renderTimer() {
      const tm = state.timer;
      timerBox.hidden = !tm;
      if (!tm) { lastSpoken = null; return; }
      const left = Math.max(0, Math.round((tm.ends_at - ctx.now()) / 1000));
      setText(timerText, tm.label || t("timer.defaultLabel"));
      setText(timerClock, left > 0 ? formatCountdown(left) : t("timer.ended"));
      timerBox.classList.toggle("soon", left > 0 && left <= 60);
      timerBox.classList.toggle("ended", left === 0);
      // Speak at set, at 5 and 1 minute, and at the end; never every second.
      const mark = left === 0 ? "end" : left <= 60 ? "1" : left <= 300 ? "5" : "set";
      const key = `${tm.ends_at}:${mark}`;
      if (key !== lastSpoken) {
        const first = lastSpoken == null || !lastSpoken.startsWith(`${tm.ends_at}:`);
        lastSpoken = key;
        if (mark === "end") timerLive.textContent = t("timer.spokenEnded", { label: tm.label });
        else if (first) timerLive.textContent = t("timer.spokenSet", { label: tm.label, time: formatTime(tm.ends_at), minutes: Math.ceil(left / 60) });
        else timerLive.textContent = t("timer.spokenLeft", { label: tm.label, minutes: mark === "1" ? 1 : 5 });
      }
    }
    timerInterval = setInterval(() => { if (state.timer) renderTimer(); }, 1000);

    // ---- session ended ------------------------------------------------------
    endBox = h("div", { class: "ended", hidden: true, role: "alert", tabindex: "-1" });

    // ---- main areas -----------------------------------------------------------
    chat = chatView(ctx);
    ctx.chatEl = chat.el;
    const space = spaceView(ctx);
    const floor = floorView(ctx);
    const people = peopleView(ctx);
    const requests = requestsView(ctx);
    const callv = callView(ctx, call);
    views.push(chat, space, floor, people, requests, callv);

    let hostPanel = null;
    modView = null;
    const tabs = [{ id: "people", label: t("tabs.people"), view: people }];
    const tabList = h("div", { class: "tabs", role: "tablist", "aria-label": t("tabs.label") });
    const tabPanels = h("div", { class: "tab-panels" });
    const tabButtons = new Map();
    const panels = new Map();

    function buildTabs() {
      tabs.length = 1;
      if (isHost(state) && !hostPanel) { hostPanel = hostConsole(ctx); views.push(hostPanel); }
      if (isStaff(state) && !modView) { modView = moderatorView(ctx); views.push(modView); }
      if (hostPanel) tabs.push({ id: "host", label: t("tabs.host"), view: hostPanel });
      if (modView) tabs.push({ id: "moderation", label: t("tabs.moderation"), view: modView });
      tabList.hidden = tabs.length < 2;
    // With tabs, the tab names say what the panel holds.
    sideTitle.classList.toggle("sr-only", tabs.length > 1);
      fill(tabList); fill(tabPanels);
      tabButtons.clear(); panels.clear();
      for (const tab of tabs) {
        const b = h("button", {
          type: "button", role: "tab", id: `tab-${tab.id}`, "aria-controls": `panel-${tab.id}`,
          onclick: () => selectTab(tab.id),
          onkeydown: (e) => {
            const i = tabs.findIndex((x) => x.id === tab.id);
            const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
            if (!d) return;
            e.preventDefault();
            const next = tabs[(i + d + tabs.length) % tabs.length];
            selectTab(next.id); tabButtons.get(next.id).focus();
          },
        }, tab.label);
        const p = h("div", { role: tabs.length > 1 ? "tabpanel" : null, id: `panel-${tab.id}`, "aria-labelledby": tabs.length > 1 ? `tab-${tab.id}` : null, tabindex: tabs.length > 1 ? "0" : null }, tab.view.el);
        tabButtons.set(tab.id, b); panels.set(tab.id, p);
        tabList.append(b); tabPanels.append(p);
      }
      selectTab(current);
    }
    let current = "people";
    function selectTab(id) {
      if (!panels.has(id)) id = "people";
      current = id;
      for (const [tid, b] of tabButtons) {
        setAttr(b, "aria-selected", String(tid === id));
        b.tabIndex = tid === id ? 0 : -1;
        panels.get(tid).hidden = tid !== id;
      }
      if (id === "moderation") modView?.shown();
    }

    const sideTitle = h("h2", { id: "side-title", class: "side-title" }, t("people.title"));
    const side = h("aside", { class: "side", id: "people", "aria-labelledby": "side-title", tabindex: "-1" },
      requests.el,
      h("section", { class: "panel side-panel" }, sideTitle, tabList, tabPanels));

    movedNote = h("p", { class: "moved-note", role: "status" });
    main = h("main", { id: "main", class: "fair", tabindex: "-1" },
      h("div", { class: "col-main" }, movedNote, callv.el, space.el, floor.el),
      side);

    const skip = h("nav", { class: "skip-links", "aria-label": t("skip.label") },
      h("a", { href: "#space" }, t("skip.table")),
      h("a", { href: "#chat-log" }, t("skip.chat")),
      h("a", { href: "#floor" }, t("skip.floor")),
      h("a", { href: "#people" }, t("skip.people")));

    fill(root, skip, header, h("div", { class: "bars" }, annBox, timerBox), endBox, main, notices, annLive, timerLive);

    // ---- state -> views ---------------------------------------------------------
    const base = {
      update(changes) {
        if (changes.has(AREAS.EVENT) && state.event) {
          setText(titleEl, state.event.title);
          document.title = `${state.event.title} · Kohtaamo`;
        }
        if (changes.has(AREAS.ME) && state.me) {
          setText(meEl, state.me.name);
          const p = state.people.get(state.me.id);
          if (p?.status) statusSel.value = p.status;
        }
        if (changes.has(AREAS.TIMER)) renderTimer();
        if (changes.has(AREAS.ANNOUNCEMENT) && state.announcement) {
          const a = state.announcement;
          setText(annText, a.text);
          fill(annMeta, h("bdi", {}, a.name), ` · ${formatTime(a.ts)}`);
          annBox.hidden = false;
          annLive.textContent = t("announcement.spoken", { name: a.name, text: a.text });
        }
        if (changes.has(AREAS.CONN)) renderConn();
      },
    };
    views.unshift(base);

    function renderConn() {
      const c = state.conn;
      connEl.dataset.conn = c;
      const text = {
        [CONN.CONNECTING]: t("conn.connecting"),
        [CONN.CONNECTED]: t("conn.connected"),
        [CONN.RECONNECTING]: t("conn.reconnecting"),
        [CONN.REPLACED]: t("conn.replaced"),
        [CONN.KICKED]: t("conn.kicked"),
        [CONN.REFUSED]: state.connDetail === CONNECT_ERRORS.BANNED ? t("conn.banned") : t("conn.refused"),
        [CONN.CLOSED]: t("conn.closed"),
      }[c];
      setText(connEl.querySelector(".conn-text"), text);
      const ended = [CONN.REPLACED, CONN.KICKED, CONN.CLOSED].includes(c) || (c === CONN.REFUSED && state.connDetail === CONNECT_ERRORS.BANNED);
      main.inert = ended;
      nav.inert = ended;
      endBox.hidden = !ended;
      if (ended) {
        const parts = [h("h2", {}, text)];
        if (c === CONN.KICKED) {
          parts.push(h("p", {}, t("ended.kicked")));
          if (state.connDetail) parts.push(h("p", {}, t("ended.reason", { reason: state.connDetail })));
        } else if (c === CONN.REPLACED) {
          parts.push(h("p", {}, t("ended.replaced")),
            h("button", { type: "button", class: "button primary", onclick: () => { setConnState(CONN.CONNECTING, null, true); conn.reconnect(); } }, t("ended.useHere")));
        } else if (c === CONN.CLOSED) {
          parts.push(h("p", {}, t("ended.closed")),
            h("button", { type: "button", class: "button primary", onclick: () => { setConnState(CONN.CONNECTING, null, true); conn.reconnect(); } }, t("ended.reconnect")));
        } else {
          parts.push(h("p", {}, t("ended.banned")));
        }
        fill(endBox, parts);
        endBox.focus();
      }
    }

    ui = { renderTimer, renderConn, buildTabs, selectTab, tabsBuilt: () => tabButtons.size > 0 };
    if (state.me) buildTabs();
    const all = new Set(Object.values(AREAS));
    for (const v of views) v.update(all);
  }

  function setConnState(c, detail = null, force = false) {
    if (force) { state.conn = c; state.connDetail = detail; ctx.apply(new Set([AREAS.CONN])); return; }
    ctx.apply(setConn(state, c, detail));
  }

  function onMessage(name, payload) {
    if (name === S.POSITIONS && typeof payload?.ts === "number") {
      // Learn the server clock from ticks, for the countdown.
      clockSkew = clockSkew * 0.8 + (payload.ts - Date.now()) * 0.2;
    }
    const hadStaff = isStaff(state);
    const changes = apply(state, name, payload);
    if (name === S.WELCOME) {
      if (isStaff(state) !== hadStaff || !ui.tabsBuilt()) ui.buildTabs();
      loadContacts();
    }
    ctx.apply(changes);
    stageNote(name, payload);
    switch (name) {
      case S.MOVED: {
        const why = payload.reason === MOVE_REASONS.ROOM_CLOSED ? t("moved.closed")
          : payload.reason === MOVE_REASONS.RECALL ? t("moved.recall")
            : t("moved.moderator", { name: payload.by || t("role.moderator") });
        const text = `${why} ${t("moved.now", { title: roomTitle(state, state.here.room) })}`;
        setText(movedNote, text);
        movedNote.hidden = false;
        setTimeout(() => { if (movedNote.textContent === text) movedNote.hidden = true; }, 15000);
        break;
      }
      case S.CARD_REQUESTED: notify(t("cards.requested", { name: payload.from.name })); break;
      case S.CARD_EXCHANGED: notify(t("cards.exchanged", { name: payload.card?.name || "" })); break;
      case S.CARD_DECLINED: notify(t("cards.declined")); break;
      case S.WAVED: notify(t("people.wavedAtYou", { name: payload.from.name }), "wave"); break;
      case S.FLAG_NEW: notify(t("mod.newFlag", { name: state.people.get(payload.person)?.name || "" })); break;
      case S.MUTED: notify(t("chat.youWereMuted")); break;
      case S.UNMUTED: notify(t("chat.youWereUnmuted")); break;
      case S.ERROR: if (payload) ctx.notifyError(payload); break;
      case S.MEDIA_OFFER: call.onOffer(payload); break;
      case S.MEDIA_CANDIDATE_OUT: call.onCandidate(payload); break;
      case S.MEDIA_ENDED: notify(t(`call.ended.${call.onEnded(payload)}`)); break;
      case S.KICKED: case S.REPLACED: call.stop(); break;
      default: break;
    }
  }

  async function loadContacts() {
    const r = await api.contacts(token);
    if (r.ok) ctx.apply(setContacts(state, r.data));
  }

  function onConn(c, detail) {
    if (c === "connected") return; // the welcome that follows sets "connected"
    if (c === "refused") {
      if (detail === CONNECT_ERRORS.UNAUTHORIZED) { conn?.close(); onSignedOut(); return; }
      setConnState(CONN.REFUSED, detail);
      return;
    }
    if (c === "closed") {
      // Kicked or replaced already said why; otherwise the server closed us.
      if (state.conn !== CONN.KICKED && state.conn !== CONN.REPLACED) setConnState(CONN.CLOSED, detail);
      return;
    }
    if (c === "reconnecting") setConnState(CONN.RECONNECTING, detail);
  }

  const call = pageCall(ctx);
  const stageNote = stageNotices(ctx, call);
  buildUI();
  conn = connect(token, { onMessage, onConn });
  // Read by the browser tests: the state, and a way to drop the transport the
  // way a flaky network does (Socket.IO then reconnects by itself).
  window.__kohtaamo = { state, call, dropConnection: () => conn?.socket.io.engine?.close() };

  return {
    /** Redraw everything in another language, keeping the connection. */
    relabel() {
      const focusId = document.activeElement?.id;
      buildUI();
      if (focusId) document.getElementById(focusId)?.focus();
    },
    stop() {
      clearInterval(timerInterval);
      call.stop();
      conn?.close();
    },
  };
}
