// The fair's layout: the venue first. On a laptop the floor, your table (its
// call and space) and its chat share one screen and each scrolls inside itself;
// people, cards and moderation are tabs in a side column (a drawer below
// 90rem). On a phone (below 70rem) one view at a time, chosen from a bottom bar
// (Floor, Table, Chat, People, Cards) with badges for unread chat and card
// requests. Hosts open a full-width host console from the header.

import { h, fill, setText, setAttr } from "./dom.js";
import { t } from "./i18n.js";
import { AREAS, isStaff, isHost } from "./state.js";
import { hostConsole } from "./host/console.js";

export const COMPACT = "(max-width: 69.99rem)";
const DRAWER = "(min-width: 70rem) and (max-width: 89.99rem)";
const VIEWS = ["floor", "table", "chat", "people", "cards"];

/** What the layout remembers across redraws (a language switch). */
export function layoutMemory() {
  return { view: "table", tab: "people", drawer: false, host: false, unread: 0, chatIds: new Set() };
}

const media = (q) => (typeof matchMedia === "function" ? matchMedia(q).matches : false);
export const isCompact = () => media(COMPACT);

/**
 * Lay the parts out in `root`. parts: {header, bars, endBox, notices, lives,
 * floor, table, chat, people, requests, myCards, met, moderation}. Returns the
 * controls the fair needs: {main, view, selectTab, selectView, setStaff, update}.
 */
export function buildShell(root, ctx, mem, parts) {
  const { floor, table, chat, people, requests, myCards } = parts;
  let modView = parts.moderation || null;
  let hostPanel = null;

  // ---- side column: People | Cards | Moderation ------------------------------
  const tabList = h("div", { class: "tabs", role: "tablist", "aria-label": t("tabs.label") });
  const tabButtons = new Map();
  const panels = new Map();
  const cardsCount = countBadge("tab-count");
  const sideTitle = h("h2", { id: "side-title", class: "sr-only", tabindex: "-1" }, t("tabs.label"));
  const closeDrawer = h("button", { type: "button", class: "icon-button drawer-close", "aria-label": t("layout.closeSide"), onclick: () => toggleDrawer(false, true) }, "×");
  const panelBox = h("div", { class: "tab-panels" });
  const side = h("aside", {
    class: "region region-side panel", id: "people", "aria-labelledby": "side-title", tabindex: "-1",
    onkeydown: (e) => { if (e.key === "Escape" && media(DRAWER) && mem.drawer) { e.stopPropagation(); toggleDrawer(false, true); } },
  }, h("div", { class: "side-head" }, sideTitle, tabList, closeDrawer), panelBox);

  function tabsFor() {
    const tabs = [
      { id: "people", label: t("tabs.people"), body: people.el },
      { id: "cards", label: t("tabs.cards"), body: h("div", { class: "cards-tab" }, requests.el, myCards.el, h("p", { class: "hint cards-none" }, t("cards.noneWaiting")), parts.met?.el) },
    ];
    if (modView) tabs.push({ id: "moderation", label: t("tabs.moderation"), body: modView.el });
    return tabs;
  }

  function buildTabs() {
    const tabs = tabsFor();
    fill(tabList); fill(panelBox);
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
      }, tab.label, tab.id === "cards" ? cardsCount : null);
      const p = h("div", { role: "tabpanel", id: `panel-${tab.id}`, class: "tab-panel", "aria-labelledby": `tab-${tab.id}`, tabindex: "0" }, tab.body);
      tabButtons.set(tab.id, b); panels.set(tab.id, p);
      tabList.append(b); panelBox.append(p);
    }
    selectTab(mem.tab);
  }

  function selectTab(id) {
    if (!panels.has(id)) id = "people";
    mem.tab = id;
    for (const [tid, b] of tabButtons) {
      setAttr(b, "aria-selected", String(tid === id));
      b.tabIndex = tid === id ? 0 : -1;
      panels.get(tid).hidden = tid !== id;
    }
    if (id === "moderation") modView?.shown();
    // On a phone the bottom bar follows the tab (Moderation stays under People).
    if ((id === "people" || id === "cards") && (mem.view === "people" || mem.view === "cards")) {
      mem.view = id;
      main.dataset.view = id;
    }
    renderBar();
  }

  // ---- the drawer (side column on a mid-sized screen) --------------------------
  const sideToggle = h("button", {
    type: "button", class: "button side-toggle", "aria-controls": "people", "aria-expanded": "false",
    onclick: () => toggleDrawer(!mem.drawer, true),
  }, t("layout.people"), countBadge("tab-count"));

  function toggleDrawer(open, focus = false) {
    mem.drawer = open;
    side.classList.toggle("open", open);
    setAttr(sideToggle, "aria-expanded", String(open));
    if (focus) (open ? tabButtons.get(mem.tab) : sideToggle)?.focus();
  }

  // ---- regions and the phone's bottom bar --------------------------------------
  const movedNote = parts.movedNote;
  const main = h("main", { id: "main", class: "fair", tabindex: "-1", dataset: { view: mem.view } },
    h("section", { class: "region region-floor", "aria-label": t("layout.floor") }, floor.el),
    h("div", { class: "region region-table" }, movedNote, table.map((v) => v.el)),
    h("div", { class: "region region-chat" }, chat.el),
    side);

  const barButtons = new Map();
  const badges = new Map();
  const bar = h("nav", { class: "bottombar", "aria-label": t("layout.views") },
    VIEWS.map((v) => {
      const badge = countBadge("bar-badge");
      const b = h("button", { type: "button", class: `bar-item bar-${v}`, onclick: () => selectView(v, true) },
        h("span", { class: "bar-icon", "aria-hidden": "true" }), h("span", { class: "bar-label" }, t(`layout.${v}`)), badge);
      barButtons.set(v, b); badges.set(v, badge);
      return b;
    }));

  const regionFor = { floor: "#floor", table: "#here", chat: "#chat", people: "#people", cards: "#people" };
  /** Show one view on a phone (on a laptop: open the side for people and cards). */
  function selectView(v, focus = false) {
    if (!VIEWS.includes(v)) v = "table";
    mem.view = v;
    main.dataset.view = v;
    if (v === "people" || v === "cards") {
      if (!(v === "people" && mem.tab === "moderation")) selectTab(v);
      if (media(DRAWER)) toggleDrawer(true);
    }
    if (v === "chat") { mem.unread = 0; }
    renderBar();
    if (focus) {
      const target = v === "people" || v === "cards" ? tabButtons.get(mem.tab) : root.querySelector(regionFor[v]);
      target?.focus({ preventScroll: true });
    }
  }

  function renderBar() {
    for (const [v, b] of barButtons) {
      setAttr(b, "aria-current", v === mem.view ? "page" : null);
    }
    const reqs = ctx.state.requests.length;
    const unread = mem.unread;
    setBadge(badges.get("chat"), unread, "layout.unread");
    setBadge(badges.get("cards"), reqs, "layout.pending");
    setBadge(cardsCount, reqs, "layout.pending");
    setBadge(sideToggle.querySelector(".count-wrap"), reqs, "layout.pending");
  }

  // A badge shows a number; screen readers hear ", 2 card requests" as part of
  // the button's own name.
  function countBadge(cls) {
    return h("span", { class: "count-wrap" }, h("span", { class: cls, "aria-hidden": "true", hidden: true }), h("span", { class: "sr-only" }));
  }

  function setBadge(wrap, n, key) {
    const [shown, spoken] = wrap.children;
    setText(shown, n > 99 ? "99+" : String(n));
    shown.hidden = !n;
    setText(spoken, n ? ` (${t(key, { count: n })})` : "");
  }

  // ---- the host console: full width, in place of the fair -----------------------
  const hostBtn = h("button", { type: "button", class: "button host-toggle", "aria-pressed": "false", hidden: true, onclick: () => showHost(!mem.host, true) }, t("layout.hostConsole"));
  const hostMount = h("div", { class: "host-mount" });
  const hostSection = h("section", { id: "host-console", class: "host-console", "aria-labelledby": "host-console-title", tabindex: "-1", hidden: true },
    h("div", { class: "host-console-head" },
      h("h2", { id: "host-console-title" }, t("layout.hostConsole")),
      h("button", { type: "button", class: "button", onclick: () => showHost(false, true) }, t("layout.backToFair"))),
    hostMount);

  function showHost(on, focus = false) {
    mem.host = on && !!hostPanel;
    hostSection.hidden = !mem.host;
    main.hidden = mem.host;
    bar.hidden = mem.host;
    setAttr(hostBtn, "aria-pressed", String(mem.host));
    if (focus) (mem.host ? hostSection : hostBtn).focus();
  }

  /** Staff get their views once the welcome says who they are. */
  function setStaff(views) {
    if (isHost(ctx.state) && !hostPanel) {
      hostPanel = hostConsole(ctx);
      views.push(hostPanel);
      fill(hostMount, hostPanel.el);
    }
    hostBtn.hidden = !hostPanel;
    if (isStaff(ctx.state) && !modView) {
      modView = parts.makeModeration();
      views.push(modView);
    }
    side.classList.toggle("has-mod", !!modView);
    buildTabs();
    showHost(mem.host);
    return modView;
  }

  // Skip links reach a region on any screen: on a phone they switch to its view.
  const skip = h("nav", { class: "skip-links", "aria-label": t("skip.label") },
    [["#space", "skip.table", "table"], ["#chat-log", "skip.chat", "chat"], ["#floor", "skip.floor", "floor"], ["#people", "skip.people", "people"]]
      .map(([href, key, v]) => h("a", { href, onclick: () => { if (isCompact()) selectView(v); else if (v === "people") toggleDrawer(true); } }, t(key))));

  parts.header.querySelector(".top-end").prepend(hostBtn, sideToggle);
  root.classList.add("in-fair");
  fill(root, skip, parts.header, parts.bars, parts.endBox, main, hostSection, bar, parts.notices, ...parts.lives);

  buildTabs();
  toggleDrawer(mem.drawer && media(DRAWER));

  return {
    main,
    side,
    selectTab,
    selectView,
    setStaff,
    showHost,
    moderation: () => modView,
    /** After `enter` on a phone, the table is where you want to be. */
    update(changes) {
      if (changes.has(AREAS.CHAT)) {
        const mine = ctx.state.me?.id;
        let fresh = 0;
        for (const m of ctx.state.chat) {
          if (mem.chatIds.has(m.id)) continue;
          mem.chatIds.add(m.id);
          if (m.from !== mine) fresh += 1;
        }
        const chatShown = !isCompact() || mem.view === "chat";
        if (!chatShown && mem.primed) mem.unread += fresh;
        mem.primed = true;
      }
      if (changes.has(AREAS.CHAT) || changes.has(AREAS.REQUESTS)) renderBar();
    },
  };
}
