// The host console (issue 12): one full-width view in sections, reached by a
// list of section tabs (arrow keys, Home and End move between them): tables,
// stage and speakers, announcements and timer, recall, networking rounds, report,
// moderation.
//
// `hostConsole(ctx)` returns {el, update(changes), relabel(), shown()} like the
// other views; the layout mounts `el` where it wants it. Each section is its own
// module under host/; this one only lays them out and passes updates on.

import { h, fill, setAttr, newId } from "../dom.js";
import { t } from "../i18n.js";
import { tablesSection } from "./tables.js";
import { stageSection } from "./stage.js";
import { announceSection, recallSection } from "./broadcast.js";
import { reportSection } from "./report.js";
import { hostRoundsView } from "../rounds.js";
import { flagsSection, logSection } from "./moderation.js";

const SECTIONS = [
  ["tables", "host.secTables"],
  ["stage", "host.secStage"],
  ["announce", "host.secAnnounce"],
  ["recall", "host.secRecall"],
  ["rounds", "rounds.hostTitle"],
  ["report", "host.secReport"],
  ["moderation", "host.secModeration"],
];

export function hostConsole(ctx) {
  const el = h("div", { class: "host-console" });
  let current = "tables";
  let parts = [];
  let select = () => {};
  const loaded = new Set();

  function build() {
    const uid = newId("hc");
    const tables = tablesSection(ctx);
    const stage = stageSection(ctx);
    const announce = announceSection(ctx);
    const recall = recallSection(ctx);
    const report = reportSection(ctx);
    const rounds = hostRoundsView(ctx);
    const flags = flagsSection(ctx, { onSelect: (id) => ctx.moderate?.(id) });
    const log = logSection(ctx);
    parts = [tables, stage, announce, recall, rounds, report, flags, log];
    const bodies = {
      tables: tables.el, stage: stage.el, announce: announce.el, recall: recall.el, rounds: rounds.el, report: report.el,
      moderation: h("div", { class: "host-cols" }, h("div", { class: "host-box" }, flags.el), h("div", { class: "host-box" }, log.el)),
    };
    // First look at a section loads what it shows from the server.
    const onFirstShow = { report: () => report.load(), moderation: () => { flags.load(); log.load(); } };

    const tabs = new Map();
    const panels = new Map();
    const list = h("div", { class: "host-nav", role: "tablist", "aria-label": t("host.sections"), "aria-orientation": "vertical" });
    for (const [id, key] of SECTIONS) {
      const tab = h("button", {
        type: "button", role: "tab", id: `${uid}-tab-${id}`, "aria-controls": `${uid}-panel-${id}`,
        onclick: () => select(id),
        onkeydown: (e) => {
          const ids = SECTIONS.map(([x]) => x);
          const i = ids.indexOf(id);
          const to = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1, Home: 0, End: ids.length - 1 }[e.key];
          if (to == null) return;
          e.preventDefault();
          const next = ids[(to + ids.length) % ids.length];
          select(next);
          tabs.get(next).focus();
        },
      }, t(key));
      const headId = `${uid}-h-${id}`;
      const panel = h("section", { role: "tabpanel", id: `${uid}-panel-${id}`, "aria-labelledby": `${uid}-tab-${id}`, class: `host-panel host-${id}` },
        h("h3", { id: headId, tabindex: "-1" }, t(key)), bodies[id]);
      tabs.set(id, tab);
      panels.set(id, panel);
      list.append(tab);
    }
    select = (id) => {
      current = id;
      for (const [sid, tab] of tabs) {
        setAttr(tab, "aria-selected", String(sid === id));
        tab.tabIndex = sid === id ? 0 : -1;
        panels.get(sid).hidden = sid !== id;
      }
      if (!loaded.has(id) && onFirstShow[id]) { loaded.add(id); onFirstShow[id](); }
    };
    fill(el,
      h("h2", { class: "host-console-title" }, t("host.console")),
      h("div", { class: "host-layout" }, list, h("div", { class: "host-panels" }, [...panels.values()])));
    loaded.clear();
    select(current);
  }
  build();

  return {
    el,
    /** Show a section by id (tables, stage, announce, recall, report, moderation). */
    show(id) { select(id); },
    shown() { select(current); },
    update(changes) { for (const p of parts) p.update(changes); },
    /** Redraw in the current language, keeping the open section. */
    relabel() {
      build();
      const all = new Set(["rooms", "people", "timer", "flags", "media"]);
      for (const p of parts) p.update(all);
    },
  };
}
