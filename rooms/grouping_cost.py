"""A grouping of people 0..n-1 and what it costs: the state `rooms.grouping_search`
improves, on bit masks for speed.

The cost of a group, lowest best, is the tuple (no shared language, repeated
pairs, strays, -shared interests), compared lexicographically; strays (see
`Grouping._strays`) only count in a group without a shared language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def masks(values: Sequence[frozenset[str]]) -> tuple[list[int], dict[str, int]]:
    """Each set as an int with one bit per distinct value (bits in sorted value order)."""
    bit = {v: 1 << i for i, v in enumerate(sorted(set().union(*values)))}
    return [sum(bit[v] for v in s) for s in values], bit


class Grouping:
    """People 0..n-1 in groups.

    `lang[i]` is a bit mask of person i's languages (-1, every bit, for someone
    who gave none: they fit any group); `topic[i]` of their interests; `met[i]`
    the people i has met; a group shares a language when the AND of its
    members' masks is not 0. `spent` counts the changes evaluated.
    """

    def __init__(self, ids: Sequence[str], languages: Sequence[frozenset[str]],
                 interests: Sequence[frozenset[str]], met: list[frozenset[int]]) -> None:
        self.ids = list(ids)
        lang, self.bits = masks(languages)
        self.lang = [m or -1 for m in lang]
        self.topic, self.topic_bits = masks(interests)
        self.met = met
        self.groups: list[list[int]] = []
        self.where: list[int] = []
        self.spent = 0

    def group_score(self, members: Sequence[int]) -> tuple[int, int, int, int]:
        """(no shared language, repeated pairs, strays, shared interests) of a group."""
        lang, met, topic = self.lang, self.met, self.topic
        shared = -1
        repeated = interests = 0
        for x, a in enumerate(members):
            shared &= lang[a]
            for b in members[x + 1:]:
                repeated += b in met[a]
                interests += (topic[a] & topic[b]).bit_count()
        if shared:
            return (0, repeated, 0, interests)
        return (1, repeated, self._strays(members), interests)

    def _strays(self, members: Iterable[int]) -> int:
        """How many of a group do not speak its most spoken language: in a group
        without a shared language, how far it is from having one. This lets the
        search make progress one person at a time."""
        lang = self.lang
        masks = [lang[m] for m in members]
        spoken = 0
        for m in masks:
            if m != -1:
                spoken |= m
        most = 0
        while spoken:
            bit = spoken & -spoken
            spoken ^= bit
            most = max(most, sum(1 for m in masks if m & bit))
        return len(masks) - most if most else 0

    def totals(self) -> tuple[int, int, int, int]:
        """`group_score` summed over the groups."""
        return self._key_sum(range(len(self.groups)))

    def _fit(self, a: int, b: int, members: list[int], skip: int,
             ) -> tuple[int, int, int, int, int]:
        """Against `members` but `skip`: their shared languages, and the met
        pairs and shared interests a would have with them, and b would."""
        lang, topic = self.lang, self.topic
        met_a, met_b, topic_a, topic_b = self.met[a], self.met[b], topic[a], topic[b]
        shared = -1
        ma = mb = ia = ib = 0
        for m in members:
            if m == skip:
                continue
            shared &= lang[m]
            ma += m in met_a
            mb += m in met_b
            tm = topic[m]
            ia += (topic_a & tm).bit_count()
            ib += (topic_b & tm).bit_count()
        return shared, ma, mb, ia, ib

    def _language(self, members: list[int], shared: int, leaving: int, coming: int,
                  ) -> tuple[int, int]:
        """The change in (no shared language, strays) of a group whose members but
        `leaving` share the languages `shared`, when `coming` (-1: nobody) joins
        and `leaving` (-1: nobody) goes."""
        lang = self.lang
        before = shared & lang[leaving] if leaving != -1 else shared
        after = shared & lang[coming] if coming != -1 else shared
        old = self._strays(members) if before == 0 else 0
        new = 0
        if after == 0:
            rest = [m for m in members if m != leaving]
            new = self._strays([*rest, coming] if coming != -1 else rest)
        return (after == 0) - (before == 0), new - old

    def swap_delta(self, a: int, b: int) -> tuple[int, int, int, int]:
        """How the cost changes if a and b (in different groups) trade places."""
        self.spent += 1
        g, h = self.groups[self.where[a]], self.groups[self.where[b]]
        shared_g, ga, gb, gia, gib = self._fit(a, b, g, a)
        shared_h, ha, hb, hia, hib = self._fit(a, b, h, b)
        bad_g, strays_g = self._language(g, shared_g, a, b)
        bad_h, strays_h = self._language(h, shared_h, b, a)
        return (bad_g + bad_h, (gb - ga) + (ha - hb), strays_g + strays_h,
                (gia - gib) + (hib - hia))

    def move_delta(self, a: int, h: int) -> tuple[int, int, int, int]:
        """How the cost changes if a leaves its group for group h."""
        self.spent += 1
        g = self.groups[self.where[a]]
        shared_g, ga, _, gia, _ = self._fit(a, a, g, a)
        shared_h, ha, _, hia, _ = self._fit(a, a, self.groups[h], -1)
        bad_g, strays_g = self._language(g, shared_g, a, -1)
        bad_h, strays_h = self._language(self.groups[h], shared_h, -1, a)
        return (bad_g + bad_h, ha - ga, strays_g + strays_h, gia - hia)

    def swap(self, a: int, b: int) -> None:
        g, h = self.where[a], self.where[b]
        self.groups[g][self.groups[g].index(a)] = b
        self.groups[h][self.groups[h].index(b)] = a
        self.where[a], self.where[b] = h, g

    def move(self, a: int, h: int) -> None:
        self.groups[self.where[a]].remove(a)
        self.groups[h].append(a)
        self.where[a] = h

    def _key(self, groups: Iterable[int]) -> tuple[int, int, int, int]:
        bad, repeated, strays, interests = self._key_sum(groups)
        return (bad, repeated, strays, -interests)

    def _key_sum(self, groups: Iterable[int]) -> tuple[int, int, int, int]:
        bad = repeated = strays = interests = 0
        for g in groups:
            b, r, s, i = self.group_score(self.groups[g])
            bad, repeated, strays, interests = bad + b, repeated + r, strays + s, interests + i
        return (bad, repeated, strays, interests)

    def result(self) -> list[list[str]]:
        groups = [sorted(self.ids[i] for i in g) for g in self.groups]
        groups.sort(key=lambda g: (-len(g), g))
        return groups
