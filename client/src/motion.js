// Smooth movement between server ticks, and the rate limit for `move`; no DOM.
//
// The server sends positions once per tick; an avatar glides from where it is
// drawn now to the new point over about one tick, so motion looks continuous
// without predicting anything.

/** A new track standing still at (x, y). */
export function track(x, y) {
  return { fromX: x, fromY: y, toX: x, toY: y, start: 0, duration: 0 };
}

/** Where the track is drawn at time `now` (ms). */
export function positionAt(t, now) {
  if (t.duration <= 0 || now >= t.start + t.duration) return { x: t.toX, y: t.toY };
  const k = Math.max(0, (now - t.start) / t.duration);
  const e = k * (2 - k); // ease-out: arrives gently
  return { x: t.fromX + (t.toX - t.fromX) * e, y: t.fromY + (t.toY - t.fromY) * e };
}

/** Aim the track at (x, y), starting from where it is drawn now. Returns whether it changed. */
export function retarget(t, x, y, now, duration) {
  if (t.toX === x && t.toY === y) return false;
  const p = positionAt(t, now);
  t.fromX = p.x; t.fromY = p.y; t.toX = x; t.toY = y;
  t.start = now; t.duration = duration;
  return true;
}

export function moving(t, now) {
  return t.duration > 0 && now < t.start + t.duration;
}

/**
 * Call `send(value)` at most once per `intervalMs`; the last value offered while
 * waiting is sent when the interval ends, so the final point always arrives.
 * `clock` and `schedule` are injectable for tests.
 */
export function throttle(send, intervalMs, clock = () => Date.now(), schedule = setTimeout) {
  let last = -Infinity;
  let pending = null;
  let timer = null;
  const flush = () => {
    timer = null;
    if (pending === null) return;
    const v = pending;
    pending = null;
    last = clock();
    send(v);
  };
  return (value) => {
    const now = clock();
    if (now - last >= intervalMs && timer === null) {
      last = now;
      send(value);
      return;
    }
    pending = value;
    if (timer === null) timer = schedule(flush, Math.max(0, intervalMs - (now - last)));
  };
}

/** Clamp a point into the room. */
export function clamp(x, y, [w, h]) {
  return { x: Math.min(w, Math.max(0, x)), y: Math.min(h, Math.max(0, y)) };
}
