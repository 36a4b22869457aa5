// The pure parts of calls: how loud a voice is at a distance, and what a device
// failure is called for the person.

import { test } from "node:test";
import assert from "node:assert/strict";
import { gainAt, mediaErrorCode } from "../src/call.js";

test("a voice is full within the conversation radius and silent past hearing", () => {
  assert.equal(gainAt(0, 150, 450), 1);
  assert.equal(gainAt(150, 150, 450), 1);
  assert.equal(gainAt(300, 150, 450), 0.5);
  assert.equal(gainAt(450, 150, 450), 0);
  assert.equal(gainAt(2000, 150, 450), 0);
});

test("device failures get the words a person can act on", () => {
  assert.equal(mediaErrorCode({ name: "NotAllowedError" }), "media.denied");
  assert.equal(mediaErrorCode({ name: "NotFoundError" }), "media.noDevice");
  assert.equal(mediaErrorCode({ name: "NotReadableError" }), "media.inUse");
  assert.equal(mediaErrorCode(new Error("x")), "media.failed");
  assert.equal(mediaErrorCode(null), "media.failed");
});
