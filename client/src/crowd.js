// What a crowded space draws: avatars kept apart on screen, and whose names show.
// No DOM, so the rules are unit-tested (client/test/crowd.test.js).
//
// The server already keeps people a diameter apart (rooms/spacing.py); this is
// the safety net for what it cannot promise: avatars mid-glide, a room holding
// more people than it fits, or avatars drawn wider than a diameter when the
// space is small.

/** Rooms with more people than this show only some names (see `labelled`). */
export const LABEL_ALL_UP_TO = 12;
/** In a crowded room, the names of this many people nearest to you show. */
export const NEAREST_LABELS = 4;

/**
 * Push drawn points apart until no two centres are closer than `d` (px), each of
 * a pair moving half the overlap, all kept inside `[0, w] × [0, h]` shrunk by d/2.
 * `points`: [{id, x, y}] changed in place. Only neighbours are compared (a grid
 * of cells `d` wide), so a pass costs O(n). Returns whether any point moved.
 */
export function separate(points, d, [w, h], passes = 30) {
  const r = d / 2;
  const want = d + 0.5;          // a hair more, so rounding never reads as overlap
  const lo = { x: r, y: r }, hi = { x: Math.max(r, w - r), y: Math.max(r, h - r) };
  const keep = (p) => {
    p.x = Math.min(hi.x, Math.max(lo.x, p.x));
    p.y = Math.min(hi.y, Math.max(lo.y, p.y));
  };
  let movedAny = false;
  for (const p of points) {  // drawn wider than a diameter, an avatar at the edge moves in
    const { x, y } = p;
    keep(p);
    if (p.x !== x || p.y !== y) movedAny = true;
  }
  for (let pass = 0; pass < passes; pass++) {
    const cells = new Map();
    points.forEach((p, i) => {
      p.i = i;
      const k = `${Math.floor(p.x / d)},${Math.floor(p.y / d)}`;
      const cell = cells.get(k);
      if (cell) cell.push(p); else cells.set(k, [p]);
    });
    let moved = false;
    for (const p of points) {
      const cx = Math.floor(p.x / d), cy = Math.floor(p.y / d);
      for (let gx = cx - 1; gx <= cx + 1; gx++) {
        for (let gy = cy - 1; gy <= cy + 1; gy++) {
          for (const q of cells.get(`${gx},${gy}`) || []) {
            if (q.i <= p.i) continue;
            let dx = q.x - p.x, dy = q.y - p.y;
            let dist = Math.hypot(dx, dy);
            if (dist >= want) continue;
            if (dist < 1e-6) { // the same point: part them in a direction of their own
              const a = (p.i * 2.399963) % (2 * Math.PI);
              dx = Math.cos(a); dy = Math.sin(a); dist = 1e-6;
            }
            const push = (want - dist) / 2;
            const ux = dx / (dist || 1), uy = dy / (dist || 1);
            p.x -= ux * push; p.y -= uy * push;
            q.x += ux * push; q.y += uy * push;
            keep(p); keep(q);
            moved = true;
          }
        }
      }
    }
    if (!moved) break;
    movedAny = true;
  }
  for (const p of points) delete p.i;
  return movedAny;
}

/**
 * Whose names may show, most wanted first: everyone in a small room (you first,
 * then the nearest); in a crowded one you and the `NEAREST_LABELS` people nearest
 * to you (`more` extra while you use the space from the keyboard).
 * `points`: [{id, x, y}]. Returns ids.
 */
export function labelOrder(points, meId, more = 0) {
  const hasMe = points.some((p) => p.id === meId);
  if (points.length <= LABEL_ALL_UP_TO) {
    if (!hasMe) return points.map((p) => p.id);
    return [meId, ...nearest(points, meId, points.length)];
  }
  if (!hasMe) return [];
  return [meId, ...nearest(points, meId, NEAREST_LABELS + more)];
}

/**
 * Place name labels without covering each other: each label (in the order
 * given) goes below its avatar, else above it, else stays hidden; a place that
 * also keeps clear of other avatars' discs (`discs`: [{id, x, y}], radius `r`)
 * is preferred. `labels`: [{id, x, y, r, w, h, align}] in px, `align` "start" |
 * "end" | "middle" (the side of the avatar the label lines up with); `bottom`:
 * the space's height. Returns a Map id -> "below" | "above" for labels shown.
 */
export function placeLabels(labels, bottom, discs = []) {
  const placed = [];
  const out = new Map();
  const overlaps = (b, o) => b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h;
  const hitsLabel = (b) => placed.some((o) => overlaps(b, o));
  const hitsDisc = (b, id, r) => discs.some((d) => d.id !== id && overlaps(b, { x: d.x - r, y: d.y - r, w: 2 * r, h: 2 * r }));
  for (const l of labels) {
    const x = l.align === "start" ? l.x - l.r : l.align === "end" ? l.x + l.r - l.w : l.x - l.w / 2;
    const spots = [
      ["below", { x, y: l.y + l.r + 3, w: l.w, h: l.h }],
      ["above", { x, y: l.y - l.r - 3 - l.h, w: l.w, h: l.h }],
    ].filter(([, b]) => b.y >= 0 && b.y + b.h <= bottom && !hitsLabel(b));
    const best = spots.find(([, b]) => !hitsDisc(b, l.id, l.r)) || spots[0];
    if (best) { placed.push(best[1]); out.set(l.id, best[0]); }
  }
  return out;
}

/** The ids of the `k` people nearest to `meId` (nearest first). */
export function nearest(points, meId, k) {
  const me = points.find((p) => p.id === meId);
  if (!me) return [];
  return points.filter((p) => p.id !== meId)
    .map((p) => ({ id: p.id, d: (p.x - me.x) ** 2 + (p.y - me.y) ** 2 }))
    .sort((a, b) => a.d - b.d)
    .slice(0, k)
    .map((o) => o.id);
}

/** Zoom steps of the space (1 = the whole room). */
export const ZOOMS = Object.freeze([1, 1.5, 2, 3, 4]);

/** The next zoom step in direction `dir` (+1 in, -1 out) from `zoom`. */
export function stepZoom(zoom, dir) {
  if (dir > 0) return ZOOMS.find((z) => z > zoom + 1e-6) ?? ZOOMS[ZOOMS.length - 1];
  return [...ZOOMS].reverse().find((z) => z < zoom - 1e-6) ?? ZOOMS[0];
}
