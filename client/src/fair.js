// The fair once you are in: header with the connection state, announcement and
// timer, and the views (laid out by shell.js). Views subscribe to the areas of
// state.js they draw; this module wires them to the connection, and tells the
// notification centre (notify.js) what waits for an answer.

import { h, fill, setText, setAttr, newId } from "./dom.js";
import { t, LANGS, getLang, formatTime, formatCountdown } from "./i18n.js";
import {
  createState, apply, entered, setConn, setFlags, requestSent, AREAS, CONN,
  isStaff, roomTitle, setContacts, lobbyId,
} from "./state.js";
import { CLIENT_EVENTS as C, SERVER_EVENTS as S, CONNECT_ERRORS, MOVE_REASONS, STATUSES, CLIENT_TIMEOUT } from "./protocol.js";
import { connect } from "./connection.js";
import { floorView } from "./floor.js";
import { spaceView } from "./space.js";
import { chatView, chatMemory } from "./chat.js";
import { peopleView } from "./people.js";
import { requestsView, myCardsView, contactsButtonView, openMyCard, answerRequest } from "./cards.js";
import { moderatorView } from "./host/moderator.js";
import { createNotifications } from "./notify.js";
import { buildShell, layoutMemory, isCompact } from "./shell.js";
import { callView, pageCall } from "./callview.js";
import { roundsView, metView } from "./rounds.js";
import { promptDialog } from "./dialog.js";
import { api } from "./api.js";
import { errorText } from "./errors.js";
import { stageNotices } from "./hands.js";

/** Start the fair in `root`. Returns {stop()}. */
export function startFair(root, { slug, token, onLang, onSignedOut, onErased, onKicked, onBanned }) {
  const state = createState();
  const views = [];
  let conn = null;
  let clockSkew = 0; // server time - local time, learnt from positions ticks
  const chatMem = chatMemory();    // the thread and half-typed text, across redraws
  const layoutMem = layoutMemory();
  const announced = new Map();     // person id -> when their exchange was announced

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
    whisper: (id) => { shell.selectView("chat"); chat.whisper(id); },
    reply: (id) => { shell.selectView("chat"); chat.whisper(id); },
    /** One toast per exchange, whether the ack or the broadcast comes first. */
    announceExchange: (id, name) => {
      const at = announced.get(id);
      if (at && Date.now() - at < 10_000) return;
      announced.set(id, Date.now());
      notify(t("cards.exchanged", { name }));
    },
    // `name`: for someone not on the floor (found by finder.js), not in state.people
    requestCard: async (id, name = "") => {
      const ack = await ctx.request(C.CARD_REQUEST, { to: id });
      if (!ack.ok) { ctx.notifyError(ack.error); return; }
      if (ack.contact) {
        ctx.apply(apply(state, S.CARD_EXCHANGED, ack.contact));
        ctx.announceExchange(id, ack.contact.card?.name || "");
      } else {
        ctx.apply(requestSent(state, id, ack.request));
        notify(t("cards.requestSent", { name: state.people.get(id)?.name || name }));
      }
      // The button pressed became a "requested" badge: keep focus on the person.
      keepFocus(() => document.querySelector(`[aria-controls="actions-${CSS.escape(id)}"]`));
    },
    flag: async (id) => {
      const name = state.people.get(id)?.name || "";
      const reason = await promptDialog({ title: t("flag.title", { name }), label: t("flag.reason"), hint: t("flag.hint"), confirm: t("flag.send"), multiline: true });
      if (!reason) return;
      const ack = await ctx.request(C.FLAG, { person: id, reason });
      if (ack.ok) notify(t("flag.sent")); else ctx.notifyError(ack.error);
    },
    moderate: (id) => { shell.selectTab("moderation"); shell.moderation()?.select(id); },
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

  /** After an action that redrew what had focus, put focus somewhere sensible. */
  function keepFocus(...candidates) {
    const a = document.activeElement;
    if (a && a !== document.body && a.isConnected) return;
    for (const c of candidates) {
      const el = typeof c === "function" ? c() : c;
      if (el?.isConnected) { el.focus(); return; }
    }
    document.getElementById("main")?.focus();
  }

  async function enter(roomId) {
    if (state.here?.room === roomId) { document.getElementById("space")?.focus(); return; }
    const room = state.rooms.get(roomId);
    if (room && !room.open) { notify(t("error.room_closed")); return; }
    const ack = await ctx.request(C.ENTER, { room: roomId });
    if (!ack.ok) { ctx.notifyError(ack.error); return; }
    ctx.apply(entered(state, ack.room));
    notify(t("space.entered", { title: roomTitle(state, roomId) }));
    if (isCompact()) shell.selectView("table");
  }

  let ui = null;
  let shell = null;
  let chat, notices, main, nav, movedNote, endBox, connEl, timerInterval, roundsInterval;
  const notifications = createNotifications(ctx);
  function notify(text, kind = "info") {
    const n = h("div", { class: `notice-item ${kind}` }, text);
    notices?.append(n);
    setTimeout(() => n.remove(), 7000);
  }

  function buildUI() {
    views.length = 0;
    clearInterval(timerInterval);
    clearInterval(roundsInterval);
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
    // On a phone the account controls fold behind a menu button.
    const menuBtn = h("button", {
      type: "button", class: "button menu-toggle", "aria-expanded": "false", "aria-controls": "account",
      onclick: () => { const open = !header.classList.contains("menu-open"); header.classList.toggle("menu-open", open); menuBtn.setAttribute("aria-expanded", String(open)); },
    }, h("span", { class: "menu-icon", "aria-hidden": "true" }), h("span", { class: "sr-only" }, t("layout.menu")));
    nav.id = "account";
    header.append(h("div", { class: "top-end" }, notifications.el, menuBtn));
    notifications.relabel();

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
    ctx.onChatThread = () => shell?.update(new Set([AREAS.CHAT]));
    chat = chatView(ctx, chatMem);
    ctx.chatEl = null;  // the chat is its own region now, beside the table
    const space = spaceView(ctx);
    const floor = floorView(ctx);
    const people = peopleView(ctx);
    const requests = requestsView(ctx);
    const myCards = myCardsView(ctx);
    const callv = callView(ctx, call);
    const roundsV = roundsView(ctx);
    const metV = metView(ctx);
    views.push(chat, space, floor, people, requests, myCards, callv, roundsV, metV);
    roundsInterval = setInterval(() => { if (state.rounds.endsAt) roundsV.tick(); }, 1000);

    movedNote = h("p", { class: "moved-note", role: "status" });
    shell = buildShell(root, ctx, layoutMem, {
      header, bars: h("div", { class: "bars" }, annBox, timerBox), endBox, notices, lives: [annLive, timerLive],
      floor, table: [roundsV, callv, space], chat, people, requests, myCards, met: metV, movedNote,
      makeModeration: () => moderatorView(ctx),
    });
    main = shell.main;
    views.push(shell);

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

    ui = { renderTimer, renderConn, staffBuilt: false };
    if (state.me) { shell.setStaff(views); ui.staffBuilt = true; }
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
      if (isStaff(state) !== hadStaff || !ui.staffBuilt) { shell.setStaff(views); ui.staffBuilt = true; }
      loadContacts();
    }
    ctx.apply(changes);
    stageNote(name, payload);
    if (changes.has(AREAS.REQUESTS)) syncRequestNotices(name === S.WELCOME);
    switch (name) {
      case S.MOVED: {
        const why = payload.reason === MOVE_REASONS.ROOM_CLOSED ? t("moved.closed")
          : payload.reason === MOVE_REASONS.RECALL ? t("moved.recall")
            : t("moved.moderator", { name: payload.by || t("role.moderator") });
        const text = `${why} ${t("moved.now", { title: roomTitle(state, state.here.room) })}`;
        setText(movedNote, text);
        movedNote.hidden = false;
        notifications.push({ kind: "moderation", key: `moved:${Date.now()}`, title: why, body: t("moved.now", { title: roomTitle(state, state.here.room) }) });
        setTimeout(() => { if (movedNote.textContent === text) movedNote.hidden = true; }, 15000);
        break;
      }
      case S.ROUND_SEATED: {
        notifications.resolve("round:ended");
        notify(t("rounds.seated", { round: payload.round, title: roomTitle(state, payload.room.room.id) }));
        if (isCompact()) shell.selectView("table");
        break;
      }
      case S.ROUND_WARNING: notify(t("rounds.warning")); break;
      case S.ROUND_ENDED:
        if ((payload.mates || []).length) {
          notifications.push({ kind: "round", key: "round:ended", title: t("rounds.youMet"),
            body: payload.mates.map((p) => p.name).join(", "),
            actions: [{ label: t("rounds.askAll"), closes: true, run: async () => {
              notifications.resolve("round:ended");
              for (const p of payload.mates) {
                if (!state.contacts.has(p.id) && !state.sentRequests.has(p.id)) await ctx.requestCard(p.id, p.name);
              }
            } }] });
        }
        break;
      case S.CARD_EXCHANGED: ctx.announceExchange(payload.person, payload.card?.name || ""); break;
      case S.CARD_DECLINED: notify(t("cards.declined")); break;
      case S.WAVED: notify(t("people.wavedAtYou", { name: payload.from.name }), "wave"); break;
      case S.WHISPER: if (payload.from !== state.me?.id) noticeWhisper(payload); break;
      case S.FLAG_NEW: {
        const name = state.people.get(payload.person)?.name || "";
        notifications.push({ kind: "flag", key: `flag:${payload.flag}`, title: t("mod.newFlag", { name }), body: payload.reason || "",
          actions: [{ label: t("notify.openModeration"), closes: true, run: () => { ctx.moderate(payload.person); notifications.resolve(`flag:${payload.flag}`); document.getElementById("tab-moderation")?.focus(); } }] });
        break;
      }
      case S.MUTED:
        notifications.push({ kind: "moderation", key: "mod:muted", title: t("chat.youWereMuted"), body: payload?.until ? t("chat.mutedUntil", { time: formatTime(payload.until) }) : "" });
        break;
      case S.UNMUTED: notifications.resolve("mod:muted"); notify(t("chat.youWereUnmuted")); break;
      case S.ERROR: if (payload) ctx.notifyError(payload); break;
      case S.MEDIA_OFFER: call.onOffer(payload); break;
      case S.MEDIA_CANDIDATE_OUT: call.onCandidate(payload); break;
      case S.MEDIA_ENDED: notify(t(`call.ended.${call.onEnded(payload)}`)); break;
      case S.REPLACED: call.stop(); break;
      case S.KICKED: call.stop(); conn?.close(); onKicked?.(payload?.reason || ""); break;
      default: break;
    }
  }

  /** Each pending card request is a notice with Accept and Decline, until answered. */
  function syncRequestNotices(quiet) {
    const live = new Set();
    for (const r of state.requests) {
      const key = `card:${r.request}`;
      live.add(key);
      if (notifications.has(key)) continue;
      notifications.push({
        kind: "card", key, quiet, title: t("cards.requested", { name: r.from.name }),
        body: [r.from.title, r.from.organization].filter(Boolean).join(", "),
        actions: [
          { label: t("cards.accept"), ariaLabel: t("cards.acceptFrom", { name: r.from.name }), run: () => answerRequest(ctx, r, true) },
          { label: t("cards.decline"), ariaLabel: t("cards.declineFrom", { name: r.from.name }), run: () => answerRequest(ctx, r, false) },
        ],
      });
    }
    for (const key of notifications.keys("card:")) if (!live.has(key)) notifications.resolve(key);
  }

  function noticeWhisper(m) {
    if (chat?.thread() === m.from && (!isCompact() || layoutMem.view === "chat")) return; // reading it already
    notifications.push({
      kind: "whisper", key: `whisper:${m.from}`, title: t("chat.whisperFrom", { name: m.name }), body: m.text,
      actions: [{ label: t("chat.reply"), ariaLabel: t("chat.replyTo", { name: m.name }), closes: true, run: () => ctx.reply(m.from) }],
    });
  }

  async function loadContacts() {
    const r = await api.contacts(token);
    if (r.ok) ctx.apply(setContacts(state, r.data));
  }

  function onConn(c, detail) {
    if (c === "connected") return; // the welcome that follows sets "connected"
    if (c === "refused") {
      if (detail === CONNECT_ERRORS.UNAUTHORIZED) { conn?.close(); onSignedOut(); return; }
      if (detail === CONNECT_ERRORS.BANNED && onBanned) { conn?.close(); onBanned(); return; }
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
      clearInterval(roundsInterval);
      call.stop();
      conn?.close();
    },
  };
}
