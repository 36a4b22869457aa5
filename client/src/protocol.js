// Every Socket.IO event name and error code the browser client uses.
//
// The rule: no other module spells an event name or an error code as a string
// literal. tests/test_client_protocol.py parses the three object literals below
// and compares them with server/protocol_names.py, so the two sides cannot drift.
// Keep each entry on one line as `KEY: "name",`.

/** Requests the client emits (all with an ack, except `move`). */
export const CLIENT_EVENTS = Object.freeze({
  ENTER: "enter",
  SAY: "say",
  WHISPER: "whisper",
  STATUS: "status",
  MOVE: "move",
  CARD_REQUEST: "card:request",
  CARD_RESPOND: "card:respond",
  WAVE: "wave",
  FLAG: "flag",
  ROOM_CREATE: "room:create",
  ROOM_UPDATE: "room:update",
  ROOM_OPEN: "room:open",
  ROOM_CLOSE: "room:close",
  ANNOUNCE: "announce",
  TIMER_SET: "timer:set",
  TIMER_CLEAR: "timer:clear",
  RECALL: "recall",
  MOD_MUTE: "mod:mute",
  MOD_UNMUTE: "mod:unmute",
  MOD_MOVE: "mod:move",
  MOD_KICK: "mod:kick",
  MOD_UNBAN: "mod:unban",
  FLAG_RESOLVE: "flag:resolve",
  MEDIA_PUBLISH: "media:publish",
  MEDIA_UPDATE: "media:update",
  MEDIA_UNPUBLISH: "media:unpublish",
  MEDIA_SUBSCRIBE: "media:subscribe",
  MEDIA_ANSWER: "media:answer",
  MEDIA_CANDIDATE: "media:candidate",
  MEDIA_UNSUBSCRIBE: "media:unsubscribe",
  STAGE_INVITE: "stage:invite",
  STAGE_REMOVE: "stage:remove",
  HAND_RAISE: "hand:raise",
  HAND_LOWER: "hand:lower",
  HAND_DISMISS: "hand:dismiss",
  ROUNDS_START: "rounds:start",
  ROUNDS_PAUSE: "rounds:pause",
  ROUNDS_RESUME: "rounds:resume",
  ROUNDS_SKIP: "rounds:skip",
  ROUNDS_STOP: "rounds:stop",
  ROUNDS_EXTEND: "rounds:extend",
  ROUNDS_OPT: "rounds:opt",
});

/** Events the server sends. */
export const SERVER_EVENTS = Object.freeze({
  WELCOME: "welcome",
  POSITIONS: "positions",
  ROOM_JOINED: "room:joined",
  ROOM_LEFT: "room:left",
  ROOM_CHANGES: "room:changes",
  PRESENCE: "presence",
  CHAT: "chat",
  WHISPER: "whisper",
  ANNOUNCEMENT: "announcement",
  TIMER: "timer",
  CARD_REQUESTED: "card:requested",
  CARD_EXCHANGED: "card:exchanged",
  CARD_DECLINED: "card:declined",
  WAVED: "waved",
  FLAG_NEW: "flag:new",
  FLAG_RESOLVED: "flag:resolved",
  MOVED: "moved",
  MUTED: "muted",
  UNMUTED: "unmuted",
  KICKED: "kicked",
  REPLACED: "replaced",
  ERROR: "error",
  MEDIA_OFFER: "media:offer",
  MEDIA_CANDIDATE_OUT: "media:candidate",
  MEDIA_STREAMS: "media:streams",
  MEDIA_ENDED: "media:ended",
  STAGE: "stage",
  HAND: "hand",
  HANDS: "hands",
  ROUNDS: "rounds",
  ROUND_SEATED: "round:seated",
  ROUND_WARNING: "round:warning",
  ROUND_ENDED: "round:ended",
});

/** Error codes of failed acks and HTTP errors (the contract's CODE list). */
export const ERROR_CODES = Object.freeze({
  BAD_REQUEST: "bad_request",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not_found",
  ROOM_CLOSED: "room_closed",
  ROOM_FULL: "room_full",
  MUTED: "muted",
  RATE_LIMITED: "rate_limited",
  CONFLICT: "conflict",
  INTERNAL: "internal",
  MOVED: "moved",
  UNAVAILABLE: "unavailable",
});

/** Codes an HTTP error body may carry: the CODE list, plus `banned` and `too_large`. */
export const HTTP_ERROR_CODES = Object.freeze({
  ...ERROR_CODES,
  BANNED: "banned",
  TOO_LARGE: "too_large",
});

/** What an error's `reason` says about its `field` (issue 12; `min`/`max` with some). */
export const FIELD_REASONS = Object.freeze({
  REQUIRED: "required",
  TOO_LONG: "too_long",
  TOO_MANY: "too_many",
  ITEM_TOO_LONG: "item_too_long",
  NOT_TEXT: "not_text",
  NOT_LIST: "not_list",
  NOT_NUMBER: "not_number",
  NOT_BOOLEAN: "not_boolean",
  NOT_ID: "not_id",
  OUT_OF_RANGE: "out_of_range",
  UNKNOWN_FIELD: "unknown_field",
  INVALID: "invalid",
  INVALID_EMAIL: "invalid_email",
  INVALID_URL: "invalid_url",
  INVALID_PHONE: "invalid_phone",
  WRONG_CODE: "wrong_code",
});

/** Codes in the data of a refused Socket.IO connection (`err.data.code`). */
export const CONNECT_ERRORS = Object.freeze({
  UNAUTHORIZED: "unauthorized",
  BANNED: "banned",
});

/** Reasons carried by `moved`. */
export const MOVE_REASONS = Object.freeze({
  MODERATOR: "moderator",
  ROOM_CLOSED: "room_closed",
  RECALL: "recall",
  ROUND_END: "round_end",
});

export const ROLES = Object.freeze({ ATTENDEE: "attendee", MODERATOR: "moderator", HOST: "host" });
export const STATUSES = Object.freeze(["available", "busy", "away"]);
export const ROOM_KINDS = Object.freeze({ LOBBY: "lobby", TABLE: "table" });

/** Client-side only: an ack that never came (not a server code, so not in ERROR_CODES). */
export const CLIENT_TIMEOUT = "timeout";

/** Client-side only: an HTTP request that reached no server. */
export const CLIENT_NETWORK = "network";

/** Why a raised hand went down (`hand.reason`). */
export const HAND_LOWERED = Object.freeze({
  LOWERED: "lowered",
  DISMISSED: "dismissed",
  INVITED: "invited",
  LEFT: "left",
});

/** At most this many `move` events a second (the contract says about 10). */
export const MOVE_RATE_HZ = 10;

/** An avatar's diameter in room units: the server keeps people this far apart
 * when the room allows (`rooms/spacing.py` AVATAR_DIAMETER; a test checks they agree). */
export const AVATAR_DIAMETER = 40;
