'use strict';
// The yardstick: a bare Node socket.io server doing only what bench/loadgen.py
// needs (join, welcome, enter, batched positions, chat), with Kohtaamo's wire
// shapes (docs/protocol.md) and socket.io's msgpack parser. It is written the
// way a competent Node developer would in an afternoon — io.to(room).emit for
// every broadcast, one setInterval tick — and deliberately not tuned.
//
//   node server.js --port 0 --event bench --tables 40 [--tick-hz 10] [--deflate]
//
// Prints "listening on http://127.0.0.1:PORT" once it accepts connections.
// Everything else a client asks for is answered `bad_request` "unknown request",
// which the generator counts apart. No /metrics (404), no grace, no presence.

const http = require('node:http');
const crypto = require('node:crypto');
const { parseArgs } = require('node:util');
const { Server } = require('socket.io');
const msgpackParser = require('socket.io-msgpack-parser');

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    event: { type: 'string', default: 'bench' },
    tables: { type: 'string', default: '1' },
    'tick-hz': { type: 'string', default: '10' },
    // socket.io's default is to refuse permessage-deflate, as Kohtaamo does
    deflate: { type: 'boolean', default: false },
  },
});

const ROOM_SIZE = [1000, 1000];
const TICK_HZ = Number(opts['tick-hz']);
const CHAT_KEPT = 50;

// --- the event: a lobby and the tables, the people and their tokens -------------

const rooms = new Map();
function addRoom(id, title, kind) {
  rooms.set(id, {
    id, title, theme: 'bench', kind, open: true, capacity: null,
    occupants: new Map(), // person id -> [x, y]
    pending: new Map(), // person id -> [x, y], moved since the last tick
    chat: [],
  });
}
addRoom('lobby', 'Lobby', 'lobby');
for (let i = 1; i <= Number(opts.tables); i++) addRoom(`t${i}`, `Table ${i}`, 'table');
const lobby = rooms.get('lobby');

const people = new Map(); // id -> Person (its public wire form, kept current)
const present = new Set(); // ids of the people connected now
const tokens = new Map(); // token -> person id
let nextId = 0;

function roomWire(room) {
  const { id, title, theme, kind, open, capacity } = room;
  return { id, title, theme, kind, open, capacity, count: room.occupants.size };
}

function roomDetail(room) {
  const occupants = [];
  for (const [id, [x, y]] of room.occupants) occupants.push({ id, x, y });
  return { room: roomWire(room), occupants, chat: room.chat };
}

function eventInfo() {
  return {
    slug: opts.event, title: 'Benchmark (Node baseline)', description: '',
    requires_code: false, rooms: [...rooms.values()].map(roomWire),
  };
}

// --- HTTP: event info and join ------------------------------------------------------

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function httpError(res, status, code, message) {
  sendJson(res, status, { error: { code, message, field: null } });
}

function join(req, res) {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    let profile;
    try { profile = JSON.parse(body); } catch { return httpError(res, 400, 'bad_request', 'not JSON'); }
    const name = typeof profile?.name === 'string' ? profile.name.trim() : '';
    if (name.length < 1 || name.length > 80) return httpError(res, 400, 'bad_request', 'name');
    const person = {
      id: `p${++nextId}`, name, organization: '', title: '', interests: [],
      role: 'attendee', room: null, status: 'available', muted: false,
    };
    const token = crypto.randomBytes(24).toString('base64url');
    people.set(person.id, person);
    tokens.set(token, person.id);
    sendJson(res, 201, { token, person });
  });
}

const base = `/api/events/${opts.event}`;
const httpServer = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === base) return sendJson(res, 200, eventInfo());
  if (req.method === 'POST' && path === `${base}/join`) return join(req, res);
  if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
  return httpError(res, 404, 'not_found', 'no such resource');
});

// --- Socket.IO ----------------------------------------------------------------------

const io = new Server(httpServer, {
  parser: msgpackParser,
  transports: ['websocket'],
  perMessageDeflate: opts.deflate ? { threshold: 1024 } : false,
  // Kohtaamo's heartbeat (server/config.py), so both servers ping as often
  pingInterval: 5000,
  pingTimeout: 5000,
});

io.use((socket, next) => {
  const id = tokens.get(socket.handshake.auth?.token);
  if (id === undefined) {
    const err = new Error('unauthorized');
    err.data = { code: 'unauthorized', message: 'unknown token' };
    return next(err);
  }
  socket.data.personId = id;
  next();
});

// a failed request: its ack, or an `error` event when it was sent without one
function fail(socket, request, ack, code, message) {
  if (typeof ack === 'function') ack({ ok: false, error: { code, message } });
  else socket.emit('error', { code, message, request });
}

function clamp(v, hi) {
  return Math.round(Math.min(Math.max(v, 0), hi));
}

function leaveRoom(socket, person) {
  const room = rooms.get(person.room);
  if (room === undefined) return;
  room.occupants.delete(person.id);
  room.pending.delete(person.id);
  socket.leave(room.id);
  socket.to(room.id).emit('room:left', { room: room.id, person: person.id });
  person.room = null;
}

function seat(socket, person, room) {
  leaveRoom(socket, person);
  const x = 1 + Math.floor(Math.random() * (ROOM_SIZE[0] - 1));
  const y = 1 + Math.floor(Math.random() * (ROOM_SIZE[1] - 1));
  room.occupants.set(person.id, [x, y]);
  person.room = room.id;
  socket.join(room.id);
  socket.to(room.id).emit('room:joined', { room: room.id, person, x, y });
}

const HANDLED = new Set(['enter', 'move', 'say']);

io.on('connection', (socket) => {
  const person = people.get(socket.data.personId);
  present.add(person.id);
  seat(socket, person, lobby);
  socket.emit('welcome', {
    event: {
      slug: opts.event, title: 'Benchmark (Node baseline)', description: '',
      lobby: lobby.id, timer: null, tick_hz: TICK_HZ, presence_hz: 2,
      grace_seconds: 30, room_size: ROOM_SIZE,
    },
    me: { ...person, card: { name: person.name }, muted_until: null },
    rooms: [...rooms.values()].map(roomWire),
    people: [...present].map((id) => people.get(id)),
    room: roomDetail(lobby),
    requests: [],
  });

  socket.onAny((name, ...args) => {
    if (HANDLED.has(name)) return;
    fail(socket, name, args.at(-1), 'bad_request', `unknown request: ${name}`);
  });

  socket.on('enter', (data, ack) => {
    const room = rooms.get(data?.room);
    if (room === undefined) return fail(socket, 'enter', ack, 'not_found', 'no such room');
    if (person.room !== room.id) seat(socket, person, room);
    if (typeof ack === 'function') ack({ ok: true, room: roomDetail(room) });
  });

  socket.on('move', (data) => {
    const room = rooms.get(person.room);
    if (room === undefined || !Number.isFinite(data?.x) || !Number.isFinite(data?.y)) return;
    const point = [clamp(data.x, ROOM_SIZE[0]), clamp(data.y, ROOM_SIZE[1])];
    room.occupants.set(person.id, point);
    room.pending.set(person.id, point);
  });

  socket.on('say', (data, ack) => {
    const text = typeof data?.text === 'string' ? data.text.trim() : '';
    if (text.length < 1 || text.length > 1000) return fail(socket, 'say', ack, 'bad_request', 'text must be 1 to 1000 characters');
    const room = rooms.get(person.room);
    const message = {
      id: `m${++nextId}`, room: room.id, from: person.id, name: person.name,
      text, ts: Date.now(),
    };
    room.chat.push(message);
    if (room.chat.length > CHAT_KEPT) room.chat.shift();
    io.to(room.id).emit('chat', message);
    if (typeof ack === 'function') ack({ ok: true, message });
  });

  socket.on('disconnect', () => {
    leaveRoom(socket, person);
    present.delete(person.id);
  });
});

// --- the tick: one `positions` per room where someone moved ------------------------

const tick = setInterval(() => {
  const ts = Date.now();
  for (const room of rooms.values()) {
    if (room.pending.size === 0) continue;
    const p = [];
    for (const [id, [x, y]] of room.pending) p.push([id, x, y]);
    room.pending.clear();
    io.to(room.id).emit('positions', { room: room.id, ts, p });
  }
}, 1000 / TICK_HZ);

httpServer.listen(Number(opts.port), opts.host, () => {
  const { address, port } = httpServer.address();
  console.log(`listening on http://${address}:${port}`);
});

function shutdown() {
  clearInterval(tick);
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
