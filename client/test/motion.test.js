// Gliding between ticks and the move rate limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { track, retarget, positionAt, throttle, clamp } from "../src/motion.js";

test("a track glides from where it is drawn to the new target", () => {
  const t = track(0, 0);
  retarget(t, 100, 0, 1000, 100);
  assert.deepEqual(positionAt(t, 1000), { x: 0, y: 0 });
  const mid = positionAt(t, 1050).x;
  assert.ok(mid > 50 && mid < 100, `eased midpoint ${mid}`);
  assert.deepEqual(positionAt(t, 1100), { x: 100, y: 0 });
  // Retargeting mid-way starts from the drawn point, so there is no jump.
  retarget(t, 0, 0, 1100, 100);
  assert.deepEqual(positionAt(t, 1100), { x: 100, y: 0 });
});

test("throttle sends at most once per interval and always sends the last value", () => {
  let now = 0;
  const sentValues = [];
  const timers = [];
  const send = throttle((v) => sentValues.push(v), 100, () => now, (fn, ms) => { timers.push({ fn, at: now + ms }); return timers.length; });
  send(1);            // immediately
  now = 10; send(2);  // queued
  now = 20; send(3);  // replaces 2
  assert.deepEqual(sentValues, [1]);
  now = 100; timers.shift().fn();
  assert.deepEqual(sentValues, [1, 3]);
  now = 250; send(4);
  assert.deepEqual(sentValues, [1, 3, 4]);
});

test("a burst of 100 moves in one second sends about 10", () => {
  let now = 0;
  let count = 0;
  const queue = [];
  const send = throttle(() => { count += 1; }, 100, () => now, (fn, ms) => { queue.push({ fn, at: now + ms }); return 1; });
  for (let i = 0; i < 100; i += 1) {
    now = i * 10;
    while (queue.length && queue[0].at <= now) queue.shift().fn();
    send(i);
  }
  now = 2000;
  while (queue.length) queue.shift().fn();
  assert.ok(count <= 11 && count >= 9, `sent ${count}`);
});

test("clamp keeps points in the room", () => {
  assert.deepEqual(clamp(-5, 2000, [1000, 800]), { x: 0, y: 800 });
});
