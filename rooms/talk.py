"""Talk on the floor: chat to the room, whispers, waves, one's status.

`Talk(floor)` holds the floor and uses only its public API, as `Cards` and
`Staff` do; `rooms.event.Event` exposes its operations. Every operation checks
first (presence, mutes, rate limits) and returns a `Result`.
"""

from __future__ import annotations

from rooms.errors import BadRequest, Moved, Muted
from rooms.floor import Floor
from rooms.model import Person, Status
from rooms.outbound import Message, Result, ToPerson, ToRoom


class Talk:
    """What people say and signal to each other on the floor."""

    def __init__(self, floor: Floor) -> None:
        self.floor = floor

    def _check_voice(self, person: Person, now: int) -> None:
        if person.is_muted(now):
            raise Muted("a moderator has muted you")
        self.floor.check_rate(person, "chat", now)

    def say(self, person_id: str, text: str, now: int, room_id: str | None = None) -> Result:
        """Chat to the room; reply `{message: ChatMessage}`. Raises Muted, RateLimited,
        and Moved when `room_id` (where the text was typed) is not the room now."""
        person = self.floor.present(person_id)
        room = self.floor.room_of(person)
        if room_id is not None and room_id != room.id:
            raise Moved("you are at another table now; the message was not sent")
        self._check_voice(person, now)
        message = {
            "id": self.floor.next_id("m", now), "room": room.id, "from": person.id,
            "name": person.profile.name, "text": text, "ts": now,
        }
        room.chat.append(message)
        return Result({"message": message}, [Message(ToRoom(room.id), "chat", message)])

    def whisper(self, person_id: str, to: str, text: str, now: int) -> Result:
        """A private line to someone on the floor; reply `{message}`.

        Raises NotFound, Muted, RateLimited."""
        person = self.floor.present(person_id)
        target = self.floor.present(to)
        if target.id == person.id:
            raise BadRequest("you cannot whisper to yourself", field="to")
        self._check_voice(person, now)
        message = {
            "id": self.floor.next_id("w", now), "room": person.room, "from": person.id,
            "name": person.profile.name, "text": text, "ts": now, "to": target.id,
        }
        return Result({"message": message}, [Message(ToPerson(target.id), "whisper", message)])

    def wave(self, person_id: str, to: str, now: int) -> Result:
        """Wave at someone on the floor. Raises NotFound, RateLimited."""
        person = self.floor.present(person_id)
        target = self.floor.present(to)
        if target.id == person.id:
            raise BadRequest("you cannot wave at yourself", field="to")
        self.floor.check_rate(person, "wave", now)
        return Result(out=[Message(ToPerson(target.id), "waved",
                                   {"from": person.wire(), "at": now})])

    def set_status(self, person_id: str, status: Status, now: int) -> Result:
        person = self.floor.present(person_id)
        self.floor.check_rate(person, "status", now)
        if person.status is not status:
            person.status = status
            self.floor.touch(people=[person.id])
        return Result()
