// Raised hands on the stage (issue 12): the attendee's "Raise hand" toggle, the
// hosts' list of raised hands in the order they went up (invite to speak, or
// dismiss), and the notices: an invitation to speak, a hand dismissed or
// lowered because its owner left the stage.
//
// The views read ctx.state (state.js keeps `hand` and `hands`); requests go
// through ctx.request. The hosts' list is mounted in the call view for now; a
// host console may mount `handsView(ctx).el` instead.

import { h, setText, setAttr, reconcile, newId, userText } from "./dom.js";
import { t, formatTime } from "./i18n.js";
import { AREAS, setHand, mayRaiseHand, isHost, lobbyId } from "./state.js";
import { CLIENT_EVENTS as C, SERVER_EVENTS as S, ERROR_CODES, HAND_LOWERED } from "./protocol.js";

/**
 * The "Raise hand" toggle (aria-pressed says whether the hand is up), shown on
 * the stage to everyone but hosts. `say(key)` writes the call bar's status line.
 */
export function handButton(ctx, say) {
  const el = h("button", {
    type: "button", class: "button toggle hand-toggle", "aria-pressed": "false", hidden: true,
    onclick: toggle,
  }, t("hand.raise"));

  async function toggle() {
    const up = !ctx.state.hand?.raised;
    el.disabled = true;
    const ack = await ctx.request(up ? C.HAND_RAISE : C.HAND_LOWER, {});
    el.disabled = false;
    el.focus();
    if (!ack.ok) {
      if (ack.error?.code === ERROR_CODES.CONFLICT) say("hand.notHere");
      else ctx.notifyError(ack.error);
      return;
    }
    ctx.apply(setHand(ctx.state, ack.hand));
    say(up ? "hand.raised" : "hand.loweredSelf");
  }

  function render() {
    el.hidden = !mayRaiseHand(ctx.state);
    setAttr(el, "aria-pressed", String(!!ctx.state.hand?.raised));
  }

  return {
    el,
    update(changes) {
      if ([AREAS.HANDS, AREAS.HERE, AREAS.ME, AREAS.ROOMS].some((a) => changes.has(a))) render();
    },
  };
}

/** Hosts: raised hands, the oldest first, each with its time, Invite and Dismiss. */
export function handsView(ctx) {
  const titleId = newId("hands");
  const heading = h("h3", { id: titleId, tabindex: "-1" }, t("hands.title"));
  const count = h("p", { class: "hands-count" });
  const news = h("p", { class: "sr-only", "aria-live": "polite" });
  const empty = h("p", { class: "hint" }, t("hands.empty"));
  const list = h("ol", { class: "hands-list" });
  const el = h("section", { class: "hands", "aria-labelledby": titleId, hidden: true },
    heading, count, news, empty, list);
  let known = null; // people whose hands were up at the last draw
  let refocus = null; // after an action: the place in the list to put focus back

  function nameOf(item) {
    return ctx.state.people.get(item.person)?.name || item.name || "";
  }

  async function act(item, invite) {
    refocus = [...list.children].findIndex((li) => li.dataset.key === item.person);
    const name = nameOf(item);
    if (invite) {
      await ctx.stage(item.person, true);
    } else {
      const ack = await ctx.request(C.HAND_DISMISS, { person: item.person });
      if (ack.ok) ctx.notify(t("hands.dismissedWho", { name }));
      else ctx.notifyError(ack.error);
    }
    render();
  }

  function create(item) {
    const li = h("li", { class: "hand-item" },
      h("span", { class: "hand-who" }, userText("bdi", "", { class: "hand-name" }), h("span", { class: "hand-at" })),
      h("span", { class: "hand-actions" },
        h("button", { type: "button", class: "button small primary", dataset: { act: "invite" }, onclick: () => act(item, true) }, t("hands.invite")),
        h("button", { type: "button", class: "button small quiet", dataset: { act: "dismiss" }, onclick: () => act(item, false) }, t("hands.dismiss"))));
    return li;
  }

  function refresh(li, item) {
    const name = nameOf(item);
    setText(li.querySelector(".hand-name"), name);
    setText(li.querySelector(".hand-at"), t("hands.since", { time: formatTime(item.at) }));
    setAttr(li.querySelector("[data-act=invite]"), "aria-label", t("hands.inviteWho", { name }));
    setAttr(li.querySelector("[data-act=dismiss]"), "aria-label", t("hands.dismissWho", { name }));
  }

  function render() {
    const host = isHost(ctx.state);
    el.hidden = !host;
    if (!host) return;
    const hands = ctx.state.hands;
    reconcile(list, hands, (x) => x.person, create, refresh);
    empty.hidden = hands.length > 0;
    list.hidden = hands.length === 0;
    setText(count, hands.length ? t("hands.count", { count: hands.length }) : "");
    const before = known;
    known = new Set(hands.map((x) => x.person));
    const fresh = before ? hands.filter((x) => !before.has(x.person)) : [];
    if (fresh.length) setText(news, fresh.map((x) => t("hands.new", { name: nameOf(x) })).join(" "));
    if (refocus != null && !list.querySelector(":focus")) {
      const li = list.children[Math.min(refocus, list.children.length - 1)];
      (li?.querySelector("button") || heading).focus();
      refocus = null;
    }
  }

  return {
    el,
    update(changes) {
      if ([AREAS.HANDS, AREAS.ME, AREAS.PEOPLE].some((a) => changes.has(a))) render();
    },
  };
}

/**
 * What the person hears about the stage: an invitation to speak as an
 * actionable notice (ctx.notifications when the page has them, else a toast),
 * and why their hand went down when it was not their doing. Feed it every
 * server message after state.js has applied it.
 */
export function stageNotices(ctx, call) {
  let wasSpeaker = false;
  return (name, payload) => {
    const me = ctx.state.me?.id;
    if (name === S.WELCOME) {
      wasSpeaker = ctx.state.speakers.has(me);
    } else if (name === S.STAGE) {
      const now = !!payload?.speakers?.includes(me);
      if (now && !wasSpeaker) invitation(ctx, call);
      if (!now && wasSpeaker) ctx.notifications?.resolve?.("stage:invited");
      wasSpeaker = now;
    } else if (name === S.HAND && payload && !payload.raised) {
      if (payload.reason === HAND_LOWERED.DISMISSED) ctx.notify(t("hand.dismissed"));
      else if (payload.reason === HAND_LOWERED.LEFT) ctx.notify(t("hand.left"));
    }
  };
}

function invitation(ctx, call) {
  const body = t("stage.youAreSpeaker");
  if (!ctx.notifications?.push) { ctx.notify(body); return; }
  const toStage = () => { const lobby = lobbyId(ctx.state); if (lobby) ctx.enter(lobby); };
  const actions = [{ label: t("stage.goToStage"), run: toStage }];
  if (ctx.state.event?.media?.enabled && call) {
    actions.push({
      label: t("call.audioStart"),
      run: async () => {
        if (ctx.state.here?.room !== lobbyId(ctx.state)) await toStage();
        if (!call.listening) await call.listen();
        await call.update({ audio: true });
      },
    });
  }
  ctx.notifications.push({ kind: "stage", key: "stage:invited", title: t("stage.invitationTitle"), body, actions });
}
