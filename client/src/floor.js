// The floor: every table as a card (a button) with its count, seats and faces.
// A card shows at most MAX_FACES faces and then "+N", on a row of their own so
// they never cover the count, and its free seats as a row of pips.

import { h, reconcile, setText, setAttr } from "./dom.js";
import { t } from "./i18n.js";
import { AREAS, roomsInOrder, peopleIn } from "./state.js";
import { ROOM_KINDS } from "./protocol.js";
import { paintFace } from "./avatar.js";
import { tableMatch } from "./rounds.js";

export const MAX_FACES = 5;
/** At most this many circles in a card's row: faces, "+N", then an empty one per free seat. */
const MAX_CIRCLES = 8;

export function floorView(ctx) {
  const list = h("ul", { class: "tables", role: "list" });
  const el = h("section", { id: "floor", class: "panel floor", "aria-labelledby": "floor-title", tabindex: "-1" },
    h("div", { class: "panel-head" },
      h("h2", { id: "floor-title" }, t("floor.title")),
      h("p", { class: "hint" }, t("floor.hint"))),
    list);

  // The accessible name comes from the visible text, in reading order
  // ("Työllisyys, 3 / 12 seated, Closed"); CSS grid places the parts.
  const create = (room) => {
    const themeId = `theme-${room.id}`;
    const button = h("button", {
      type: "button", class: "table-card", "aria-describedby": `${themeId} match-${room.id}`,
      onclick: () => ctx.enter(room.id),
    },
    // Grid items are blocks and a browser puts a space around blocks when it
    // computes the name, so the commas are CSS alt text (`content: "" / ","`).
    h("span", { class: "table-title", dir: "auto" }),
    // the count, and the free seats it implies (the name says the count already)
    h("span", { class: "foot" },
      h("span", { class: "seats" }),
      h("span", { class: "free", "aria-hidden": "true" })),
    h("span", { class: "badges" },
      h("span", { class: "badge closed-badge" }),
      h("span", { class: "badge here-badge" })),
    h("span", { class: "table-theme", id: themeId, "aria-hidden": "true", dir: "auto" }),
    // people here who share my interests (issue 13), read after the theme
    h("span", { class: "table-match", id: `match-${room.id}` }),
    h("span", { class: "faces", "aria-hidden": "true" }));
    return h("li", {}, button);
  };

  const update = (li, room) => {
    const state = ctx.state;
    const here = state.here?.room === room.id;
    const button = li.firstChild;
    const full = room.capacity != null && room.count >= room.capacity;
    li.className = [room.kind === ROOM_KINDS.LOBBY ? "lobby" : "", !room.open ? "is-closed" : "", here ? "is-here" : "", full ? "is-full" : ""].join(" ").trim();
    setAttr(button, "aria-current", here ? "location" : null);
    setAttr(button, "aria-disabled", !room.open && !here ? "true" : null);
    setText(button.querySelector(".table-title"), room.title);
    setText(button.querySelector(".table-theme"), room.theme || (room.kind === ROOM_KINDS.LOBBY ? t("floor.lobbyTheme") : ""));
    setText(button.querySelector(".table-match"), room.kind === ROOM_KINDS.LOBBY ? "" : tableMatch(state, room.id));
    setText(button.querySelector(".seats"), room.capacity == null
      ? t("floor.seatedNoLimit", { count: room.count })
      : t("floor.seated", { count: room.count, capacity: room.capacity }));
    const status = !room.open ? t("floor.closed") : full ? t("floor.full") : "";
    const closed = button.querySelector(".closed-badge");
    setText(closed, status);
    closed.hidden = !status;
    const hereBadge = button.querySelector(".here-badge");
    setText(hereBadge, t("floor.youAreHere"));
    hereBadge.hidden = !here;
    button.classList.toggle("has-badge", !!status || here);
    const faces = button.querySelector(".faces");
    const people = peopleIn(state, room.id);
    const shown = people.slice(0, MAX_FACES);
    const free = room.capacity == null || !room.open ? null : Math.max(0, room.capacity - room.count);
    const circles = shown.length + (people.length > MAX_FACES ? 1 : 0);
    const empty = free == null ? 0 : Math.min(free, Math.max(0, MAX_CIRCLES - circles));
    const key = `${shown.map((p) => `${p.id}:${p.name}:${p.photo || ""}`).join("|")}|${people.length}|${empty}`;
    if (faces.dataset.key !== key) {
      faces.dataset.key = key;
      faces.replaceChildren(
        ...shown.map((p) => {
          const a = h("span", { class: "face", title: p.name, dir: "auto" });
          paintFace(a, p);
          return a;
        }),
        ...(people.length > MAX_FACES ? [h("span", { class: "face more" }, `+${people.length - MAX_FACES}`)] : []),
        ...Array.from({ length: empty }, () => h("span", { class: "face seat-free" })));
    }
    const freeEl = button.querySelector(".free");
    freeEl.hidden = !free; // none: the Full badge says so
    setText(freeEl, free ? t("floor.free", { count: free }) : "");
  };

  return {
    el,
    update(changes) {
      if (!changes.has(AREAS.ROOMS) && !changes.has(AREAS.PEOPLE) && !changes.has(AREAS.HERE)) return;
      reconcile(list, roomsInOrder(ctx.state), (r) => r.id, create, update);
    },
  };
}
