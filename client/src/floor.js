// The floor: every table as a card (a button) with its count, seats and faces.

import { h, reconcile, setText, setAttr, avatarColour } from "./dom.js";
import { t } from "./i18n.js";
import { AREAS, roomsInOrder, peopleIn, initials } from "./state.js";
import { ROOM_KINDS } from "./protocol.js";

const MAX_FACES = 6;

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
      type: "button", class: "table-card", "aria-describedby": themeId,
      onclick: () => ctx.enter(room.id),
    },
    // Grid items are blocks and a browser puts a space around blocks when it
    // computes the name, so the commas are CSS alt text (`content: "" / ","`).
    h("span", { class: "table-title", dir: "auto" }),
    h("span", { class: "seats" }),
    h("span", { class: "badges" },
      h("span", { class: "badge closed-badge" }),
      h("span", { class: "badge here-badge" })),
    h("span", { class: "table-theme", id: themeId, "aria-hidden": "true", dir: "auto" }),
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
    const key = people.slice(0, MAX_FACES).map((p) => p.id + p.name).join("|") + people.length;
    if (faces.dataset.key !== key) {
      faces.dataset.key = key;
      faces.replaceChildren(
        ...people.slice(0, MAX_FACES).map((p) => {
          const a = h("span", { class: "face", title: p.name, dir: "auto" }, initials(p.name));
          a.style.backgroundColor = avatarColour(p.id);
          return a;
        }),
        ...(people.length > MAX_FACES ? [h("span", { class: "face more" }, `+${people.length - MAX_FACES}`)] : []));
    }
  };

  return {
    el,
    update(changes) {
      if (!changes.has(AREAS.ROOMS) && !changes.has(AREAS.PEOPLE) && !changes.has(AREAS.HERE)) return;
      reconcile(list, roomsInOrder(ctx.state), (r) => r.id, create, update);
    },
  };
}
