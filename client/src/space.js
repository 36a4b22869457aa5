// Your table as a small 2D space: avatars glide between ticks; move by click,
// drag or arrow keys. Positions are in room units (`room_size`), drawn in %.

import { h, setText, avatarColour, reconcile } from "./dom.js";
import { t } from "./i18n.js";
import { AREAS, initials, setMyPosition, roomTitle } from "./state.js";
import { track, retarget, positionAt, moving, throttle, clamp } from "./motion.js";
import { MOVE_RATE_HZ } from "./protocol.js";

const KEY_STEP = 0.04;       // of the room's width per arrow press
const KEY_STEP_BIG = 0.15;   // with Shift

export function spaceView(ctx) {
  const tracks = new Map();     // person id -> track
  const avatars = new Map();    // person id -> element
  let frame = 0;

  const titleEl = h("h2", { id: "here-title" });
  const area = h("div", {
    class: "space", id: "space", tabindex: "0", role: "application",
    "aria-roledescription": t("space.role"),
    "aria-labelledby": "here-title", "aria-describedby": "space-help",
  });
  const peopleList = h("ul", { class: "here-people", role: "list" });
  const countEl = h("p", { class: "here-count" });
  const el = h("section", { id: "here", class: "panel here", "aria-labelledby": "here-title", tabindex: "-1" },
    h("div", { class: "panel-head" }, titleEl,
      h("p", { class: "hint", id: "space-help" }, t("space.help"))),
    h("div", { class: "here-body" },
      h("div", { class: "space-wrap" }, area, countEl, peopleList),
      ctx.chatEl));

  const size = () => ctx.state.event?.room_size || [1000, 1000];
  const tickMs = () => 1000 / (ctx.state.event?.tick_hz || 10);

  const sendMove = throttle(({ x, y }) => ctx.move(x, y), 1000 / MOVE_RATE_HZ);
  const moveTo = (x, y) => {
    const p = clamp(x, y, size());
    const px = Math.round(p.x), py = Math.round(p.y);
    ctx.apply(setMyPosition(ctx.state, px, py));
    sendMove({ x: px, y: py });
  };

  const pointToRoom = (ev) => {
    const r = area.getBoundingClientRect();
    const [w, hgt] = size();
    return { x: ((ev.clientX - r.left) / r.width) * w, y: ((ev.clientY - r.top) / r.height) * hgt };
  };

  let dragging = false;
  area.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    dragging = true;
    area.setPointerCapture?.(ev.pointerId);
    area.focus({ preventScroll: true });
    const p = pointToRoom(ev);
    moveTo(p.x, p.y);
  });
  area.addEventListener("pointermove", (ev) => {
    if (!dragging) return;
    const p = pointToRoom(ev);
    moveTo(p.x, p.y);
  });
  const stop = () => { dragging = false; };
  area.addEventListener("pointerup", stop);
  area.addEventListener("pointercancel", stop);

  area.addEventListener("keydown", (ev) => {
    const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const d = dirs[ev.key];
    if (!d || !ctx.state.me) return;
    ev.preventDefault();
    const [w, hgt] = size();
    const step = (ev.shiftKey ? KEY_STEP_BIG : KEY_STEP) * Math.min(w, hgt);
    const mine = ctx.state.here?.occupants.get(ctx.state.me.id) || { x: w / 2, y: hgt / 2 };
    moveTo(mine.x + d[0] * step, mine.y + d[1] * step);
  });

  const draw = () => {
    frame = 0;
    const now = performance.now();
    const [w, hgt] = size();
    let again = false;
    for (const [id, tr] of tracks) {
      const a = avatars.get(id);
      if (!a) continue;
      const p = positionAt(tr, now);
      a.style.left = `${(p.x / w) * 100}%`;
      a.style.top = `${(p.y / hgt) * 100}%`;
      if (moving(tr, now)) again = true;
    }
    if (again) frame = requestAnimationFrame(draw);
  };
  const schedule = () => { if (!frame) frame = requestAnimationFrame(draw); };

  const syncAvatars = () => {
    const state = ctx.state;
    const here = state.here;
    if (!here) return;
    const now = performance.now();
    for (const [id, pos] of here.occupants) {
      let a = avatars.get(id);
      if (!a) {
        a = h("div", { class: "avatar", "aria-hidden": "true" },
          h("span", { class: "initials", dir: "auto" }), h("span", { class: "name", dir: "auto" }));
        a.style.setProperty("--c", avatarColour(id));
        avatars.set(id, a);
        area.append(a);
        tracks.set(id, track(pos.x, pos.y));
      } else {
        retarget(tracks.get(id), pos.x, pos.y, now, id === state.me?.id ? tickMs() : tickMs() * 1.2);
      }
      const person = state.people.get(id);
      const name = person?.name || "";
      a.classList.toggle("me", id === state.me?.id);
      setText(a.querySelector(".initials"), initials(name));
      setText(a.querySelector(".name"), id === state.me?.id ? t("space.you") : name);
    }
    for (const [id, a] of avatars) {
      if (!here.occupants.has(id)) { a.remove(); avatars.delete(id); tracks.delete(id); }
    }
    schedule();
  };

  const syncList = () => {
    const state = ctx.state;
    const ids = state.here ? [...state.here.occupants.keys()] : [];
    const people = ids.map((id) => state.people.get(id) || { id, name: "?" });
    people.sort((a, b) => (a.id === state.me?.id ? -1 : b.id === state.me?.id ? 1 : a.name.localeCompare(b.name)));
    setText(countEl, t("space.count", { count: people.length }));
    reconcile(peopleList, people, (p) => p.id,
      () => h("li", {}, h("span", { class: "dot-face", "aria-hidden": "true" }),
        h("bdi", { class: "n" }), h("span", { class: "you" })),
      (li, p) => {
        li.firstChild.style.backgroundColor = avatarColour(p.id);
        setText(li.querySelector(".n"), p.name);
        setText(li.querySelector(".you"), p.id === state.me?.id ? ` (${t("space.you")})` : "");
      });
  };

  return {
    el,
    update(changes) {
      const state = ctx.state;
      if (changes.has(AREAS.HERE) || changes.has(AREAS.ROOMS) || changes.has(AREAS.EVENT)) {
        const r = state.here && state.rooms.get(state.here.room);
        setText(titleEl, r ? t("space.title", { title: roomTitle(state, r.id) }) : "");
        const [w, hgt] = size();
        area.style.aspectRatio = `${w} / ${hgt}`;
      }
      if (changes.has(AREAS.HERE)) {
        // A new room: start every avatar where it stands.
        if (area.dataset.room !== state.here?.room) {
          for (const a of avatars.values()) a.remove();
          avatars.clear(); tracks.clear();
          area.dataset.room = state.here?.room || "";
        }
        syncAvatars();
        syncList();
      } else if (changes.has(AREAS.POSITIONS)) {
        syncAvatars();
      }
      if (changes.has(AREAS.PEOPLE)) { syncAvatars(); syncList(); }
    },
  };
}
