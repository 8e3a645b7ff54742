"""The chat page in a real browser: Debian's Chromium, headless, driven by Playwright, against the real servers.

One customer's visit, asserted on what the page shows: the greeting, the order-status flow with verification,
buttons, the related-items cards (title, price, reason), the conversation surviving a reload, customer text
shown literally (never as HTML), and no request leaving the machine. A screenshot is saved to
``reports/widget.png``.

Chromium comes from Debian (``make system-deps``); Playwright's own browser downloads are never used. Without
``/usr/bin/chromium`` the tests skip and say so (``-rs``).
"""
from __future__ import annotations

import ipaddress
import re
import time
from pathlib import Path
from typing import Iterator, List
from urllib.parse import urlsplit

import pytest
import yaml

from tests.e2e.conftest import ALEX

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
REPLY_TIMEOUT_MS = 60_000
QUIET_S = 2.0  # a turn is over when no new bot message appeared for this long

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed: run `make system-deps`")

BOT = "#webchat .rw-message .rw-response"
USER = "#webchat .rw-message .rw-client"
BUTTONS = "#webchat .rw-replies .rw-reply"
INPUT = "#webchat .rw-new-message"


def responses(name: str) -> List[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return [r["text"] for r in domain["responses"][name] if "text" in r]


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-error"):
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Widget:
    """The rasa-webchat widget on the page, read and typed into like a customer would."""

    def __init__(self, page):
        self.page = page

    def bot_texts(self) -> List[str]:
        return [t.strip() for t in self.page.locator(BOT).all_inner_texts()]

    def user_texts(self) -> List[str]:
        return [t.strip() for t in self.page.locator(USER).all_inner_texts()]

    def buttons(self) -> List[str]:
        return [t.strip() for t in self.page.locator(BUTTONS).all_inner_texts()]

    def wait_for_replies(self, before: int) -> List[str]:
        """The bot messages that appeared after the first ``before`` ones, once the bot has gone quiet."""
        self.page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n", arg=[BOT, before],
                                    timeout=REPLY_TIMEOUT_MS)
        count, since = -1, time.monotonic()
        while time.monotonic() - since < QUIET_S:
            now = self.page.locator(BOT).count()
            if now != count:
                count, since = now, time.monotonic()
            self.page.wait_for_timeout(250)
        return self.bot_texts()[before:]

    def say(self, text: str) -> List[str]:
        before = self.page.locator(BOT).count()
        box = self.page.locator(INPUT)
        box.fill(text)
        box.press("Enter")
        return self.wait_for_replies(before)

    def click(self, title: str) -> List[str]:
        before = self.page.locator(BOT).count()
        self.page.locator(BUTTONS, has_text=title).first.click()
        return self.wait_for_replies(before)


@pytest.mark.timeout(420, func_only=True)
def test_a_customer_visit_in_the_widget(running, browser):
    requests: List[str] = []
    console_errors: List[str] = []
    dialogs: List[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(f"page error: {e}"))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    widget = Widget(page)
    try:
        page.goto(running.config.web_url + "/", wait_until="load")
        # The page is the store page with the widget inside it.
        assert page.title() == "ShopMate demo store"
        assert "ShopMate Store" in page.locator("header").inner_text()
        assert page.locator(".tile").count() >= 3

        # initPayload "/greet": the widget opens with the greeting, in the panel titled "ShopMate".
        greeting = widget.wait_for_replies(0)
        assert any(t in responses("utter_greet") for t in greeting), greeting
        assert "ShopMate" in page.locator("#webchat .rw-header").inner_text()

        asked = widget.say("where is my order")
        assert "order number" in " ".join(asked).lower(), asked
        assert ALEX["shipped"] not in " ".join(asked)

        asked_email = widget.say(ALEX["shipped"])
        assert re.search(r"e-?mail", " ".join(asked_email).lower()), asked_email

        status = widget.say(ALEX["email"])
        shown = "\n".join(status)
        assert ALEX["shipped"] in shown and "shipped" in shown.lower(), status
        assert "tracking number" in shown.lower(), status  # the shipment ...
        assert "•" in shown, status  # ... and its tracking events, one line each
        # The related-items offer comes with buttons, rendered as clickable quick replies.
        assert "Yes, show me" in widget.buttons(), widget.buttons()

        cards = widget.click("Yes, show me")
        assert "Yes, show me" in widget.user_texts()  # the chosen button shows as the customer's message
        card_text = "\n".join(cards)
        # Each card: title — price — reason (help articles and services are free and show no price).
        card_lines = [ln for ln in card_text.splitlines() if " — " in ln]
        assert card_lines, cards
        assert any(re.search(r"\S.* — €\d+\.\d\d — \S", ln) for ln in card_lines), card_lines
        # One button per card asks for that item's details.
        assert len([b for b in widget.buttons() if re.match(r"\d\. ", b)]) == len(card_lines), widget.buttons()

        REPORTS.mkdir(exist_ok=True)
        page.screenshot(path=str(REPORTS / "widget.png"), full_page=True)

        # Reload: the conversation is still there (localStorage), and it goes on with the same session.
        before_reload = widget.bot_texts()
        page.reload(wait_until="load")
        page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length >= n",
                               arg=[BOT, len(before_reload)], timeout=30_000)
        after = widget.bot_texts()
        assert after[:len(before_reload)] == before_reload
        assert shown in "\n".join(after)
        assert ALEX["shipped"] in widget.user_texts()

        # Customer text is text: HTML typed into the chat is shown literally and runs nothing.
        for typed in ("<b>x</b>", "<img src=x onerror=alert(1)>"):
            widget.say(typed)
            assert widget.user_texts()[-1] == typed, widget.user_texts()[-3:]
        assert page.locator("#webchat .rw-message b, #webchat .rw-message img[src='x']").count() == 0
        assert not dialogs, f"a dialog opened: {dialogs}"

        page.screenshot(path=str(REPORTS / "widget-after-reload.png"), full_page=True)
    finally:
        context.close()

    outside = sorted({u for u in requests if not is_local(u)})
    assert not outside, f"requests left the machine: {outside}"
    assert requests, "no request was seen at all"
    blocked = [e for e in console_errors if "Content Security Policy" in e]
    assert not blocked, f"the page tried to load something the CSP blocks: {blocked}"
