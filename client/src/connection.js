// The Socket.IO connection: one socket per page, requests with acks, and the
// rules for when to reconnect (never after the server ended the session).

import { io, msgpackParser } from "/static/dist/vendor.js";
import { CLIENT_EVENTS, SERVER_EVENTS, ERROR_CODES, CONNECT_ERRORS, CLIENT_TIMEOUT } from "./protocol.js";

const ACK_TIMEOUT_MS = 10_000;

/**
 * connect(token, handlers) -> {request(name, payload), send(name, payload), close(), reconnect()}
 * handlers: onMessage(name, payload), onConn(state, detail)
 *   states: "connecting" | "connected" | "reconnecting" | "refused" | "closed"
 */
export function connect(token, { onMessage, onConn }) {
  const socket = io({
    path: "/socket.io/",
    transports: ["websocket"],
    // compact: batched `room:changes` instead of one room:joined/left each
    auth: { token, compact: true },
    parser: msgpackParser,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });

  for (const name of Object.values(SERVER_EVENTS)) {
    socket.on(name, (payload) => onMessage(name, payload));
  }
  socket.on("connect", () => onConn("connected"));
  socket.on("disconnect", (reason) => {
    // "io server disconnect": the server ended this session (replaced, kicked).
    // Socket.IO does not reconnect by itself then, and neither do we.
    if (reason === "io server disconnect" || reason === "io client disconnect") onConn("closed", reason);
    else onConn("reconnecting", reason);
  });
  socket.on("connect_error", (err) => {
    const code = err?.data?.code;
    if (code === CONNECT_ERRORS.UNAUTHORIZED || code === CONNECT_ERRORS.BANNED) {
      // A refused token will be refused again: stop trying.
      socket.disconnect();
      onConn("refused", code);
    } else if (!socket.active) {
      onConn("refused", CONNECT_ERRORS.UNAUTHORIZED);
    } else {
      onConn("reconnecting", "connect_error");
    }
  });

  return {
    socket,
    /** Emit with an ack; resolves to the ack, or {ok:false,error:{code:"timeout"}}. */
    async request(name, payload = {}) {
      try {
        const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(name, payload);
        return ack && typeof ack === "object" ? ack : { ok: false, error: { code: ERROR_CODES.INTERNAL, message: "" } };
      } catch {
        return { ok: false, error: { code: CLIENT_TIMEOUT, message: "" } };
      }
    },
    /** Fire and forget (only `move`); dropped while offline rather than queued.
     * Not `volatile`: that also drops a move while the socket is busy writing,
     * and the move it drops may be the last of a gesture, leaving you short of
     * where you went (moves are already throttled to MOVE_RATE_HZ). */
    move(x, y) {
      if (socket.connected) socket.emit(CLIENT_EVENTS.MOVE, { x, y });
    },
    close() { socket.disconnect(); },
    reconnect() { socket.connect(); },
  };
}
