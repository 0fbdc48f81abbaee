"""Load a local HTML page in Debian's headless Chromium; report JS errors and images.

The page is copied to a temporary file with a probe script injected first thing in
<head>. The probe records ``error`` events, unhandled promise rejections and
``console.error`` calls; on ``load`` it writes them, with every <img>'s state, as JSON
into a <pre> that ``--dump-dom`` prints. No network, a fresh profile per load.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ci import on_ci

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: no page may need the network
    "--dump-dom",
    "--virtual-time-budget=5000",
)
REPORT_ID = "kit-browser-report"
PROBE = """<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) { errors.push("failed to load <" + t.tagName.toLowerCase()
      + "> " + String(t.src || t.href || "").slice(0, 80)); return; }
    errors.push(String(e.message) + " at " + e.filename + ":" + e.lineno);
  }, true);
  window.addEventListener("unhandledrejection", function (e) {
    errors.push("unhandled rejection: " + String(e.reason));
  });
  var consoleError = console.error;
  console.error = function () {
    errors.push("console.error: " + Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };
  window.addEventListener("load", function () {
    var images = Array.prototype.map.call(document.images, function (img) {
      return {src: img.src.slice(0, 60), complete: img.complete, naturalWidth: img.naturalWidth};
    });
    var out = document.createElement("pre");
    out.id = "@REPORT_ID@";
    out.textContent = JSON.stringify({errors: errors, images: images});
    document.body.appendChild(out);
  });
})();
</script>""".replace("@REPORT_ID@", REPORT_ID)


@dataclass(frozen=True)
class PageReport:
    """What the browser saw: JS errors, and each image's src, completeness and width."""

    errors: list[str]
    images: list[dict]

    @property
    def broken_images(self) -> list[dict]:
        return [img for img in self.images if not img["complete"] or img["naturalWidth"] <= 0]


def chromium_or_skip() -> str:
    """Chromium's path; skip the test without it, but fail on CI (CI must install it)."""
    found = shutil.which(CHROMIUM) or shutil.which("chromium")
    if found:
        return found
    message = "Chromium is not installed (apt-get install chromium)"
    if on_ci():
        pytest.fail(f"{message}; on CI, .ci/run installs it")
    pytest.skip(message)


def with_probe(page: str) -> str:
    """The page with the probe first in <head> (after <meta charset>, which must come early)."""
    anchor = re.search(r"<meta charset[^>]*>", page, re.IGNORECASE) or re.search(
        r"<head[^>]*>", page, re.IGNORECASE
    )
    at = anchor.end() if anchor else 0
    return page[:at] + PROBE + page[at:]


def load(page: Path, timeout: float = 60.0) -> PageReport:
    """Load ``page`` in headless Chromium and return what its probe reported."""
    chromium = chromium_or_skip()
    with tempfile.TemporaryDirectory(prefix="kit-browser-") as scratch:
        probed = Path(scratch) / page.name
        probed.write_text(with_probe(page.read_text(encoding="utf-8")), encoding="utf-8")
        profile = Path(scratch) / "profile"
        done = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", probed.as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    found = re.search(rf'<pre id="{REPORT_ID}">(.*?)</pre>', done.stdout, re.DOTALL)
    if not found:
        raise AssertionError(
            f"Chromium gave no report for {page} (exit {done.returncode}): {done.stderr[-2000:]}"
        )
    report = json.loads(html.unescape(found[1]))
    return PageReport(report["errors"], report["images"])


def rendered_dom(page: Path, timeout: float = 120.0, budget_ms: int = 20000) -> str:
    """The DOM of ``page`` after its scripts ran in headless Chromium, offline."""
    chromium = chromium_or_skip()
    flags = [f for f in FLAGS if not f.startswith("--virtual-time-budget")]
    with tempfile.TemporaryDirectory(prefix="kit-browser-") as scratch:
        done = subprocess.run(
            [
                chromium,
                *flags,
                f"--virtual-time-budget={budget_ms}",
                f"--user-data-dir={Path(scratch) / 'profile'}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    if "<body" not in done.stdout:
        raise AssertionError(f"Chromium gave no DOM for {page}: {done.stderr[-2000:]}")
    return done.stdout


def screenshot(page: Path, out: Path, size: str = "1200,2400", timeout: float = 120.0) -> None:
    """A PNG of ``page`` rendered offline in headless Chromium, to look at."""
    chromium = chromium_or_skip()
    flags = [f for f in FLAGS if f != "--dump-dom" and not f.startswith("--virtual-time")]
    with tempfile.TemporaryDirectory(prefix="kit-browser-") as scratch:
        subprocess.run(
            [
                chromium,
                *flags,
                "--virtual-time-budget=20000",
                f"--window-size={size}",
                f"--screenshot={out}",
                f"--user-data-dir={Path(scratch) / 'profile'}",
                page.as_uri(),
            ],
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )


SCRIPTS = re.compile(r"<script\b.*?</script>", re.S)


def rendered_math(page: Path) -> tuple[int, int]:
    """(formulas MathJax rendered, formulas it rendered as an error) in ``page``, offline."""
    dom = SCRIPTS.sub("", rendered_dom(page))
    return dom.count("<mjx-container"), dom.count('<g data-mml-node="merror"')
