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

  const create = (room) => {
    const themeId = `theme-${room.id}`;
    const button = h("button", {
      type: "button", class: "table-card", "aria-describedby": themeId,
      onclick: () => ctx.enter(room.id),
    },
    h("span", { class: "table-top" },
      h("span", { class: "table-title" }),
      h("span", { class: "badge closed-badge" }),
      h("span", { class: "badge here-badge" })),
    h("span", { class: "table-theme", id: themeId }),
    h("span", { class: "table-bottom" },
      h("span", { class: "faces", "aria-hidden": "true" }),
      h("span", { class: "seats", "aria-hidden": "true" })));
    return h("li", {}, button);
  };

  const label = (room, here) => {
    const seats = room.capacity == null
      ? t("floor.seatedNoLimit", { count: room.count })
      : t("floor.seated", { count: room.count, capacity: room.capacity });
    const parts = [room.title, seats];
    if (!room.open) parts.push(t("floor.closed"));
    else if (room.capacity != null && room.count >= room.capacity) parts.push(t("floor.full"));
    if (here) parts.push(t("floor.youAreHere"));
    return parts.join(", ");
  };

  const update = (li, room) => {
    const state = ctx.state;
    const here = state.here?.room === room.id;
    const button = li.firstChild;
    const full = room.capacity != null && room.count >= room.capacity;
    li.className = [room.kind === ROOM_KINDS.LOBBY ? "lobby" : "", !room.open ? "is-closed" : "", here ? "is-here" : "", full ? "is-full" : ""].join(" ").trim();
    setAttr(button, "aria-label", label(room, here));
    setAttr(button, "aria-current", here ? "location" : null);
    setAttr(button, "aria-disabled", !room.open && !here ? "true" : null);
    setText(button.querySelector(".table-title"), room.title);
    setText(button.querySelector(".table-theme"), room.theme || (room.kind === ROOM_KINDS.LOBBY ? t("floor.lobbyTheme") : ""));
    const closed = button.querySelector(".closed-badge");
    setText(closed, !room.open ? t("floor.closed") : full ? t("floor.full") : "");
    closed.hidden = room.open && !full;
    const hereBadge = button.querySelector(".here-badge");
    setText(hereBadge, t("floor.youAreHere"));
    hereBadge.hidden = !here;
    setText(button.querySelector(".seats"), room.capacity == null ? String(room.count) : `${room.count} / ${room.capacity}`);
    const faces = button.querySelector(".faces");
    const people = peopleIn(state, room.id);
    const key = people.slice(0, MAX_FACES).map((p) => p.id + p.name).join("|") + people.length;
    if (faces.dataset.key !== key) {
      faces.dataset.key = key;
      faces.replaceChildren(
        ...people.slice(0, MAX_FACES).map((p) => {
          const a = h("span", { class: "face", title: p.name }, initials(p.name));
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
