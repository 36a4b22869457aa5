"""Kohtaamo's domain: events, themed rooms, people and what happens between them.

Everything in this package is sans-I/O: no sockets, no database, no event loop.
An operation takes a validated command and the current time and returns what
happened as a list of outbound messages (`rooms.outbound`); the server delivers
them. tests/rooms/test_sans_io.py fails when an import here does I/O.
"""
