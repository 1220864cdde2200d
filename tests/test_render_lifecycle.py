"""One browser per scan, and no Chromium process left after the scan ends, normally or by SIGTERM.

The scans run as child processes (`python -m gkaudit.cli`); their browsers are found in /proc as
descendants of the child whose command line names a gkaudit profile folder (`--user-data-dir=…`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from gkaudit.net.browser import PROFILE_PREFIX, profile_processes, unavailable_reason
from gkaudit.simweb.web import BUNDLED_SITES, SimWeb

from conftest import SITES

NO_BROWSER = unavailable_reason()
pytestmark = pytest.mark.skipif(NO_BROWSER is not None, reason=f"render tests need Chromium: {NO_BROWSER}")


def _processes() -> dict[int, tuple[int, bytes]]:
    """pid -> (parent pid, command line) of every live process, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
                table[int(entry.name)] = (int(stat[1]), (entry / "cmdline").read_bytes())
            except (OSError, IndexError, ValueError):
                continue
    return table


def browser_profiles(root: int) -> set[str]:
    """gkaudit browser profiles named on the command lines of `root`'s descendants."""
    table = _processes()
    found: set[str] = set()
    for pid, (_, cmdline) in table.items():
        ancestor, depth = table.get(pid, (0, b""))[0], 0
        while ancestor and ancestor != root and depth < 20:
            ancestor, depth = table.get(ancestor, (0, b""))[0], depth + 1
        if ancestor != root:
            continue
        for arg in cmdline.split(b"\0"):
            if arg.startswith(b"--user-data-dir=") and PROFILE_PREFIX.encode() in arg:
                found.add(arg.split(b"=", 1)[1].decode())
    return found


class Watcher:
    """Polls the descendants of a child process for browser profiles until stopped."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.profiles: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set() and self.process.poll() is None:
            self.profiles |= browser_profiles(self.process.pid)
            time.sleep(0.05)

    def wait_for_browser(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if self.profiles:
                return True
            time.sleep(0.05)
        return bool(self.profiles)

    def stop(self) -> set[str]:
        self._stop.set()
        self._thread.join(5)
        return self.profiles


def child(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "gkaudit.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)


def assert_no_browser_left(profiles: set[str]) -> None:
    deadline = time.monotonic() + 5  # the kernel reaps killed processes asynchronously
    while time.monotonic() < deadline and any(profile_processes(p) for p in profiles):
        time.sleep(0.1)
    assert not [p for p in profiles if profile_processes(p)], "a Chromium process outlived the scan"
    assert not [p for p in profiles if Path(p).exists()], "the browser profile was not removed"


def test_a_demo_scan_starts_one_browser_and_leaves_none() -> None:
    process = child("demo", "--render", "auto", "--format", "json", "--quiet")
    watcher = Watcher(process)
    try:
        out, err = process.communicate(timeout=240)
    finally:
        process.kill()
    profiles = watcher.stop()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert '"rendered": true' in out  # the demo web has a column only a browser can read (fgw 通知公告)
    assert '"browsers_started": 1' in out
    assert len(profiles) == 1, profiles  # started lazily, once for the whole scan
    assert_no_browser_left(profiles)


def test_sigterm_during_a_render_closes_the_browser(tmp_path: Path) -> None:
    with SimWeb(roots=[BUNDLED_SITES, SITES / "render_slow"]) as web:
        targets = tmp_path / "targets.yaml"
        sites = [t.model_dump(mode="json", exclude_defaults=True) for t in web.targets()]
        targets.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
        process = child("scan", "--targets", str(targets), "--nameserver", web.nameserver, "--allow-private",
                        "--control-host", "", "--ipv6", "off", "--render", "auto", "--quiet",
                        "--check", "management", "--workers", "1", *(["--ca-bundle", web.ca_bundle] if web.ca_bundle else []))
        watcher = Watcher(process)
        try:
            assert watcher.wait_for_browser(120), process.stderr.read() if process.poll() is not None else ""
            time.sleep(0.5)  # the slow site's list request is now hanging inside the browser
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=60)
        finally:
            process.kill()
        profiles = watcher.stop()
    assert process.returncode == 143, err
    assert "Traceback" not in err and "interrupted" in err
    assert len(profiles) == 1
    assert_no_browser_left(profiles)
