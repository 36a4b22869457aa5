// Your table (or the lobby) as a 2D space: avatars glide between ticks; move by
// click, drag or arrow keys; zoom with + / − (buttons, keys, Ctrl+wheel) and pan
// a zoomed space by scrolling, while the view follows you.
//
// Room units (`room_size`) map onto the stage with half an avatar of margin on
// each side, so an avatar at the edge is drawn whole. Avatars are drawn
// AVATAR_DIAMETER room units wide (never under MIN_FACE_PX) and kept apart on
// screen (`crowd.separate`); in a crowded room only some names show
// (`crowd.labelled`), the rest on hover.

import { h, setText, setAttr, avatarColour, reconcile } from "./dom.js";
import { t, getLang } from "./i18n.js";
import { AREAS, setMyPosition, roomTitle } from "./state.js";
import { track, retarget, positionAt, moving, throttle, clamp } from "./motion.js";
import { MOVE_RATE_HZ, AVATAR_DIAMETER } from "./protocol.js";
import { separate, labelOrder, placeLabels, nearest, stepZoom, ZOOMS, LABEL_ALL_UP_TO } from "./crowd.js";
import { paintFace } from "./avatar.js";

const KEY_STEP = 0.04;       // of the room's width per arrow press
const KEY_STEP_BIG = 0.15;   // with Shift
const MIN_FACE_PX = 24;      // an avatar is never drawn smaller than this
const LABEL_ROOM_PX = 64;    // a name this close to a side is aligned to that side
const NEAR_UNITS = 5 * AVATAR_DIAMETER; // "near you": within this many room units
const D = AVATAR_DIAMETER;

export function spaceView(ctx) {
  const tracks = new Map();     // person id -> track
  const avatars = new Map();    // person id -> element
  const labelWidths = new Map(); // person id -> drawn width of their name label (px)
  let frame = 0;
  let zoom = 1;
  let keyboard = false;         // the space has keyboard focus: show a few more names
  let follow = false;           // keep my avatar in view at the next draw

  const titleEl = h("h2", { id: "here-title" });
  const area = h("div", {
    class: "space", id: "space", tabindex: "0", role: "application",
    "aria-roledescription": t("space.role"),
    "aria-labelledby": "here-title", "aria-describedby": "space-help space-near",
  });
  const view = h("div", { class: "space-view" }, area);
  const level = h("output", { class: "zoom-level", "aria-live": "polite" });
  const zoomButton = (cls, label, text, run) => h("button", {
    type: "button", class: `button small zoom-button ${cls}`, "aria-label": label, title: label, onclick: run,
  }, h("span", { "aria-hidden": "true" }, text));
  const zoomOut = zoomButton("zoom-out", t("space.zoomOut"), "−", () => setZoom(stepZoom(zoom, -1)));
  const zoomIn = zoomButton("zoom-in", t("space.zoomIn"), "+", () => setZoom(stepZoom(zoom, 1)));
  const zoomReset = h("button", { type: "button", class: "button small quiet zoom-reset", onclick: () => setZoom(1) },
    t("space.zoomReset"));
  const tools = h("div", { class: "space-tools", role: "group", "aria-label": t("space.zoom") },
    zoomOut, level, zoomIn, zoomReset);
  // what is near, kept current on screen; read out only after one's own moves
  const nearEl = h("p", { class: "space-near", id: "space-near" });
  const nearLive = h("p", { class: "sr-only", "aria-live": "polite" });
  const peopleList = h("ul", { class: "here-people", role: "list" });
  const countEl = h("summary", { class: "here-count" });
  const listBox = h("details", { class: "here-list" }, countEl, peopleList);
  const el = h("section", { id: "here", class: "panel here", "aria-labelledby": "here-title", tabindex: "-1" },
    h("div", { class: "panel-head" }, titleEl,
      h("p", { class: "hint", id: "space-help" }, t("space.help"))),
    h("div", { class: "here-body" },
      h("div", { class: "space-wrap" }, tools, view, nearEl, nearLive, listBox),
      ctx.chatEl));

  const size = () => ctx.state.event?.room_size || [1000, 1000];
  const tickMs = () => 1000 / (ctx.state.event?.tick_hz || 10);
  const meId = () => ctx.state.me?.id;

  // ---- geometry: room units <-> stage pixels ---------------------------------
  const scaleOf = (stageW) => stageW / (size()[0] + D);
  const toPx = (p, s) => ({ x: (p.x + D / 2) * s, y: (p.y + D / 2) * s });

  const sendMove = throttle(({ x, y }) => ctx.move(x, y), 1000 / MOVE_RATE_HZ);
  let nearTimer = 0;
  const moveTo = (x, y) => {
    const p = clamp(x, y, size());
    const px = Math.round(p.x), py = Math.round(p.y);
    ctx.apply(setMyPosition(ctx.state, px, py));
    sendMove({ x: px, y: py });
    follow = true;
    clearTimeout(nearTimer);
    nearTimer = setTimeout(sayNear, 600);
  };

  const pointToRoom = (ev) => {
    const r = area.getBoundingClientRect();
    const s = scaleOf(r.width);
    return { x: (ev.clientX - r.left) / s - D / 2, y: (ev.clientY - r.top) / s - D / 2 };
  };

  // ---- pointer: click or drag to walk. Touch on a zoomed space: one finger pans
  // and a tap walks; two fingers pinch to zoom (the space takes every touch itself).
  let dragging = false;
  let tap = null;               // one finger on a zoomed space: {x, y, left, top, moved}
  let pinch = null;             // two fingers: {d, zoom}
  const touches = new Map();    // pointer id -> {x, y}
  const spread = () => { const [a, b] = [...touches.values()]; return Math.hypot(a.x - b.x, a.y - b.y) || 1; };
  area.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    area.setPointerCapture?.(ev.pointerId);
    if (ev.pointerType === "touch") {
      touches.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
      if (touches.size === 2) { pinch = { d: spread(), zoom }; dragging = false; tap = null; return; }
      if (touches.size > 2) return;
      if (zoom > 1) {
        tap = { x: ev.clientX, y: ev.clientY, left: view.scrollLeft, top: view.scrollTop, moved: false };
        return;
      }
    }
    dragging = true;
    area.focus({ preventScroll: true });
    const p = pointToRoom(ev);
    moveTo(p.x, p.y);
  });
  area.addEventListener("pointermove", (ev) => {
    if (touches.has(ev.pointerId)) touches.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    if (pinch && touches.size === 2) {
      const k = spread() / pinch.d;
      const next = k > 1.25 ? stepZoom(pinch.zoom, 1) : k < 0.8 ? stepZoom(pinch.zoom, -1) : pinch.zoom;
      if (next !== zoom) { setZoom(next); pinch = { d: spread(), zoom: next }; }
      return;
    }
    if (tap) {
      const dx = ev.clientX - tap.x, dy = ev.clientY - tap.y;
      if (Math.hypot(dx, dy) >= 10) tap.moved = true;
      if (tap.moved) { view.scrollLeft = tap.left - dx; view.scrollTop = tap.top - dy; }
      return;
    }
    if (!dragging) return;
    const p = pointToRoom(ev);
    moveTo(p.x, p.y);
  });
  const lift = (ev, cancelled) => {
    touches.delete(ev.pointerId);
    if (touches.size < 2) pinch = null;
    if (tap && !tap.moved && !cancelled) {
      const p = pointToRoom(ev);
      moveTo(p.x, p.y);
    }
    dragging = false;
    tap = null;
  };
  area.addEventListener("pointerup", (ev) => lift(ev, false));
  area.addEventListener("pointercancel", (ev) => lift(ev, true));

  // ---- keyboard: arrows walk, + / − / 0 zoom -----------------------------------
  area.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "+" || ev.key === "=") { ev.preventDefault(); setZoom(stepZoom(zoom, 1)); return; }
    if (ev.key === "-" || ev.key === "−") { ev.preventDefault(); setZoom(stepZoom(zoom, -1)); return; }
    if (ev.key === "0") { ev.preventDefault(); setZoom(1); return; }
    const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const d = dirs[ev.key];
    if (!d || !ctx.state.me) return;
    ev.preventDefault();
    const [w, hgt] = size();
    const step = (ev.shiftKey ? KEY_STEP_BIG : KEY_STEP) * Math.min(w, hgt);
    const mine = ctx.state.here?.occupants.get(meId()) || { x: w / 2, y: hgt / 2 };
    moveTo(mine.x + d[0] * step, mine.y + d[1] * step);
  });
  area.addEventListener("focus", () => {
    keyboard = area.matches(":focus-visible");
    if (keyboard) { sayNear(); schedule(); }
  });
  area.addEventListener("blur", () => { keyboard = false; schedule(); });

  // ---- zoom ---------------------------------------------------------------------
  /** Zoom to `next`, keeping `anchor` (stage-relative fractions) where it is on screen,
   * else keeping my avatar (or the middle) in the middle of the view. */
  function setZoom(next, anchor = null) {
    next = Math.min(ZOOMS[ZOOMS.length - 1], Math.max(ZOOMS[0], next));
    if (next === zoom) return;  // a disabled button (at either end) does nothing
    const vw = view.clientWidth, vh = view.clientHeight;
    let fx, fy, sx, sy;
    if (anchor) ({ fx, fy, sx, sy } = anchor);
    else {
      const mine = ctx.state.here?.occupants.get(meId());
      const [w, hgt] = size();
      fx = mine ? (mine.x + D / 2) / (w + D) : (view.scrollLeft + vw / 2) / (area.clientWidth || 1);
      fy = mine ? (mine.y + D / 2) / (hgt + D) : (view.scrollTop + vh / 2) / (area.clientHeight || 1);
      sx = vw / 2; sy = vh / 2;
    }
    zoom = next;
    renderZoom();
    view.scrollLeft = fx * area.clientWidth - sx;
    view.scrollTop = fy * area.clientHeight - sy;
    schedule();
  }
  function renderZoom() {
    area.style.width = `${zoom * 100}%`;
    view.classList.toggle("zoomed", zoom > 1);
    setText(level, `${Math.round(zoom * 100)} %`);
    setAttr(zoomIn, "aria-disabled", zoom >= ZOOMS[ZOOMS.length - 1] ? "true" : null);
    setAttr(zoomOut, "aria-disabled", zoom <= ZOOMS[0] ? "true" : null);
    setAttr(zoomReset, "aria-disabled", zoom === 1 ? "true" : null);
  }
  let lastWheel = 0, lastDir = 0;
  view.addEventListener("wheel", (ev) => {
    if (!ev.ctrlKey) return;      // a plain wheel scrolls (pans) the zoomed space
    ev.preventDefault();
    // a trackpad pinch sends a stream of small ctrl+wheel events: one step per beat
    const dir = ev.deltaY < 0 ? 1 : -1;
    if (dir === lastDir && ev.timeStamp - lastWheel < 150) return;
    lastWheel = ev.timeStamp; lastDir = dir;
    const r = area.getBoundingClientRect(), v = view.getBoundingClientRect();
    setZoom(stepZoom(zoom, dir), {
      fx: (ev.clientX - r.left) / r.width, fy: (ev.clientY - r.top) / r.height,
      sx: ev.clientX - v.left, sy: ev.clientY - v.top,
    });
  }, { passive: false });
  renderZoom();

  // ---- drawing ----------------------------------------------------------------------
  const draw = () => {
    frame = 0;
    const now = performance.now();
    const stageW = area.clientWidth, stageH = area.clientHeight;
    if (!stageW) return;
    const s = scaleOf(stageW);
    // At least MIN_FACE_PX, unless so many are here that discs that wide could
    // not all be drawn apart (then a diameter: the server keeps people that far apart).
    const room = Math.sqrt((0.45 * stageW * stageH) / Math.max(1, tracks.size));
    const face = Math.max(D * s, Math.min(MIN_FACE_PX, room));
    area.style.setProperty("--face", `${face}px`);
    let again = false;
    const points = [];
    for (const [id, tr] of tracks) {
      const p = toPx(positionAt(tr, now), s);
      points.push({ id, x: p.x, y: p.y });
      if (moving(tr, now)) again = true;
    }
    const crowded = points.length > LABEL_ALL_UP_TO;
    const order = labelOrder(points, meId(), keyboard ? 4 : 0);
    separate(points, face, [stageW, stageH]);
    const at = new Map(points.map((p) => [p.id, p]));
    const alignOf = (p) => (p.x < LABEL_ROOM_PX ? "start" : p.x > stageW - LABEL_ROOM_PX ? "end" : "middle");
    const labels = order.filter((id) => at.has(id) && avatars.has(id)).map((id) => {
      const p = at.get(id);
      if (!labelWidths.has(id)) labelWidths.set(id, avatars.get(id).lastChild.offsetWidth);
      return { id, x: p.x, y: p.y, r: face / 2, w: labelWidths.get(id), h: 19, align: alignOf(p) };
    });
    const placed = placeLabels(labels, stageH, points);
    for (const p of points) {
      const a = avatars.get(p.id);
      if (!a) continue;
      a.style.transform = `translate(${p.x.toFixed(1)}px, ${p.y.toFixed(1)}px)`;
      const where = placed.get(p.id);
      const align = alignOf(p);
      a.classList.toggle("labelled", !!where);
      a.classList.toggle("label-above", where ? where === "above" : p.y > stageH - face / 2 - 24);
      a.classList.toggle("edge-start", align === "start");
      a.classList.toggle("edge-end", align === "end");
    }
    area.classList.toggle("crowded", crowded);
    if (follow) { follow = false; keepInView(points.find((p) => p.id === meId()), face); }
    if (again) frame = requestAnimationFrame(draw);
  };
  const schedule = () => { if (!frame) frame = requestAnimationFrame(draw); };
  new ResizeObserver(schedule).observe(area);

  /** Scroll a zoomed view so my avatar stays a comfortable margin inside it. */
  function keepInView(me, face) {
    if (!me || zoom === 1) return;
    const margin = Math.min(face * 2.5, view.clientWidth / 3);
    const vx = me.x - view.scrollLeft, vy = me.y - view.scrollTop;
    if (vx < margin) view.scrollLeft = me.x - margin;
    else if (vx > view.clientWidth - margin) view.scrollLeft = me.x - view.clientWidth + margin;
    if (vy < margin) view.scrollTop = me.y - margin;
    else if (vy > view.clientHeight - margin) view.scrollTop = me.y - view.clientHeight + margin;
  }

  const syncAvatars = () => {
    const state = ctx.state;
    const here = state.here;
    if (!here) return;
    const now = performance.now();
    for (const [id, pos] of here.occupants) {
      let a = avatars.get(id);
      if (!a) {
        a = h("div", { class: "avatar", "aria-hidden": "true", dataset: { person: id } },
          h("span", { class: "disc" }), h("span", { class: "name", dir: "auto" }));
        a.style.setProperty("--c", avatarColour(id));
        avatars.set(id, a);
        area.append(a);
        tracks.set(id, track(pos.x, pos.y));
      } else {
        retarget(tracks.get(id), pos.x, pos.y, now, id === meId() ? tickMs() : tickMs() * 1.2);
      }
      const person = state.people.get(id);
      const mine = id === meId();
      a.classList.toggle("me", mine);
      a.dataset.status = person?.status || "available";
      paintFace(a.firstChild, person || { id, name: "?" }, id);
      const label = mine ? t("space.you") : person?.name || "";
      if (a.lastChild.textContent !== label) { setText(a.lastChild, label); labelWidths.delete(id); }
    }
    for (const [id, a] of avatars) {
      if (!here.occupants.has(id)) { a.remove(); avatars.delete(id); tracks.delete(id); labelWidths.delete(id); }
    }
    // mine last, so it is drawn on top
    const me = avatars.get(meId());
    if (me && me !== area.lastChild) area.append(me);
    schedule();
  };

  /** "Near you: …" under the space; read out (`announce`) after your own moves. */
  let nearAt = 0;
  function sayNear(announce = true) {
    const state = ctx.state;
    const here = state.here;
    const mine = here?.occupants.get(meId());
    nearAt = Date.now();
    if (!mine) { setText(nearEl, ""); return; }
    const points = [...here.occupants].map(([id, p]) => ({ id, x: p.x, y: p.y }))
      .filter((p) => p.id === meId() || Math.hypot(p.x - mine.x, p.y - mine.y) <= NEAR_UNITS);
    const names = nearest(points, meId(), 3).map((id) => state.people.get(id)?.name).filter(Boolean);
    const text = names.length
      ? t("space.near", { names: new Intl.ListFormat(getLang(), { type: "conjunction" }).format(names) })
      : t("space.nearNobody");
    setText(nearEl, text);
    if (announce) setText(nearLive, text);
  }
  /** Others came, went or moved: the line follows quietly, at most once a second. */
  let nearLater = 0;
  const refreshNear = () => {
    const wait = 1000 - (Date.now() - nearAt);
    if (wait <= 0) { sayNear(false); return; }
    if (!nearLater) nearLater = setTimeout(() => { nearLater = 0; sayNear(false); }, wait);
  };

  const syncList = () => {
    const state = ctx.state;
    const ids = state.here ? [...state.here.occupants.keys()] : [];
    const people = ids.map((id) => state.people.get(id) || { id, name: "?" });
    people.sort((a, b) => (a.id === meId() ? -1 : b.id === meId() ? 1 : a.name.localeCompare(b.name)));
    setText(countEl, t("space.count", { count: people.length }));
    if (listBox.dataset.crowded !== String(people.length > LABEL_ALL_UP_TO)) {
      listBox.dataset.crowded = String(people.length > LABEL_ALL_UP_TO);
      listBox.open = people.length <= LABEL_ALL_UP_TO;
    }
    reconcile(peopleList, people, (p) => p.id,
      () => h("li", {}, h("span", { class: "dot-face", "aria-hidden": "true" }),
        h("bdi", { class: "n" }), h("span", { class: "you" })),
      (li, p) => {
        li.firstChild.style.backgroundColor = avatarColour(p.id);
        setText(li.querySelector(".n"), p.name);
        setText(li.querySelector(".you"), p.id === meId() ? ` (${t("space.you")})` : "");
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
        const aspect = `${w + D} / ${hgt + D}`;
        area.style.aspectRatio = aspect;
        view.style.setProperty("--aspect", String((w + D) / (hgt + D)));
      }
      if (changes.has(AREAS.HERE)) {
        // A new room: start every avatar where it stands, at the whole room's view.
        if (area.dataset.room !== state.here?.room) {
          for (const a of avatars.values()) a.remove();
          avatars.clear(); tracks.clear(); labelWidths.clear();
          area.dataset.room = state.here?.room || "";
          if (zoom !== 1) setZoom(1);
          setTimeout(sayNear, 0);
        }
        syncAvatars();
        syncList();
      } else if (changes.has(AREAS.POSITIONS)) {
        syncAvatars();
      }
      if (changes.has(AREAS.PEOPLE)) { syncAvatars(); syncList(); }
      if (changes.has(AREAS.POSITIONS) || changes.has(AREAS.PEOPLE)) refreshNear();
    },
  };
}
