"""The system Chromium for rendering: where it is, how it is started, and that it leaves no process behind.

Never a browser download: the browser is Debian's `chromium` (or `GKAUDIT_CHROMIUM`), driven by
Playwright's Python API. The browser gets no network path of its own: every request is intercepted
and served by the Fetcher (net/render.py); a dead proxy on loopback port 9 and a resolver that maps
every name to NOTFOUND catch anything that would slip past interception.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import signal
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

INSTALL_HINT = "apt-get install chromium; pip install 'gkaudit[render]'"
PROFILE_PREFIX = "gkaudit-chromium-"
LAUNCH_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio",
    # belt and braces: interception serves every request; anything else meets a dead proxy and no DNS
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND",
)


def find_chromium(environ: Mapping[str, str] | None = None) -> str | None:
    """The Chromium executable: `GKAUDIT_CHROMIUM` if set (even when wrong: then None), else on PATH."""
    environ = os.environ if environ is None else environ
    if configured := environ.get("GKAUDIT_CHROMIUM"):
        path = Path(configured)
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name, path=environ.get("PATH")):
            return found
    return None


def unavailable_reason(environ: Mapping[str, str] | None = None, chromium: str | None = None) -> str | None:
    """Why pages cannot be rendered here (no Playwright, no Chromium), or None when they can.

    `chromium`: an executable already chosen; otherwise it is looked for as `find_chromium` does.
    """
    environ = os.environ if environ is None else environ
    if importlib.util.find_spec("playwright") is None:
        return f"未安装 Playwright（浏览器渲染不可用）/ Playwright not installed: {INSTALL_HINT}"
    if chromium is None and find_chromium(environ) is None:
        where = f"GKAUDIT_CHROMIUM={environ['GKAUDIT_CHROMIUM']} 不可执行" if environ.get("GKAUDIT_CHROMIUM") \
            else "PATH 中没有 chromium"
        return f"未找到 Chromium（{where}）/ Chromium not found: {INSTALL_HINT}"
    return None


def profile_processes(profile: str) -> list[int]:
    """Pids of live processes whose command line names the browser profile folder `profile` (read from /proc)."""
    found = []
    needle = profile.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if needle in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def kill_profile(profile: str) -> int:
    """SIGKILL every process (and its process group) still running on `profile`; the number killed."""
    pids = profile_processes(profile)
    own_group = os.getpgrp()
    for pid in pids:
        try:
            group = os.getpgid(pid)
            if group != own_group:  # Chromium leads its own group; never signal gkaudit's own group
                os.killpg(group, signal.SIGKILL)
            os.kill(pid, signal.SIGKILL)
        except OSError:  # gone meanwhile
            continue
    return len(pids)


class Browser:
    """One Chromium of one scan: a persistent context on a fresh temporary profile. Start with `start()`."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.profile = tempfile.mkdtemp(prefix=PROFILE_PREFIX)
        self.context: Any = None
        self._playwright: Any = None
        atexit.register(self._last_resort)

    async def start(self) -> Any:
        """Launch Chromium; return its BrowserContext (service workers blocked, downloads refused)."""
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        try:
            self.context = await self._playwright.chromium.launch_persistent_context(
                self.profile, executable_path=self.executable, headless=True, args=list(LAUNCH_ARGS),
                service_workers="block", accept_downloads=False, java_script_enabled=True,
                handle_sigint=False, handle_sigterm=False, handle_sighup=False,
                locale="zh-CN", timeout=30_000)
        except BaseException:
            await self.close()
            raise
        return self.context

    async def close(self) -> None:
        """Close the browser and the driver; kill whatever still runs on the profile; remove the profile."""
        try:
            if self.context is not None:
                await self.context.close()
        except Exception:  # a browser that crashed or is gone: the kill below settles it
            pass
        finally:
            self.context = None
            try:
                if self._playwright is not None:
                    await self._playwright.stop()
            except Exception:
                pass
            self._playwright = None
            self._last_resort()
            atexit.unregister(self._last_resort)

    def _last_resort(self) -> None:
        kill_profile(self.profile)
        shutil.rmtree(self.profile, ignore_errors=True)
