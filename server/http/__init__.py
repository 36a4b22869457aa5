"""The HTTP API, the browser client's files, exports and the /metrics route.
Imports no Socket.IO: what HTTP changes on the floor goes through the world and delivery."""
