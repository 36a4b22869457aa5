// The client's model of the fair, fed by server messages; no DOM, no I/O.
//
// Rule: every function here takes plain data and the state object and returns
// what changed (a Set of area names the views redraw), so the protocol handling
// can be tested with `node --test` without a browser or a server.

import { applyRound, roundsState } from "./rounds.js";
import { SERVER_EVENTS as S, ROOM_KINDS, ROLES } from "./protocol.js";
import { getLang } from "./i18n.js";

const CHAT_KEEP = 200;

/** Areas a view may need to redraw. */
export const AREAS = Object.freeze({
  EVENT: "event", ME: "me", ROOMS: "rooms", PEOPLE: "people", HERE: "here",
  POSITIONS: "positions", CHAT: "chat", REQUESTS: "requests", TIMER: "timer",
  ANNOUNCEMENT: "announcement", CONTACTS: "contacts", FLAGS: "flags", CONN: "conn",
  MEDIA: "media", HANDS: "hands", ROUNDS: "rounds",
});
const A = AREAS;

/** Connection states shown to the person. */
export const CONN = Object.freeze({
  CONNECTING: "connecting", CONNECTED: "connected", RECONNECTING: "reconnecting",
  REPLACED: "replaced", KICKED: "kicked", REFUSED: "refused", CLOSED: "closed",
});

export function createState() {
  return {
    event: null,
    me: null,
    rooms: new Map(),          // id -> Room, in the server's order
    people: new Map(),         // id -> Person
    here: null,                // {room: id, occupants: Map id -> {x, y}}
    chat: [],                  // ChatMessage, oldest first, mine and whispers included
    requests: [],              // CardRequest addressed to me
    requestsNext: null,        // cursor for older pending requests (GET /api/me/requests)
    sentRequests: new Map(),   // person id -> request id I sent
    contacts: new Map(),       // person id -> Contact
    timer: null,
    announcement: null,
    flags: [],
    lastMove: null,            // {reason, by} of the latest `moved`
    conn: CONN.CONNECTING,
    connDetail: null,          // kick reason, refusal code
    streams: new Map(),        // person id -> {audio, video, screen}: who publishes in my room
    speakers: new Set(),       // people invited to speak on the stage
    rounds: roundsState(),     // networking rounds (rounds.js)
    hand: null,                // my hand on the stage: {raised, at, reason}
    hands: [],                 // hosts: raised hands {person, name, at}, oldest first
  };
}

function upsertPerson(state, person) {
  const old = state.people.get(person.id);
  state.people.set(person.id, old ? { ...old, ...person } : { ...person });
  if (state.me && person.id === state.me.id) {
    state.me = { ...state.me, ...person };
  }
}

const WIRE = Symbol("wire");

/**
 * A room as the views read it (issue 12): `title` and `theme` are in the reader's
 * language at the moment they are read (getters over the wire's `titles` and
 * `themes` maps, falling back to the plain strings), so a language switch needs
 * no reload. `wireRoom(room)` is what the server sent.
 */
function roomRecord(old, wire) {
  const raw = { ...(old?.[WIRE] || {}), ...wire };
  const room = { ...raw };
  Object.defineProperty(room, WIRE, { value: raw });
  for (const [name, maps] of [["title", "titles"], ["theme", "themes"]]) {
    Object.defineProperty(room, name, { enumerable: true, get: () => localText(raw[maps], raw[name]) });
  }
  return room;
}

/** The text in the reader's language, else the plain one, else any language's. */
export function localText(texts, plain, lang = getLang()) {
  if (texts && texts[lang]) return texts[lang];
  if (plain) return plain;
  return Object.values(texts || {}).find(Boolean) || "";
}

export function wireRoom(room) {
  return room?.[WIRE] || room;
}

function setHere(state, detail) {
  const occupants = new Map();
  for (const o of detail.occupants || []) occupants.set(o.id, { x: o.x, y: o.y });
  if (state.here?.room !== detail.room.id) state.streams = new Map();
  state.here = { room: detail.room.id, occupants };
  state.rooms.set(detail.room.id, roomRecord(state.rooms.get(detail.room.id), detail.room));
  state.chat = dedupe(detail.chat || []);
  if (state.me) {
    state.me = { ...state.me, room: detail.room.id };
    const p = state.people.get(state.me.id);
    if (p) state.people.set(p.id, { ...p, room: detail.room.id });
  }
}

function dedupe(messages) {
  const seen = new Set();
  const out = [];
  for (const m of messages) {
    if (m.id != null && seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out.slice(-CHAT_KEEP);
}

function addChat(state, msg) {
  if (msg.id != null && state.chat.some((m) => m.id === msg.id)) return false;
  state.chat.push(msg);
  if (state.chat.length > CHAT_KEEP) state.chat.splice(0, state.chat.length - CHAT_KEEP);
  return true;
}

/** Apply one server message; returns the Set of changed areas. */
export function apply(state, name, msg) {
  const changed = new Set();
  switch (name) {
    case S.WELCOME: {
      state.event = { ...msg.event };
      state.rooms = new Map(msg.rooms.map((r) => [r.id, roomRecord(null, r)]));
      state.people = new Map(msg.people.map((p) => [p.id, { ...p }]));
      const { card, muted_until, ...person } = msg.me;
      state.me = { ...person, card: card || {}, muted_until: muted_until ?? null, muted_by: null };
      state.people.set(person.id, { ...state.people.get(person.id), ...person });
      state.timer = msg.event.timer || null;
      state.requests = [...(msg.requests || [])];
      state.requestsNext = msg.requests_next ?? null;
      state.speakers = new Set(msg.event.speakers || []);
      state.hand = msg.event.hand || null;
      state.hands = [...(msg.event.hands || [])];
      applyRound(state, S.WELCOME, msg);
      setHere(state, msg.room);
      state.conn = CONN.CONNECTED;
      state.connDetail = null;
      for (const a of Object.values(A)) changed.add(a);
      break;
    }
    case S.PRESENCE: {
      for (const p of msg.people || []) upsertPerson(state, p);
      for (const id of msg.gone || []) state.people.delete(id);
      for (const r of msg.rooms || []) state.rooms.set(r.id, roomRecord(state.rooms.get(r.id), r));
      // (extension) tables a series of rounds made and removed
      for (const id of msg.rooms_gone || []) { state.rooms.delete(id); changed.add(A.ROOMS); }
      if ((msg.people || []).length || (msg.gone || []).length) changed.add(A.PEOPLE);
      if ((msg.rooms || []).length) changed.add(A.ROOMS);
      if (state.me && (msg.people || []).some((p) => p.id === state.me.id)) changed.add(A.ME);
      // Faces on the table cards come from people's rooms.
      if (changed.has(A.PEOPLE)) changed.add(A.ROOMS);
      break;
    }
    case S.POSITIONS: {
      if (!state.here || msg.room !== state.here.room) break;
      for (const [id, x, y] of msg.p || []) state.here.occupants.set(id, { x, y });
      changed.add(A.POSITIONS);
      break;
    }
    case S.ROOM_JOINED: {
      upsertPerson(state, { ...msg.person, room: msg.room });
      if (state.here && msg.room === state.here.room) {
        state.here.occupants.set(msg.person.id, { x: msg.x, y: msg.y });
        changed.add(A.HERE).add(A.POSITIONS);
      }
      changed.add(A.PEOPLE).add(A.ROOMS);
      break;
    }
    case S.ROOM_LEFT: {
      if (state.here && msg.room === state.here.room) {
        state.here.occupants.delete(msg.person);
        changed.add(A.HERE).add(A.POSITIONS);
      }
      break;
    }
    case S.ROOM_CHANGES: {
      // (extension, asked for with `compact`) a table's comings and goings of one
      // tick; it may name me, whose own point and room I already know.
      const here = state.here && msg.room === state.here.room;
      const me = state.me?.id;
      if (here) {
        for (const id of msg.left || []) if (id !== me) state.here.occupants.delete(id);
      }
      for (const { person, x, y } of msg.joined || []) {
        if (person.id === me) continue;
        upsertPerson(state, { ...person, room: msg.room });
        if (here) state.here.occupants.set(person.id, { x, y });
      }
      if (here) changed.add(A.HERE).add(A.POSITIONS);
      if ((msg.joined || []).length) changed.add(A.PEOPLE).add(A.ROOMS);
      break;
    }
    case S.CHAT:
    case S.WHISPER: {
      const forHere = state.here && msg.room === state.here.room;
      if ((forHere || msg.to != null) && addChat(state, msg)) changed.add(A.CHAT);
      break;
    }
    case S.ANNOUNCEMENT:
      state.announcement = { ...msg };
      changed.add(A.ANNOUNCEMENT);
      break;
    case S.TIMER:
      state.timer = msg || null;
      changed.add(A.TIMER);
      break;
    case S.CARD_REQUESTED:
      if (!state.requests.some((r) => r.request === msg.request)) state.requests.push(msg);
      changed.add(A.REQUESTS);
      break;
    case S.CARD_EXCHANGED:
      state.contacts.set(msg.person, msg);
      state.sentRequests.delete(msg.person);
      state.requests = state.requests.filter((r) => r.from.id !== msg.person);
      changed.add(A.CONTACTS).add(A.REQUESTS).add(A.PEOPLE);
      break;
    case S.CARD_DECLINED:
      for (const [person, req] of state.sentRequests) {
        if (req === msg.request) state.sentRequests.delete(person);
      }
      changed.add(A.PEOPLE);
      break;
    case S.FLAG_NEW:
      if (!state.flags.some((f) => f.flag === msg.flag)) state.flags.unshift(msg);
      changed.add(A.FLAGS);
      break;
    case S.FLAG_RESOLVED:
      state.flags = state.flags.map((f) => (f.flag === msg.flag ? { ...f, ...msg } : f));
      changed.add(A.FLAGS);
      break;
    case S.MOVED:
      setHere(state, msg.room);
      state.lastMove = { reason: msg.reason, by: msg.by ?? null };
      changed.add(A.HERE).add(A.POSITIONS).add(A.CHAT).add(A.ROOMS).add(A.PEOPLE).add(A.ME);
      break;
    case S.ROUND_SEATED:
      setHere(state, msg.room);
      state.lastMove = { reason: "round", by: null };
      applyRound(state, name, msg);
      changed.add(A.HERE).add(A.POSITIONS).add(A.CHAT).add(A.ROOMS).add(A.PEOPLE).add(A.ME).add(A.ROUNDS);
      break;
    case S.ROUNDS:
    case S.ROUND_WARNING:
    case S.ROUND_ENDED:
      applyRound(state, name, msg);
      changed.add(A.ROUNDS);
      break;
    case S.MUTED:
      state.me = { ...state.me, muted: true, muted_until: msg.until ?? null, muted_by: msg.by ?? null };
      changed.add(A.ME);
      break;
    case S.UNMUTED:
      state.me = { ...state.me, muted: false, muted_until: null, muted_by: null };
      changed.add(A.ME);
      break;
    case S.KICKED:
      state.conn = CONN.KICKED;
      state.connDetail = msg?.reason ?? null;
      changed.add(A.CONN);
      break;
    case S.REPLACED:
      state.conn = CONN.REPLACED;
      changed.add(A.CONN);
      break;
    case S.MEDIA_STREAMS:
      if (!state.here || msg.room !== state.here.room) break;
      state.streams = new Map((msg.publishers || []).map((p) => [p.person, { audio: !!p.audio, video: !!p.video, screen: !!p.screen }]));
      changed.add(A.MEDIA);
      break;
    case S.STAGE:
      state.speakers = new Set(msg.speakers || []);
      changed.add(A.MEDIA);
      break;
    case S.HAND:
      return setHand(state, msg);
    case S.HANDS:
      state.hands = [...(msg.hands || [])];
      changed.add(A.HANDS);
      break;
    default:
      break;
  }
  return changed;
}

/** My hand, from a `hand` message or the ack of `hand:raise` / `hand:lower`. */
export function setHand(state, hand) {
  state.hand = hand ? { raised: !!hand.raised, at: hand.at ?? null, reason: hand.reason ?? null } : null;
  return new Set([A.HANDS]);
}

/** The ack of `enter` carries the new room's detail. */
export function entered(state, detail) {
  setHere(state, detail);
  state.lastMove = null;
  return new Set([A.HERE, A.POSITIONS, A.CHAT, A.ROOMS, A.PEOPLE, A.ME]);
}

/** My own message from a `say` / `whisper` ack (the broadcast may come first or later). */
export function sent(state, message) {
  return addChat(state, message) ? new Set([A.CHAT]) : new Set();
}

/** Record the connection state; ends (replaced, kicked) are sticky until a new welcome. */
export function setConn(state, conn, detail = null) {
  const final = [CONN.REPLACED, CONN.KICKED, CONN.REFUSED];
  if (final.includes(state.conn) && conn !== CONN.CONNECTED) return new Set();
  state.conn = conn;
  state.connDetail = detail;
  return new Set([A.CONN]);
}

export function setContacts(state, contacts) {
  state.contacts = new Map(contacts.map((c) => [c.person, c]));
  return new Set([A.CONTACTS, A.PEOPLE]);
}

export function setFlags(state, flags) {
  state.flags = [...flags];
  return new Set([A.FLAGS]);
}

export function requestSent(state, personId, requestId) {
  state.sentRequests.set(personId, requestId);
  return new Set([A.PEOPLE]);
}

export function requestAnswered(state, requestId) {
  state.requests = state.requests.filter((r) => r.request !== requestId);
  return new Set([A.REQUESTS]);
}

/** An older page of pending requests (oldest first) goes before the ones we have. */
export function olderRequests(state, page, next) {
  const have = new Set(state.requests.map((r) => r.request));
  state.requests = [...page.filter((r) => !have.has(r.request)), ...state.requests];
  state.requestsNext = next ?? null;
  return new Set([A.REQUESTS]);
}

export function setMyPosition(state, x, y) {
  if (!state.here || !state.me) return new Set();
  state.here.occupants.set(state.me.id, { x, y });
  return new Set([A.POSITIONS]);
}

export function setMyCard(state, person, card) {
  state.me = { ...state.me, ...person, card: { ...card } };
  upsertPerson(state, person);
  return new Set([A.ME, A.PEOPLE]);
}

// ---- queries -------------------------------------------------------------

export function isStaff(state) {
  return !!state.me && (state.me.role === ROLES.HOST || state.me.role === ROLES.MODERATOR);
}

export function isHost(state) {
  return !!state.me && state.me.role === ROLES.HOST;
}

/** Muted now? A mute with an end time ends by itself. */
/** Whether I may publish where I am: anywhere at a table; on the stage as a host or speaker. */
export function maySpeak(state) {
  const room = state.here && state.rooms.get(state.here.room);
  if (!room || room.kind !== ROOM_KINDS.LOBBY) return true;
  return state.me?.role === ROLES.HOST || state.speakers.has(state.me?.id);
}

/** Whether I may raise my hand: on the stage (the lobby), and not as a host. */
export function mayRaiseHand(state) {
  const room = state.here && state.rooms.get(state.here.room);
  return !!room && room.kind === ROOM_KINDS.LOBBY && !!state.me && state.me.role !== ROLES.HOST;
}

export function isMuted(state, now) {
  const me = state.me;
  if (!me || !me.muted) return false;
  return me.muted_until == null || me.muted_until > now;
}

export function lobbyId(state) {
  if (state.event?.lobby) return state.event.lobby;
  for (const r of state.rooms.values()) if (r.kind === ROOM_KINDS.LOBBY) return r.id;
  return null;
}

/** Rooms for the floor: the lobby first, then tables in the server's order. */
export function roomsInOrder(state) {
  const all = [...state.rooms.values()];
  return [...all.filter((r) => r.kind === ROOM_KINDS.LOBBY), ...all.filter((r) => r.kind !== ROOM_KINDS.LOBBY)];
}

export function peopleIn(state, roomId) {
  return [...state.people.values()].filter((p) => p.room === roomId);
}

export function roomTitle(state, roomId) {
  return state.rooms.get(roomId)?.title ?? "";
}

/** Search by name, organization, title or interest. */
export function searchPeople(state, query) {
  const words = normalize(query).split(/\s+/).filter(Boolean);
  const list = [...state.people.values()].filter((p) => !state.me || p.id !== state.me.id);
  list.sort((a, b) => a.name.localeCompare(b.name));
  if (!words.length) return list;
  return list.filter((p) => {
    const hay = normalize([p.name, p.organization, p.title, ...(p.interests || [])].filter(Boolean).join(" "));
    return words.every((w) => hay.includes(w));
  });
}

function normalize(s) {
  return String(s || "").toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
}

/** Initials for avatars: first letters of the first and last word. */
export function initials(name) {
  const words = String(name || "").trim().split(/\s+/).filter(Boolean);
  if (!words.length) return "?";
  // The first letter or digit of a word: not a bidi control or a quote mark.
  const lead = (w) => [...w].find((c) => /[\p{L}\p{N}]/u.test(c)) ?? "";
  const first = lead(words[0]) || [...words[0]][0];
  const last = words.length > 1 ? lead(words[words.length - 1]) : "";
  return (first + last).toLocaleUpperCase();
}
