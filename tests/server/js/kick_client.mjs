// A real browser-side Socket.IO client (socket.io-client + socket.io-msgpack-parser
// from client/node_modules) run by Node for tests/server/test_staff_js.py.
//
// Usage: node kick_client.mjs URL TOKEN [QUIET_MS]
// Prints one JSON line per thing that happens: connect, welcome, kicked,
// disconnect {reason}, reconnect_attempt, connect_error {data}. After a
// disconnect it waits QUIET_MS (default 3000) to see whether the client
// reconnects by itself, then connects once on purpose (as a user reloading the
// page would) to show whether the token is still accepted, and exits.
import { createRequire } from "node:module";

const require = createRequire(new URL("../../../client/package.json", import.meta.url));
const { io } = require("socket.io-client");
const parser = require("socket.io-msgpack-parser");

const [url, token, quietArg] = process.argv.slice(2);
const quietMs = Number(quietArg ?? 3000);
const say = (event, data = {}) => process.stdout.write(JSON.stringify({ event, ...data }) + "\n");

const socket = io(url, {
  auth: { token },
  parser,
  transports: ["websocket"],
  reconnectionDelay: 100,
  reconnectionDelayMax: 200,
});

let phase = "first";
const finish = (code) => { socket.close(); say("done", { phase }); process.exit(code); };
const timeout = setTimeout(() => { say("timeout", { phase }); finish(2); }, 30000);
timeout.unref();

socket.on("connect", () => say("connect", { phase }));
socket.on("welcome", (w) => say("welcome", { phase, me: w.me.id }));
socket.on("kicked", (data) => say("kicked", { phase, data }));
socket.io.on("reconnect_attempt", (n) => say("reconnect_attempt", { phase, n }));
socket.on("connect_error", (err) => {
  say("connect_error", { phase, message: err.message, data: err.data ?? null });
  if (phase === "retry") finish(0);
});
socket.on("disconnect", (reason) => {
  say("disconnect", { phase, reason });
  if (phase !== "first") { finish(0); return; }
  phase = "quiet";
  setTimeout(() => {
    phase = "retry";
    say("retrying", { phase, active: socket.active });
    socket.connect();
    setTimeout(() => finish(0), 3000);
  }, quietMs);
});
