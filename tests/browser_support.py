"""A live userloop server with the demo data, and Debian's Chromium driven by Playwright.

Browser tests are skipped on a machine without Chromium, unless USERLOOP_REQUIRE_BROWSER=1
(set by `.ci/run`, which installs it): there a missing browser is a failure."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if missing:
        message = "browser tests need " + " and ".join(missing)
        if os.environ.get("USERLOOP_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    if shutil.which("fc-list") and not _has_cjk_font():
        message = "no CJK font: apt-get install fonts-noto-cjk"
        if os.environ.get("USERLOOP_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _has_cjk_font() -> bool:
    import subprocess

    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(out.stdout.strip())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    thread: threading.Thread
    server: object
    extra: dict[str, object] = field(default_factory=dict)

    def stop(self) -> None:
        self.server.should_exit = True  # type: ignore[attr-defined]
        self.thread.join(timeout=10)


def start_server(app: object) -> LiveServer:
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    return LiveServer(f"http://127.0.0.1:{port}", thread, server)


@dataclass
class PageLog:
    """Console errors and uncaught exceptions seen by a page."""

    errors: list[str] = field(default_factory=list)


def watch(page: object) -> PageLog:
    log = PageLog()
    page.on(  # type: ignore[attr-defined]
        "console", lambda msg: log.errors.append(msg.text) if msg.type == "error" else None
    )
    page.on("pageerror", lambda exc: log.errors.append(str(exc)))  # type: ignore[attr-defined]
    return log


def launch_browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Basic accessibility, checked in the page: labels, headings, names, contrast (WCAG AA).
A11Y_JS = r"""
() => {
  const problems = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  if (!document.documentElement.lang) problems.push('html has no lang');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby');
    if (!named) problems.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name}`);
  }
  const h1 = document.querySelectorAll('h1');
  if (h1.length !== 1) problems.push(`${h1.length} h1 elements`);
  let last = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const level = Number(h.tagName[1]);
    if (last && level > last + 1) problems.push(`heading jumps from h${last} to h${level}`);
    last = level;
  }
  for (const el of document.querySelectorAll('a[href], button')) {
    if (!visible(el)) continue;
    const name = (el.innerText || '').trim() || el.getAttribute('aria-label') || el.title;
    if (!name) problems.push(`${el.tagName.toLowerCase()} without a name: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll('img')) {
    if (!el.hasAttribute('alt')) problems.push('img without alt');
  }
  for (const el of document.querySelectorAll('svg[role=img]')) {
    if (!el.getAttribute('aria-label') && !el.querySelector('title')) problems.push('svg without a name');
  }
  const rgb = (c) => { const m = c.match(/[\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 1]; };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || seen.has(el) || !visible(el)) continue;
    if (el.closest('svg, .skip, [aria-hidden=true]')) continue;
    seen.add(el);
    const s = getComputedStyle(el);
    const fg = lum(rgb(s.color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) problems.push(`contrast ${ratio.toFixed(2)} < ${need}: "${node.textContent.trim().slice(0, 40)}"`);
  }
  return problems;
}
"""

# Horizontal overflow at the current viewport: the page must fit a 390-pixel phone.
OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"
