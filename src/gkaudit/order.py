"""Which sites start first: the longest of the previous report, each followed by one of the shortest.

A scan's last minutes are its longest sites running alone: a site of 80 requests takes 16 s at the
per-host spacing (0.2 s between starts) however idle the rest of the limit is, so one that starts
late ends the scan late. A nightly scan knows last night's times, a site's being its slowest
check's `duration_ms` (a site's checks run at once: `SiteOutline.seconds`). Starting them longest
first (Graham's LPT rule) cut the bench's tail from 15 s to 5 s, but it also runs sites of one kind
together, and a whole cap of sites that wait more than they ask (portals waiting on their slow
links) could not fill the request slots: 10 of 16 busy for 40 s. So the order alternates: the
longest left, then the shortest left. The longest still start first, the mix of kinds stays that of
the whole list, and the sites of middle length end the scan. Sites the report does not have (new,
or unfinished then) count as the longest. The report lists sites in targets order whatever the start order.
"""

from __future__ import annotations

from collections.abc import Sequence

from gkaudit.targets import Target


def longest_first(targets: Sequence[Target], seconds: dict[str, float]) -> list[Target]:
    """`targets` as: the longest by `seconds` (unknown: longest of all), the shortest, the next longest,
    the next shortest, ...; equal times keep their targets order. No `seconds`: the targets order."""
    if not seconds:
        return list(targets)
    ranked = sorted(targets, key=lambda target: -seconds.get(target.id, float("inf")))
    order: list[Target] = []
    low, high = 0, len(ranked) - 1
    while low <= high:
        order.append(ranked[low])
        if low != high:
            order.append(ranked[high])
        low, high = low + 1, high - 1
    return order
