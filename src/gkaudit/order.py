"""Which process scans which site, and in what order: from the previous report's times, when there is one.

A scan's last minutes are its longest sites running alone: a site of 80 requests takes 16 s at the
per-host spacing (0.2 s between starts) however idle the rest of the limit is, so one that starts
late ends the scan late. A nightly scan knows last night's times, a site's being its slowest
check's `duration_ms` (a site's checks run at once: `SiteOutline.seconds`); sites the report does
not have (new, or unfinished then) count as the longest. Ranked by those times, the sites are dealt
to the processes in turn (site k to process k mod N: the slices differ by one site at most and get
the long sites evenly), and each process starts the longest left, then the shortest left, and so
on. Longest-first alone (Graham's LPT rule) cut the bench's tail from 15 s to 5 s, but ran sites of
one kind together: for 40 s the site cap held only portals that wait more than they ask (their
report PDFs queue for one reader per process), and 10 of 16 request slots were busy. Alternating
keeps the mix. Without times, the sites are dealt in targets order. Whatever the order, the report
lists sites in targets order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from gkaudit.targets import Target

T = TypeVar("T")


def start_slices(targets: Sequence[Target], seconds: dict[str, float], count: int) -> list[list[Target]]:
    """Up to `count` non-empty slices of `targets`, one per process, each in its start order."""
    if not seconds:
        return deal(list(targets), count)
    ranked = sorted(targets, key=lambda target: -seconds.get(target.id, float("inf")))  # ties: targets order
    return [alternate(part) for part in deal(ranked, count)]


def deal(items: list[T], count: int) -> list[list[T]]:
    """Up to `count` non-empty slices: item k to slice k mod `count`."""
    return [part for k in range(max(1, count)) if (part := items[k::max(1, count)])]


def alternate(ranked: list[T]) -> list[T]:
    """The first, the last, the second, the second to last, ..."""
    order: list[T] = []
    low, high = 0, len(ranked) - 1
    while low <= high:
        order.append(ranked[low])
        if low != high:
            order.append(ranked[high])
        low, high = low + 1, high - 1
    return order
