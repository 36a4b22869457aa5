// Raised hands in the client's state (issue 12).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createState, apply, setHand, mayRaiseHand, AREAS } from "../src/state.js";
import { SERVER_EVENTS as S } from "../src/protocol.js";

const room = (id, kind = "table") => ({ id, title: id, theme: "", kind, open: true, capacity: null, count: 0 });

function welcomed(role = "attendee", event = {}) {
  const s = createState();
  apply(s, S.WELCOME, {
    event: { slug: "e", title: "E", lobby: "lobby", timer: null, room_size: [1000, 1000], ...event },
    me: { id: "me", name: "Me", role, room: "lobby", card: {}, muted_until: null },
    rooms: [room("lobby", "lobby"), room("t1")],
    people: [],
    room: { room: room("lobby", "lobby"), occupants: [{ id: "me", x: 1, y: 1 }], chat: [] },
    requests: [],
  });
  return s;
}

test("the welcome gives my hand and, to hosts, the queue", () => {
  const s = welcomed("host", { hands: [{ person: "a", name: "A", at: 5 }], hand: { raised: false, at: null, reason: null } });
  assert.deepEqual(s.hands.map((x) => x.person), ["a"]);
  assert.equal(s.hand.raised, false);
});

test("hand and hands messages change the HANDS area", () => {
  const s = welcomed();
  assert.ok(apply(s, S.HAND, { raised: true, at: 7, reason: null }).has(AREAS.HANDS));
  assert.deepEqual(s.hand, { raised: true, at: 7, reason: null });
  setHand(s, { raised: false, at: null, reason: "dismissed" });
  assert.equal(s.hand.reason, "dismissed");
  assert.ok(apply(s, S.HANDS, { hands: [{ person: "b", name: "B", at: 1 }, { person: "c", name: "C", at: 2 }] }).has(AREAS.HANDS));
  assert.deepEqual(s.hands.map((x) => x.person), ["b", "c"]);
});

test("only non-hosts on the stage may raise a hand", () => {
  assert.equal(mayRaiseHand(welcomed("attendee")), true);
  assert.equal(mayRaiseHand(welcomed("moderator")), true);
  assert.equal(mayRaiseHand(welcomed("host")), false);
  const s = welcomed("attendee");
  s.here.room = "t1";
  assert.equal(mayRaiseHand(s), false);
});
