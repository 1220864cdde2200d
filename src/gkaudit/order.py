"""Which sites start first: the longest ones of the previous report (longest processing time first).

A scan's last minutes are its longest sites running alone: a site of 90 pages takes 18 s at the
per-host spacing (0.2 s between starts) however idle the rest of the limit is, so one that starts
late ends late. A nightly scan knows last night's times: started first, the long sites run beside
the many short ones instead of after them (Graham's LPT rule). A site's time is the longest of its
checks' `duration_ms` (a site's checks run at once). Sites the report does not have (new, or not
finished then) start first of all: their time is unknown, so they are treated as the longest.
The order in which sites start never changes the report: it lists sites in targets order.
"""

from __future__ import annotations

from collections.abc import Sequence

from gkaudit.targets import Target


def longest_first(targets: Sequence[Target], seconds: dict[str, float]) -> list[Target]:
    """`targets` with the unknown ones first, then by `seconds` descending; ties keep their order."""
    return sorted(targets, key=lambda target: -seconds.get(target.id, float("inf")))
