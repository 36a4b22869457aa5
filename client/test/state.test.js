// Protocol handling in state.js, driven by messages shaped as in the contract.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  createState, apply, entered, sent, setConn, isMuted, searchPeople, roomsInOrder,
  peopleIn, initials, CONN, AREAS, maySpeak,
} from "../src/state.js";
import { SERVER_EVENTS as S } from "../src/protocol.js";

const room = (id, extra = {}) => ({ id, title: id.toUpperCase(), theme: "", kind: "table", open: true, capacity: 12, count: 0, ...extra });
const person = (id, extra = {}) => ({ id, name: `Person ${id}`, organization: "", title: "", role: "attendee", room: "lobby", status: "available", muted: false, ...extra });

function welcomed() {
  const s = createState();
  apply(s, S.WELCOME, {
    event: { slug: "e", title: "E", description: "", lobby: "lobby", timer: null, tick_hz: 10, presence_hz: 2, grace_seconds: 30, room_size: [1000, 1000] },
    me: { ...person("me"), card: { name: "Person me" }, muted_until: null },
    rooms: [room("t1"), room("lobby", { kind: "lobby", capacity: null, count: 2 }), room("t2", { open: false })],
    people: [person("me"), person("a", { organization: "Acme", interests: ["housing"] })],
    room: { room: room("lobby", { kind: "lobby", capacity: null, count: 2 }), occupants: [{ id: "me", x: 500, y: 500 }, { id: "a", x: 10, y: 20 }], chat: [{ id: "c1", room: "lobby", from: "a", name: "Person a", text: "hi", ts: 1 }] },
    requests: [],
  });
  return s;
}

test("welcome fills everything and marks the connection as connected", () => {
  const s = welcomed();
  assert.equal(s.conn, CONN.CONNECTED);
  assert.equal(s.me.id, "me");
  assert.equal(s.here.room, "lobby");
  assert.deepEqual(s.here.occupants.get("a"), { x: 10, y: 20 });
  assert.equal(s.chat.length, 1);
  assert.deepEqual(roomsInOrder(s).map((r) => r.id), ["lobby", "t1", "t2"]);
});

test("presence applies changed people, gone ids and changed rooms", () => {
  const s = welcomed();
  const changes = apply(s, S.PRESENCE, { people: [person("b", { room: "t1" })], gone: ["a"], rooms: [room("t1", { count: 1 })] });
  assert.ok(changes.has(AREAS.PEOPLE) && changes.has(AREAS.ROOMS));
  assert.ok(!s.people.has("a"));
  assert.equal(s.rooms.get("t1").count, 1);
  assert.deepEqual(peopleIn(s, "t1").map((p) => p.id), ["b"]);
});

test("presence about me updates me but keeps my card", () => {
  const s = welcomed();
  apply(s, S.PRESENCE, { people: [person("me", { status: "busy" })], gone: [], rooms: [] });
  assert.equal(s.me.status, "busy");
  assert.equal(s.me.card.name, "Person me");
});

test("positions only touch the room I am in, and only the people listed", () => {
  const s = welcomed();
  apply(s, S.POSITIONS, { room: "t1", ts: 5, p: [["a", 1, 1]] });
  assert.deepEqual(s.here.occupants.get("a"), { x: 10, y: 20 });
  apply(s, S.POSITIONS, { room: "lobby", ts: 6, p: [["a", 300, 400]] });
  assert.deepEqual(s.here.occupants.get("a"), { x: 300, y: 400 });
  assert.deepEqual(s.here.occupants.get("me"), { x: 500, y: 500 });
});

test("room:joined and room:left add and remove occupants", () => {
  const s = welcomed();
  apply(s, S.ROOM_JOINED, { room: "lobby", person: person("c"), x: 7, y: 8 });
  assert.deepEqual(s.here.occupants.get("c"), { x: 7, y: 8 });
  assert.equal(s.people.get("c").room, "lobby");
  apply(s, S.ROOM_LEFT, { room: "lobby", person: "c" });
  assert.ok(!s.here.occupants.has("c"));
});

test("room:changes adds who came and removes who went, leaving me alone", () => {
  const s = welcomed();
  apply(s, S.ROOM_JOINED, { room: "lobby", person: person("c"), x: 1, y: 2 });
  const mine = s.here.occupants.get("me");
  const changed = apply(s, S.ROOM_CHANGES, {
    room: "lobby",
    joined: [{ person: person("d"), x: 7, y: 8 }, { person: person("me"), x: 500, y: 500 }],
    left: ["c", "me"],
  });
  assert.deepEqual(s.here.occupants.get("d"), { x: 7, y: 8 });
  assert.equal(s.people.get("d").room, "lobby");
  assert.ok(!s.here.occupants.has("c"));
  assert.deepEqual(s.here.occupants.get("me"), mine);
  assert.ok(changed.size > 0);
  apply(s, S.ROOM_CHANGES, { room: "t1", joined: [{ person: person("e"), x: 3, y: 4 }], left: [] });
  assert.equal(s.people.get("e").room, "t1");
  assert.ok(!s.here.occupants.has("e"), "another table's changes leave mine alone");
});

test("chat is kept once even when the ack and the broadcast both arrive", () => {
  const s = welcomed();
  const m = { id: "c2", room: "lobby", from: "me", name: "Person me", text: "<b>x</b>", ts: 2 };
  sent(s, m);
  apply(s, S.CHAT, m);
  assert.equal(s.chat.filter((x) => x.id === "c2").length, 1);
  apply(s, S.CHAT, { ...m, id: "c3", room: "t1" });
  assert.ok(!s.chat.some((x) => x.id === "c3"), "chat of another room is ignored");
  apply(s, S.WHISPER, { ...m, id: "w1", room: "t1", to: "me" });
  assert.ok(s.chat.some((x) => x.id === "w1"), "whispers reach me wherever I am");
});

test("enter ack and moved replace the room, occupants and chat history", () => {
  const s = welcomed();
  entered(s, { room: room("t1", { count: 1 }), occupants: [{ id: "me", x: 1, y: 2 }], chat: [] });
  assert.equal(s.here.room, "t1");
  assert.equal(s.chat.length, 0);
  assert.equal(s.people.get("me").room, "t1");
  apply(s, S.MOVED, { room: { room: room("lobby", { kind: "lobby" }), occupants: [], chat: [] }, reason: "room_closed", by: null });
  assert.equal(s.here.room, "lobby");
  assert.deepEqual(s.lastMove, { reason: "room_closed", by: null });
});

test("muted with an end time ends by itself; unmuted clears it", () => {
  const s = welcomed();
  apply(s, S.MUTED, { until: 1000, by: "Mod" });
  assert.ok(isMuted(s, 999));
  assert.ok(!isMuted(s, 1001));
  apply(s, S.MUTED, { until: null, by: "Mod" });
  assert.ok(isMuted(s, 10 ** 15));
  apply(s, S.UNMUTED, {});
  assert.ok(!isMuted(s, 0));
});

test("kicked and replaced are final until a new welcome", () => {
  const s = welcomed();
  apply(s, S.KICKED, { reason: "spam" });
  assert.equal(s.conn, CONN.KICKED);
  assert.equal(s.connDetail, "spam");
  setConn(s, CONN.RECONNECTING);
  assert.equal(s.conn, CONN.KICKED);
  setConn(s, CONN.CLOSED);
  assert.equal(s.conn, CONN.KICKED);
});

test("card requests, exchanges and declines", () => {
  const s = welcomed();
  apply(s, S.CARD_REQUESTED, { request: "q1", from: person("a"), at: 1 });
  apply(s, S.CARD_REQUESTED, { request: "q1", from: person("a"), at: 1 });
  assert.equal(s.requests.length, 1);
  apply(s, S.CARD_EXCHANGED, { person: "a", card: { name: "Person a" }, met_in: "lobby", met_in_title: "Lobby", at: 2 });
  assert.equal(s.requests.length, 0);
  assert.ok(s.contacts.has("a"));
  s.sentRequests.set("b", "q2");
  apply(s, S.CARD_DECLINED, { request: "q2" });
  assert.ok(!s.sentRequests.has("b"));
});

test("search matches name, organization and interests, accents ignored, not me", () => {
  const s = welcomed();
  apply(s, S.PRESENCE, { people: [person("b", { name: "Åsa Öberg", organization: "Kunta" })], gone: [], rooms: [] });
  assert.deepEqual(searchPeople(s, "acme").map((p) => p.id), ["a"]);
  assert.deepEqual(searchPeople(s, "HOUSING").map((p) => p.id), ["a"]);
  assert.deepEqual(searchPeople(s, "asa ober").map((p) => p.id), ["b"]);
  assert.ok(!searchPeople(s, "").some((p) => p.id === "me"));
});

test("initials", () => {
  assert.equal(initials("aino maria virtanen"), "AV");
  assert.equal(initials("Ödön"), "Ö");
  assert.equal(initials("  "), "?");
  assert.equal(initials("\u202eevil.exe"), "E");  // a bidi control is not a letter
  assert.equal(initials("\"Aino\" Virtanen"), "AV");
});

test("media:streams of my room and stage speakers decide who may speak where", () => {
  const s = welcomed();
  assert.equal(maySpeak(s), false); // the lobby is the stage: attendees listen
  apply(s, S.STAGE, { speakers: ["me"] });
  assert.equal(maySpeak(s), true);
  const changes = apply(s, S.MEDIA_STREAMS, { room: "lobby", publishers: [{ person: "a", audio: true, video: false, screen: false }] });
  assert.ok(changes.has(AREAS.MEDIA));
  assert.deepEqual(s.streams.get("a"), { audio: true, video: false, screen: false });
  apply(s, S.MEDIA_STREAMS, { room: "t1", publishers: [] }); // another room's: ignored
  assert.equal(s.streams.size, 1);
  entered(s, { room: room("t1"), occupants: [], chat: [] });
  assert.equal(s.streams.size, 0); // a new room's publishers come with its own media:streams
  assert.equal(maySpeak(s), true); // at a table everyone may
});
