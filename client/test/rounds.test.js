// Rounds messages in rounds.js, shaped as in the contract (v1.2 networking rounds).
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyRound, roundsState, sharedInterests } from "../src/rounds.js";
import { SERVER_EVENTS as S } from "../src/protocol.js";

const series = (extra = {}) => ({ id: "s1", round: 1, of: 3, minutes: 5, group_size: 4, state: "running", ends_at: 1000, ...extra });
const person = (id, extra = {}) => ({ id, name: id, organization: "", title: "", role: "attendee", room: "t1", status: "available", muted: false, ...extra });

test("a round seats, warns, ends with mates, and the series ends", () => {
  const state = { rounds: roundsState() };
  assert.ok(applyRound(state, S.WELCOME, { rounds: series(), rounds_in: false }));
  assert.equal(state.rounds.in, false);
  applyRound(state, S.ROUND_SEATED, { series: "s1", round: 1, room: { room: { id: "t9" }, occupants: [], chat: [] }, group: [person("a"), person("b")], ends_at: 5000 });
  assert.deepEqual([state.rounds.room, state.rounds.endsAt, state.rounds.group.length], ["t9", 5000, 2]);
  applyRound(state, S.ROUND_WARNING, { series: "s1", round: 1, ends_at: 5000 });
  assert.ok(state.rounds.warned);
  applyRound(state, S.ROUND_ENDED, { series: "s1", round: 1, mates: [person("b")] });
  assert.deepEqual([state.rounds.group, state.rounds.mates.map((p) => p.id), state.rounds.warned], [[], ["b"], false]);
  applyRound(state, S.ROUNDS, null);
  assert.equal(state.rounds.series, null);
  assert.equal(state.rounds.mates.length, 1, "the mates stay to ask for cards after the series");
});

test("shared interests are counted case-insensitively, not with oneself", () => {
  const me = person("me", { interests: ["Housing", "youth work"] });
  const found = sharedInterests(me, [me, person("a", { interests: ["housing"] }), person("b", { interests: ["HOUSING", "sports"] })]);
  assert.deepEqual([...found.entries()], [["Housing", 2]]);
});

test("unknown messages change nothing", () => {
  const state = { rounds: roundsState() };
  assert.equal(applyRound(state, S.CHAT, {}), false);
});
