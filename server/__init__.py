"""Kohtaamo's adapters, grouped by what they adapt to the domain in `rooms/`:

- `realtime/`: Socket.IO (the namespace, request handlers, delivery, sessions,
  the packet class, the fast paths of the hot path);
- `http/`: the HTTP API, the browser client's files, exports, `/metrics`;
- `store/`: SQLite (migrations, people, cards, visits, staff records);
- `media/`: the media engine (the port, Janus over its WebSocket API, a managed
  Janus, and `calls`, which carries the domain's media rules out on it);
- at the top, what wires them: `app` (the factory), `cli`, `config`, `world`
  (every event in memory), `tick` and `visits` (owned background loops).

`store/` imports no aiohttp or Socket.IO and `http/` no Socket.IO
(tests/test_layers.py).
"""
