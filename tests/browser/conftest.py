"""Browser tests drive Debian's Chromium through Playwright against the live server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API keeps an event loop in this thread; the ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_browser():
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.page_errors = []
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    """Log a user in through the real login form: login(page, user)."""

    def do_login(page, user, password: str = "correct horse battery staple") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        if user.is_staff:
            enter_mfa_code(page, live_server, user)

    return do_login


def enter_mfa_code(page, live_server, user) -> None:
    """The second step Django admin asks of staff: a TOTP code from their device, typed
    into the real form (the device is made here, as `manage.py setup_mfa` would)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="browser test", confirmed=True
    )
    device.last_t = -1  # a second sign-in in the same 30 s may reuse the code
    device.save(update_fields=["last_t"])
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.goto(f"{live_server.url}/accounts/mfa/?next=/")
    page.fill("input[name=token]", f"{code:0{device.digits}d}")
    with page.expect_navigation():
        page.keyboard.press("Enter")


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 AA, as the NHS service standard asks: every A and AA rule up to 2.2.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = r"""
async (tags) => {
  const results = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  const violations = results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
  // axe leaves a reference to a missing id "to review" (it may appear later); on a
  // rendered page it is a broken label or description (Django's "<id>_helptext").
  const broken = [];
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      const missing = el.getAttribute(attr).split(/\s+/).filter((id) => id && !document.getElementById(id));
      if (missing.length) broken.push(`${el.id ? "#" + el.id : el.tagName.toLowerCase()} ${attr}="${missing.join(" ")}"`);
    }
  }
  if (broken.length) {
    violations.push({
      id: "aria-reference",
      impact: "serious",
      help: "ARIA attributes must point to elements that exist",
      targets: broken,
    });
  }
  return violations;
}
"""


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, so the app's Content Security Policy
        # stays on for the page under test (a <script> tag would need bypass_csp).
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE, WCAG_AA)


@pytest.fixture
def assert_accessible():
    """assert_accessible(page, context="project page"): no axe-core WCAG 2.2 AA violation."""
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci` (package.json holds axe-core)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)

    def check(page, context: str = "") -> None:
        violations = axe_violations(page)
        if violations:
            lines = [
                f"{len(violations)} axe-core violation(s) on {context or page.url}:",
                *(
                    f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["targets"])
                    for v in violations
                ),
            ]
            pytest.fail("\n".join(lines), pytrace=False)

    return check
