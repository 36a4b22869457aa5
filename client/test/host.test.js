// Issue 12 without a browser: rooms read in the reader's language, resolved flags
// in the state, and the moderation log as sentences in fi, sv and en.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createState, apply, roomTitle, localText } from "../src/state.js";
import { SERVER_EVENTS as S } from "../src/protocol.js";
import { setLang } from "../src/i18n.js";
import { logLine } from "../src/host/moderation.js";

const strip = (s) => s.replace(/[\u2066-\u2069]/g, "");
const room = (id, extra = {}) => ({ id, title: id, theme: "", kind: "table", open: true, capacity: null, count: 0, titles: {}, themes: {}, ...extra });

const LOBBY = room("lobby", { kind: "lobby", title: "Aula", theme: "Lobby", titles: { fi: "Aula", sv: "Foajén", en: "Lobby" }, themes: { fi: "Kaikki aloittavat täältä", en: "Everyone starts here" } });

function welcomed() {
  const s = createState();
  apply(s, S.WELCOME, {
    event: { slug: "e", title: "E", lobby: "lobby", timer: null, room_size: [1000, 1000] },
    me: { id: "me", name: "Me", role: "host", room: "lobby", card: {}, muted_until: null },
    rooms: [
      LOBBY,
      room("t1", { title: "Työ", titles: { fi: "Työ", en: "Work" } }),
    ],
    people: [{ id: "me", name: "Me", role: "host", room: "lobby" }, { id: "a", name: "Anna", role: "attendee", room: "lobby" }],
    room: { room: LOBBY, occupants: [], chat: [] },
    requests: [],
  });
  return s;
}

test("a room's title and theme follow the reader's language, falling back to what exists", () => {
  const s = welcomed();
  setLang("sv");
  assert.equal(roomTitle(s, "lobby"), "Foajén");
  assert.equal(roomTitle(s, "t1"), "Työ"); // no Swedish: the plain (default language) one
  assert.equal(s.rooms.get("lobby").theme, "Lobby"); // plain theme when sv is missing
  setLang("fi");
  assert.equal(s.rooms.get("lobby").theme, "Kaikki aloittavat täältä");
  setLang("en");
  assert.equal(roomTitle(s, "t1"), "Work");
  // A presence update merges into the room and keeps the maps.
  apply(s, S.PRESENCE, { people: [], gone: [], rooms: [{ id: "t1", count: 3 }] });
  assert.equal(roomTitle(s, "t1"), "Work");
  assert.equal(s.rooms.get("t1").count, 3);
  assert.equal(localText({}, "", "fi"), "");
  assert.equal(localText({ en: "x" }, "", "fi"), "x");
});

test("flag:resolved marks the flag in the state", () => {
  const s = welcomed();
  apply(s, S.FLAG_NEW, { flag: "f1", from: "a", person: "me", reason: "r", at: 1 });
  const changed = apply(s, S.FLAG_RESOLVED, { flag: "f1", person: "me", resolved_at: 5, resolved_by: "x", resolved_by_name: "Mia" });
  assert.ok(changed.has("flags"));
  assert.equal(s.flags[0].resolved_at, 5);
  assert.equal(s.flags[0].reason, "r");
});

test("the moderation log reads as sentences in each language", () => {
  const ctx = { state: welcomed() };
  const at = Date.UTC(2026, 11, 1, 12, 5);
  const timer = { at, actor: "me", actor_name: "Anna", action: "timer:set", target: null, detail: { seconds: 600, label: "Kierros", ends_at: at + 600000 } };
  setLang("en");
  assert.match(strip(logLine(ctx, timer)), /^Timer set to 10 min by Anna at \d/);
  setLang("fi");
  assert.match(strip(logLine(ctx, timer)), /^Anna asetti ajastimen 10 minuuttiin klo /);
  setLang("sv");
  assert.match(strip(logLine(ctx, timer)), /^Timern ställdes på 10 min av Anna kl\. /);
  setLang("en");
  const close = { at, actor: "me", actor_name: "Anna", action: "room:close", target: "t1", target_name: "Työ", detail: { moved: 2 } };
  assert.match(strip(logLine(ctx, close)), /^Table Work closed by Anna at /);
  const ban = { at, actor: "me", actor_name: "Anna", action: "mod:kick", target: "a", target_name: "Bert", detail: { reason: "Spam", ban: true } };
  assert.match(strip(logLine(ctx, ban)), /^Bert removed and banned by Anna at .*: “Spam”$/);
  const odd = { at, actor: "me", actor_name: "Anna", action: "something:new", target: null, detail: {} };
  assert.match(strip(logLine(ctx, odd)), /^something:new by Anna at /);
  assert.doesNotMatch(logLine(ctx, timer), /ends_at|seconds/);
});
