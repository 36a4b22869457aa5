// Everyone in the event, searchable, with what you can do with each person.

import { h, reconcile, setText, setAttr, newId, userText } from "./dom.js";
import { t, isolate } from "./i18n.js";
import { AREAS, searchPeople, roomTitle, isStaff, lobbyId } from "./state.js";
import { ROLES } from "./protocol.js";
import { face, updateFace } from "./face.js";
import { finderView } from "./finder.js";

// Interests compare without case or accents, as the search does.
const fold = (s) => String(s || "").toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
const hasInterest = (p, tag) => (p.interests || []).some((i) => fold(i) === fold(tag));

export function peopleView(ctx) {
  let query = "";
  let tag = ""; // an interest clicked: only people who have it are shown
  let open = null; // person id whose actions are shown
  const searchId = newId("search");
  const search = h("input", {
    id: searchId, type: "search", autocomplete: "off", "aria-describedby": "people-count",
    oninput: (e) => { query = e.target.value; finder.reset(); render(); },
  });
  const count = h("p", { id: "people-count", class: "hint", "aria-live": "polite" });
  const list = h("ul", { class: "people", role: "list" });
  const tagName = h("strong", { dir: "auto" });
  const clearTag = h("button", { type: "button", class: "button small quiet", onclick: () => { setTag(""); search.focus(); } }, t("people.clearFilter"));
  const chip = h("p", { class: "filter-chip", hidden: true }, t("people.filteredBy"), " ", tagName, " ", clearTag);
  const finder = finderView(ctx, () => ({ q: query.trim(), interest: tag }));
  const el = h("div", { class: "people-panel" },
    h("div", { class: "field" }, h("label", { for: searchId }, t("people.search")), search),
    chip, count, list, finder.el);

  function setTag(value) {
    tag = tag && fold(tag) === fold(value) ? "" : value;
    setText(tagName, tag);
    chip.hidden = !tag;
    finder.reset();
    render();
  }

  const tagButtons = (box, p) => {
    const key = [tag, ...(p.interests || [])].join("\u0000");
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.hidden = !(p.interests || []).length;
    box.replaceChildren(...(p.interests || []).map((i) => h("li", {},
      h("button", {
        type: "button", class: "tag tag-button", "aria-pressed": String(!!tag && fold(tag) === fold(i)),
        "aria-label": t("people.filterBy", { tag: i }), onclick: () => setTag(i),
      }, userText("span", i)))));
  };

  const create = (p) => {
    const actionsId = `actions-${p.id}`;
    const toggle = h("button", {
      type: "button", class: "person-toggle", "aria-expanded": "false", "aria-controls": actionsId,
      onclick: () => { open = open === p.id ? null : p.id; render(); },
    },
    face(p),
    h("span", { class: "person-text" },
      h("span", { class: "person-name", dir: "auto" }),
      h("span", { class: "sr-only sep-role" }, ", "),
      h("span", { class: "person-role badge" }),
      h("span", { class: "sr-only sep-org" }, ", "),
      h("span", { class: "person-org", dir: "auto" }),
      h("span", { class: "sr-only" }, ", "),
      h("span", { class: "person-where" })),
    h("span", { class: "chev", "aria-hidden": "true" }, "▾"));
    const tags = h("ul", { class: "tags person-tags", role: "list", hidden: true });
    const actions = h("div", { class: "person-actions", id: actionsId, hidden: true });
    return h("li", { class: "person" }, toggle, tags, actions);
  };

  const button = (label, onclick, extra = {}) => h("button", { type: "button", class: "button small", onclick, ...extra }, label);

  const renderActions = (box, p) => {
    const state = ctx.state;
    const here = state.here?.room === p.room;
    const contact = state.contacts.has(p.id);
    const requested = state.sentRequests.has(p.id);
    const room = p.room && state.rooms.get(p.room);
    // Rebuild only when something shown changes, so keyboard focus stays put
    // through the presence updates that arrive twice a second.
    const speaker = state.speakers.has(p.id);
    const key = [p.room, here, contact, requested, room?.open, room?.title, p.role, isStaff(state), speaker].join("|");
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    const items = [];
    if (p.room && !here) {
      items.push(button(t("people.goTo", { title: roomTitle(state, p.room) }), () => ctx.enter(p.room),
        { disabled: room && !room.open }));
    }
    items.push(button(t("people.wave"), () => ctx.wave(p.id)));
    items.push(button(t("people.whisper"), () => ctx.whisper(p.id)));
    if (contact) items.push(h("span", { class: "badge ok" }, t("people.isContact")));
    else if (requested) items.push(h("span", { class: "badge" }, t("people.requested")));
    else items.push(button(t("people.askCard"), () => ctx.requestCard(p.id)));
    items.push(button(t("people.flag"), () => ctx.flag(p.id), { class: "button small quiet" }));
    if (isStaff(state) && p.role !== ROLES.HOST) {
      items.push(button(t("people.moderate"), () => ctx.moderate(p.id), { class: "button small quiet" }));
    }
    if (state.me?.role === ROLES.HOST && p.role !== ROLES.HOST && state.event?.media?.enabled) {
      // The stage: hosts invite people to speak to the lobby, and take them off it.
      items.push(speaker
        ? button(t("stage.remove"), () => ctx.stage(p.id, false), { class: "button small quiet" })
        : button(t("stage.invite"), () => ctx.stage(p.id, true)));
    }
    box.replaceChildren(...items);
  };

  const update = (li, p) => {
    const state = ctx.state;
    const toggle = li.firstChild;
    const box = li.lastChild;
    updateFace(toggle.querySelector(".face"), p);
    tagButtons(li.querySelector(".person-tags"), p);
    setText(toggle.querySelector(".person-name"), p.name);
    const role = toggle.querySelector(".person-role");
    const roleText = p.role === ROLES.HOST ? t("role.host") : p.role === ROLES.MODERATOR ? t("role.moderator") : "";
    setText(role, [roleText, p.muted ? t("people.muted") : "", p.status && p.status !== "available" ? t(`status.${p.status}`) : ""].filter(Boolean).join(" · "));
    role.hidden = !role.textContent;
    toggle.querySelector(".sep-role").hidden = role.hidden;
    const org = [p.title, p.organization].filter(Boolean).map(isolate).join(", ");
    setText(toggle.querySelector(".person-org"), org);
    toggle.querySelector(".sep-org").hidden = !org;
    const where = !p.room ? t("people.away")
      : p.room === lobbyId(state) ? t("people.inLobby")
        : t("people.at", { title: roomTitle(state, p.room) });
    setText(toggle.querySelector(".person-where"), where);
    const isOpen = open === p.id;
    setAttr(toggle, "aria-expanded", String(isOpen));
    box.hidden = !isOpen;
    li.classList.toggle("open", isOpen);
    if (isOpen) renderActions(box, p);
  };

  function render() {
    const found = searchPeople(ctx.state, query).filter((p) => !tag || hasInterest(p, tag));
    setText(count, query || tag ? t("people.found", { count: found.length }) : t("people.total", { count: found.length }));
    reconcile(list, found, (p) => p.id, create, update);
  }

  return {
    el,
    update(changes) {
      if (changes.has(AREAS.PEOPLE) || changes.has(AREAS.ROOMS) || changes.has(AREAS.CONTACTS) || changes.has(AREAS.HERE) || changes.has(AREAS.MEDIA)) render();
    },
    render,
  };
}
