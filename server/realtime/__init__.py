"""Socket.IO: the namespace, request handlers, delivery, sessions, the packet class and
the fast paths of the hot path. Imports the domain and the world, never the HTTP API."""
