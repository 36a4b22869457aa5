// A crowded space: avatars drawn apart, names for the nearest few, zoom steps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { separate, labelOrder, placeLabels, nearest, stepZoom, LABEL_ALL_UP_TO, NEAREST_LABELS } from "../src/crowd.js";

const closest = (points) => {
  let best = Infinity;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      best = Math.min(best, Math.hypot(points[i].x - points[j].x, points[i].y - points[j].y));
    }
  }
  return best;
};

test("separate parts overlapping avatars and keeps them inside the space", () => {
  const points = [];
  for (let i = 0; i < 90; i++) points.push({ id: `p${i}`, x: 300 + (i % 9) * 12, y: 300 + Math.floor(i / 9) * 12 });
  points.push({ id: "same-a", x: 50, y: 50 }, { id: "same-b", x: 50, y: 50 });
  assert.ok(separate(points, 30, [600, 600], 60));
  assert.ok(closest(points) >= 30, `closest ${closest(points)}`);
  for (const p of points) assert.ok(p.x >= 15 && p.x <= 585 && p.y >= 15 && p.y <= 585);
});

test("separate leaves avatars already apart where they are", () => {
  const points = [{ id: "a", x: 100, y: 100 }, { id: "b", x: 140, y: 100 }];
  assert.equal(separate(points, 30, [600, 600]), false);
  assert.deepEqual(points, [{ id: "a", x: 100, y: 100 }, { id: "b", x: 140, y: 100 }]);
});

test("a small room shows every name, a crowded one yours and the nearest few", () => {
  const few = Array.from({ length: LABEL_ALL_UP_TO }, (_, i) => ({ id: `p${i}`, x: i * 50, y: 0 }));
  assert.equal(labelOrder(few, "p3").length, LABEL_ALL_UP_TO);
  assert.equal(labelOrder(few, "p3")[0], "p3");
  const crowd = Array.from({ length: 90 }, (_, i) => ({ id: `p${i}`, x: (i % 10) * 50, y: Math.floor(i / 10) * 50 }));
  const shown = labelOrder(crowd, "p0");
  assert.equal(shown.length, 1 + NEAREST_LABELS);
  assert.equal(shown[0], "p0");
  assert.ok(shown.includes("p1") && shown.includes("p10"));
  assert.equal(labelOrder(crowd, "p0", 3).length, 1 + NEAREST_LABELS + 3);
  assert.deepEqual(nearest(crowd, "p0", 2).sort(), ["p1", "p10"]);
});

test("labels never cover each other: below, else above, else hidden", () => {
  const l = (id, x, y, align = "middle") => ({ id, x, y, r: 15, w: 80, h: 18, align });
  const placed = placeLabels([l("me", 100, 100), l("b", 110, 110), l("c", 105, 95), l("far", 400, 100)], 600);
  assert.equal(placed.get("me"), "below");
  assert.equal(placed.get("b"), "above");
  assert.equal(placed.has("c"), false);
  assert.equal(placed.get("far"), "below");
  // at the bottom edge a label goes above
  assert.equal(placeLabels([l("low", 100, 590)], 600).get("low"), "above");
  // a place clear of other avatars is preferred: someone just below pushes the label above
  assert.equal(placeLabels([l("a", 100, 100)], 600, [{ id: "a", x: 100, y: 100 }, { id: "z", x: 100, y: 135 }]).get("a"), "above");
});

test("zoom steps in and out and stops at the ends", () => {
  assert.equal(stepZoom(1, 1), 1.5);
  assert.equal(stepZoom(1.5, -1), 1);
  assert.equal(stepZoom(1, -1), 1);
  assert.equal(stepZoom(4, 1), 4);
  assert.equal(stepZoom(1.7, -1), 1.5);
});
