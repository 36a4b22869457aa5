// Table chat and private threads: the table's history on entry, whispers kept
// as one thread per person (with Reply), and a composer that knows when you
// are muted. Message text is set with textContent only.
//
// What is being typed, and to whom, lives in `memory` (made once per fair), so
// a redraw in another language keeps the thread and the half-typed text.

import { h, setText, setAttr, userText, reconcile } from "./dom.js";
import { t, formatTime } from "./i18n.js";
import { AREAS, isMuted, sent } from "./state.js";
import { CLIENT_EVENTS as C, ERROR_CODES } from "./protocol.js";

/** What the chat remembers across redraws. */
export function chatMemory() {
  return { thread: null, draft: "", whispers: new Map(), unread: new Map(), seen: new Set() };
}

export function chatView(ctx, memory = chatMemory()) {
  const list = h("ol", { class: "chat-list" });
  const title = h("h2", { id: "chat-title", class: "chat-title" });
  const log = h("div", { class: "chat-log", id: "chat-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-labelledby": "chat-title", tabindex: "0" }, list);
  const empty = h("p", { class: "chat-empty hint" });
  const threads = h("div", { class: "threads", role: "group", "aria-label": t("chat.threads") });
  const input = h("input", {
    id: "chat-input", type: "text", maxlength: 1000, autocomplete: "off", "aria-describedby": "chat-muted",
    oninput: () => { memory.draft = input.value; },
    onkeydown: (e) => { if (e.key === "Escape" && memory.thread) { e.preventDefault(); openThread(null, true); } },
  });
  input.value = memory.draft;
  const label = h("label", { for: "chat-input", class: "composer-label" });
  const chip = h("div", { class: "whisper-chip", hidden: true },
    h("span", { class: "chip-text" }),
    h("button", { type: "button", class: "link-button", onclick: () => openThread(null, true) }, t("chat.stopWhisper")));
  const mutedNote = h("p", { id: "chat-muted", class: "muted-note", role: "status" });
  const sendBtn = h("button", { type: "submit", class: "button primary" }, t("chat.send"));
  const form = h("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); send(); } },
    chip, label, h("div", { class: "composer-row" }, input, sendBtn), mutedNote);
  const el = h("section", { id: "chat", class: "panel chat", "aria-labelledby": "chat-title", tabindex: "-1" },
    title, threads, empty, log, form);

  const me = () => ctx.state.me?.id;
  const nameOf = (id) => ctx.state.people.get(id)?.name || memory.whispers.get(id)?.name || "";

  /** Show a thread (null: the table) and point the composer at it. */
  function openThread(personId, focus = false) {
    memory.thread = personId;
    if (personId) {
      memory.unread.delete(personId);
      ctx.notifications?.resolve(`whisper:${personId}`);
      if (!memory.whispers.has(personId)) memory.whispers.set(personId, { name: nameOf(personId), messages: [] });
    }
    ctx.onChatThread?.();
    renderThreads();
    renderLog(true);
    if (focus) input.focus();
  }

  function renderHead() {
    const p = memory.thread;
    const name = p ? nameOf(p) : "";
    setText(title, p ? t("chat.privateWith", { name }) : t("chat.title"));
    chip.hidden = !p;
    setText(chip.querySelector(".chip-text"), p ? t("chat.whisperingTo", { name }) : "");
    setText(label, p ? t("chat.labelWhisper", { name }) : t("chat.label"));
    setText(empty, p ? t("chat.privateEmpty", { name }) : t("chat.empty"));
    el.classList.toggle("is-private", !!p);
  }

  function renderThreads() {
    const items = [{ id: "" }, ...[...memory.whispers.keys()].map((id) => ({ id }))];
    threads.hidden = items.length < 2;
    reconcile(threads, items, (x) => x.id || "table",
      (x) => h("button", { type: "button", class: "thread", onclick: () => openThread(x.id || null, true) },
        h("span", { class: "thread-name", dir: "auto" }), h("span", { class: "thread-unread" })),
      (b, x) => {
        setText(b.firstChild, x.id ? nameOf(x.id) : t("chat.tableThread"));
        const n = x.id ? memory.unread.get(x.id) || 0 : 0;
        setText(b.lastChild, n ? String(n) : "");
        b.lastChild.hidden = !n;
        setAttr(b, "aria-pressed", String((memory.thread || "") === x.id));
        setAttr(b, "aria-label", n ? t("chat.threadUnread", { name: x.id ? nameOf(x.id) : t("chat.tableThread"), count: n }) : null);
      });
    renderHead();
  }

  async function send() {
    const text = input.value.trim();
    if (!text) return;
    sendBtn.disabled = true;
    const to = memory.thread;
    // A line is meant for the table it was typed at: the server refuses it
    // (moved) if we are elsewhere by the time it arrives, say after a reconnect.
    const ack = to
      ? await ctx.request(C.WHISPER, { to, text })
      : await ctx.request(C.SAY, { text, room: ctx.state.here?.room });
    sendBtn.disabled = false;
    if (ack.ok) {
      input.value = "";
      memory.draft = "";
      if (to) ctx.notifications?.resolve(`whisper:${to}`);
      if (ack.message) ctx.apply(sent(ctx.state, ack.message));
    } else if (ack.error?.code === ERROR_CODES.MOVED) {
      // Keep the text: the person decides whether it suits this table.
      ctx.notify(t("chat.movedKept"), "error");
    } else {
      if (ack.error?.code === ERROR_CODES.MUTED) renderMuted(true);
      ctx.notifyError(ack.error);
    }
    input.focus();
  }

  /** Whispers go into their person's thread, which outlives a change of table. */
  function collectWhispers() {
    let fresh = false;
    for (const m of ctx.state.chat) {
      if (m.to == null || memory.seen.has(m.id)) continue;
      memory.seen.add(m.id);
      const other = m.from === me() ? m.to : m.from;
      const th = memory.whispers.get(other) || { name: "", messages: [] };
      th.name = m.from === me() ? nameOf(other) || th.name : m.name;
      th.messages.push(m);
      memory.whispers.set(other, th);
      if (m.from !== me() && memory.thread !== other) memory.unread.set(other, (memory.unread.get(other) || 0) + 1);
      fresh = true;
    }
    return fresh;
  }

  let shownThread;
  const rendered = new Set();
  function renderLog(force = false) {
    const fresh = collectWhispers();
    const p = memory.thread;
    const messages = p ? memory.whispers.get(p)?.messages || [] : ctx.state.chat;
    const ids = new Set(messages.map((m) => m.id));
    // Another thread, or the room changed (history replaced): start over.
    if (force || shownThread !== p || [...rendered].some((id) => !ids.has(id))) { list.replaceChildren(); rendered.clear(); }
    shownThread = p;
    for (const m of messages) {
      if (rendered.has(m.id)) continue;
      rendered.add(m.id);
      list.append(messageItem(m));
    }
    empty.hidden = messages.length > 0;
    log.scrollTop = log.scrollHeight;
    if (fresh || force) renderThreads();
  }

  function messageItem(m) {
    const state = ctx.state;
    const mine = m.from === me();
    const whisper = m.to != null;
    let who = m.name;
    if (whisper) {
      const toName = m.to === me() ? t("chat.you") : nameOf(m.to);
      who = t("chat.whisperFromTo", { from: mine ? t("chat.you") : m.name, to: toName });
    }
    const text = userText("p", m.text, { class: "msg-text" });  // a text node, never HTML
    const reply = whisper && !mine && memory.thread !== m.from && state.me
      ? h("button", { type: "button", class: "link-button msg-reply", "aria-label": t("chat.replyTo", { name: m.name }), onclick: () => ctx.reply(m.from) }, t("chat.reply"))
      : null;
    return h("li", { class: `msg${mine ? " mine" : ""}${whisper ? " whisper" : ""}` },
      h("div", { class: "msg-meta" },
        userText("span", who, { class: "msg-name" }),
        h("time", { datetime: new Date(m.ts).toISOString() }, formatTime(m.ts)), reply),
      text);
  }

  function renderMuted(force = false) {
    const st = ctx.state.me;
    const muted = force || isMuted(ctx.state, Date.now());
    input.disabled = muted;
    sendBtn.disabled = muted;
    let text = "";
    if (muted) {
      const until = st?.muted_until;
      text = until ? t("chat.mutedUntil", { time: formatTime(until) }) : t("chat.muted");
      if (st?.muted_by) text += ` ${t("chat.mutedBy", { name: st.muted_by })}`;
    }
    setText(mutedNote, text);
    mutedNote.hidden = !muted;
    form.classList.toggle("is-muted", muted);
  }

  // A mute with an end time ends by itself.
  const mutedTimer = setInterval(() => {
    if (!el.isConnected) { clearInterval(mutedTimer); return; }
    if (ctx.state.me?.muted) renderMuted();
  }, 5000);

  renderThreads();
  return {
    el,
    /** Whisper to someone: their thread, composer focused. */
    whisper: (id) => openThread(id, true),
    thread: () => memory.thread,
    focus: () => input.focus(),
    update(changes) {
      if (changes.has(AREAS.CHAT) || changes.has(AREAS.HERE)) renderLog();
      if (changes.has(AREAS.ME)) renderMuted();
      if (changes.has(AREAS.PEOPLE)) renderThreads();
    },
  };
}
