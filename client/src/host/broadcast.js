// What a host says to everyone: the announcement, the timer, and the recall.

import { h, setText, newId } from "../dom.js";
import { t, formatTime } from "../i18n.js";
import { AREAS } from "../state.js";
import { CLIENT_EVENTS as C } from "../protocol.js";
import { confirmDialog } from "../dialog.js";

export const field = (label, input, hint) => {
  const id = input.id || newId("in");
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "hint" }, hint) : null);
};

export const acked = (ctx) => (ack, msg) => {
  if (ack.ok) { if (msg) ctx.notify(msg); return true; }
  ctx.notifyError(ack.error);
  return false;
};

export function announceSection(ctx) {
  const ok = acked(ctx);
  const annText = h("textarea", { rows: 3, maxlength: 1000, required: true });
  const announceForm = h("form", {
    class: "stack",
    onsubmit: async (e) => {
      e.preventDefault();
      const text = annText.value.trim();
      if (!text) { annText.focus(); return; }
      if (ok(await ctx.request(C.ANNOUNCE, { text }), t("host.announced"))) annText.value = "";
    },
  }, field(t("host.announceText"), annText), h("div", { class: "row" }, h("button", { type: "submit", class: "button primary" }, t("host.announce"))));

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

  const annId = newId("h");
  const timerId = newId("h");
  return {
    el: h("div", { class: "host-cols" },
      h("section", { class: "host-box", "aria-labelledby": annId }, h("h4", { id: annId }, t("host.announceTitle")), announceForm),
      h("section", { class: "host-box", "aria-labelledby": timerId }, h("h4", { id: timerId }, t("host.timerTitle")), timerForm)),
    update(changes) {
      if (changes.has(AREAS.TIMER)) {
        const tm = ctx.state.timer;
        setText(timerNow, tm ? t("host.timerRunning", { label: tm.label, time: formatTime(tm.ends_at) }) : t("host.noTimer"));
      }
    },
  };
}

export function recallSection(ctx) {
  const ok = acked(ctx);
  const recall = h("button", {
    type: "button", class: "button primary",
    onclick: async () => {
      if (await confirmDialog({ title: t("host.recallTitle"), text: t("host.recallText"), confirm: t("host.recall") })) {
        ok(await ctx.request(C.RECALL, {}), t("host.recalled"));
      }
    },
  }, t("host.recall"));
  return { el: h("div", { class: "stack" }, h("p", {}, t("host.recallText")), h("div", { class: "row" }, recall)), update() {} };
}
