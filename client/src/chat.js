// Table chat: history on entry, whispers, and a composer that knows when you
// are muted. Message text is set with textContent only.

import { h, setText, newId, userText } from "./dom.js";
import { t, formatTime } from "./i18n.js";
import { AREAS, isMuted, sent } from "./state.js";
import { CLIENT_EVENTS as C, ERROR_CODES } from "./protocol.js";

export function chatView(ctx) {
  let whisperTo = null;  // person id
  const inputId = newId("msg");
  const list = h("ol", { class: "chat-list" });
  const log = h("div", { class: "chat-log", id: "chat-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-labelledby": "chat-title", tabindex: "0" }, list);
  const empty = h("p", { class: "chat-empty hint" }, t("chat.empty"));
  const input = h("input", { id: inputId, type: "text", maxlength: 1000, autocomplete: "off", "aria-describedby": "chat-muted" });
  const label = h("label", { for: inputId, class: "composer-label" });
  const chip = h("div", { class: "whisper-chip", hidden: true },
    h("span", { class: "chip-text" }),
    h("button", { type: "button", class: "link-button", onclick: () => setWhisper(null) }, t("chat.stopWhisper")));
  const mutedNote = h("p", { id: "chat-muted", class: "muted-note", role: "status" });
  const sendBtn = h("button", { type: "submit", class: "button primary" }, t("chat.send"));
  const form = h("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); send(); } },
    chip, label, h("div", { class: "composer-row" }, input, sendBtn), mutedNote);
  const el = h("section", { id: "chat", class: "chat", "aria-labelledby": "chat-title", tabindex: "-1" },
    h("h3", { id: "chat-title" }, t("chat.title")), empty, log, form);

  function setWhisper(personId) {
    whisperTo = personId;
    const p = personId && ctx.state.people.get(personId);
    chip.hidden = !p;
    setText(chip.querySelector(".chip-text"), p ? t("chat.whisperingTo", { name: p.name }) : "");
    setText(label, p ? t("chat.labelWhisper", { name: p.name }) : t("chat.label"));
    if (p) input.focus();
  }
  setWhisper(null);

  async function send() {
    const text = input.value.trim();
    if (!text) return;
    sendBtn.disabled = true;
    // A line is meant for the table it was typed at: the server refuses it
    // (moved) if we are elsewhere by the time it arrives, say after a reconnect.
    const ack = whisperTo
      ? await ctx.request(C.WHISPER, { to: whisperTo, text })
      : await ctx.request(C.SAY, { text, room: ctx.state.here?.room });
    sendBtn.disabled = false;
    if (ack.ok) {
      input.value = "";
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

  const rendered = new Set();
  function renderLog() {
    const state = ctx.state;
    const ids = new Set(state.chat.map((m) => m.id));
    // Room changed (history replaced): start over.
    if ([...rendered].some((id) => !ids.has(id))) { list.replaceChildren(); rendered.clear(); }
    for (const m of state.chat) {
      if (rendered.has(m.id)) continue;
      rendered.add(m.id);
      list.append(messageItem(m));
    }
    empty.hidden = state.chat.length > 0;
    log.scrollTop = log.scrollHeight;
  }

  function messageItem(m) {
    const state = ctx.state;
    const mine = m.from === state.me?.id;
    const whisper = m.to != null;
    let who = m.name;
    if (whisper) {
      const toName = m.to === state.me?.id ? t("chat.you") : state.people.get(m.to)?.name || "";
      who = t("chat.whisperFromTo", { from: mine ? t("chat.you") : m.name, to: toName });
    }
    const text = userText("p", m.text, { class: "msg-text" });  // a text node, never HTML
    return h("li", { class: `msg${mine ? " mine" : ""}${whisper ? " whisper" : ""}` },
      h("div", { class: "msg-meta" },
        userText("span", who, { class: "msg-name" }),
        h("time", { datetime: new Date(m.ts).toISOString() }, formatTime(m.ts))),
      text);
  }

  function renderMuted(force = false) {
    const me = ctx.state.me;
    const muted = force || isMuted(ctx.state, Date.now());
    input.disabled = muted;
    sendBtn.disabled = muted;
    let text = "";
    if (muted) {
      const until = me?.muted_until;
      text = until ? t("chat.mutedUntil", { time: formatTime(until) }) : t("chat.muted");
      if (me?.muted_by) text += ` ${t("chat.mutedBy", { name: me.muted_by })}`;
    }
    setText(mutedNote, text);
    mutedNote.hidden = !muted;
    form.classList.toggle("is-muted", muted);
  }

  // A mute with an end time ends by itself.
  setInterval(() => { if (ctx.state.me?.muted) renderMuted(); }, 5000);

  return {
    el,
    whisper: setWhisper,
    focus: () => input.focus(),
    update(changes) {
      if (changes.has(AREAS.CHAT) || changes.has(AREAS.HERE)) renderLog();
      if (changes.has(AREAS.ME)) renderMuted();
      if (changes.has(AREAS.PEOPLE) && whisperTo && !ctx.state.people.has(whisperTo)) setWhisper(null);
    },
  };
}
