"""Every page of every role, in a real browser, at 1366 px and 390 px, in French and in English.

The pages are found the way a person finds them: from each role's start pages (its
dashboard and every page of its area that takes no argument), following the links the
pages show, one page per kind (``/entreprise/missions/3`` stands for every mission page).
On each page and width: no horizontal overflow, no console error, no server error; at
1366 px, no serious or critical accessibility violation reported by axe-core (vendored in
``tests/vendor/axe-core``); in English, none of the UI's own French labels.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1366, 390)
MAX_PAGES = 90

ROLES = {
    "anonymous": (None, None, ("/",), ("/entreprise", "/freelance", "/admin", "/compte/parametres")),
    "sme": ("pme@demo.test", "demo-pme", ("/entreprise/", "/compte/parametres"), ("/freelance", "/admin")),
    "freelancer": ("om@demo.test", "demo-om", ("/freelance/", "/compte/parametres"), ("/entreprise", "/admin")),
    "admin": ("admin@demo.test", "demo-admin", ("/admin/", "/compte/parametres"), ("/entreprise", "/freelance")),
}

# Links a sweep must not follow: leaving, files rather than pages, actions.
SKIPPED = re.compile(
    r"^/(static|fichiers|files|webhooks|sante|health|api)/|^/healthz|/deconnexion|/logout|\.(pdf|xml|zip|csv|json|png|jpg|svg)$"
    r"|/telecharger|/download|/export/|/pdf$|/document$|/fichier"
)


def area_of(path: str) -> str:
    return re.sub(r"/\d+", "/N", path.rstrip("/") or "/")


def french_labels() -> list[str]:
    """Short French labels of the UI (from the catalogue) whose English differs: they must not show in English."""
    with (ROOT / "marketplace" / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fileobj:
        catalogue = read_po(fileobj, locale="en")
    english = " ".join(str(m.string) for m in catalogue if m.id)
    labels = set()
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple) or "%" in message.id or "{" in message.id:
            continue
        text = message.id.strip()
        words = text.split()
        if not 1 <= len(words) <= 4 or len(text) < 6 or not re.search(r"[a-zà-ÿ]", text):
            continue
        if text == str(message.string).strip() or text in english:
            continue
        if len(words) == 1 and not re.search(r"[à-ÿ]", text):
            continue  # single plain words (« Missions », « Contact ») are often English too
        labels.add(text)
    return sorted(labels, key=len, reverse=True)


def log_in(page, email, password):
    page.goto("/compte/connexion")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def choose_language(page, locale):
    page.goto("/")
    if locale != "fr":
        # The list submits its form on change (app.js): wait for that navigation, not for the page
        # already loaded (whose « fr » was read too early; its <noscript> button is not there to click).
        with page.expect_navigation():
            page.select_option("#lang-locale", locale)
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == locale


def start_pages(app, prefix: str, forbidden) -> list[str]:
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or not rule.rule.startswith(prefix):
            continue
        if SKIPPED.search(rule.rule) or any(rule.rule.startswith(f) for f in forbidden):
            continue
        pages.append(rule.rule)
    return sorted(pages)


def crawl(page, starts, forbidden, allowed: tuple[str, ...]) -> list[str]:
    seen_areas, found, queue = set(), [], deque(starts)
    while queue and len(found) < MAX_PAGES:
        path = queue.popleft()
        if area_of(path) in seen_areas:
            continue
        seen_areas.add(area_of(path))
        try:
            response = page.goto(path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file, not a page
            raise
        if response is None or response.status >= 400 or urlsplit(page.url).path != urlsplit(path).path:
            found.append(path)  # reported by the checks (an error page, or a redirect to look at)
            continue
        found.append(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlsplit(href)
            if target.scheme or target.netloc or not target.path.startswith("/"):
                continue
            if SKIPPED.search(target.path) or any(target.path.startswith(f) for f in forbidden):
                continue
            if allowed and not target.path.startswith(allowed):
                continue
            if area_of(target.path) not in seen_areas:
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


class ServerErrors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(self.format(record))


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_works_and_speaks_one_language(browser, demo_server, role, locale):
    email, password, starts, forbidden = ROLES[role]
    prefix = {"anonymous": "/", "sme": "/entreprise", "freelancer": "/freelance", "admin": "/admin"}[role]
    errors_log = ServerErrors()
    logging.getLogger().addHandler(errors_log)
    demo_server.logger.addHandler(errors_log)
    labels = french_labels() if locale == "en" else []
    problems: list[str] = []
    try:
        contexts = {}
        for width in WIDTHS:
            context = browser.new_context(base_url=demo_server.config["BASE_URL"], locale="fr-FR",
                                          viewport={"width": width, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)
            console: list[str] = []
            page.on("console", lambda message, console=console: message.type == "error" and console.append(message.text))
            page.on("pageerror", lambda error, console=console: console.append(str(error)))
            if email:
                log_in(page, email, password)
            choose_language(page, locale)
            contexts[width] = (context, page, console)

        wide = contexts[WIDTHS[0]][1]
        allowed = () if role == "anonymous" else (prefix, "/compte")
        paths = crawl(wide, list(starts) + start_pages(demo_server, prefix, forbidden), forbidden, allowed)
        assert len(paths) >= (4 if role == "anonymous" else 6), paths

        for width, (context, page, console) in contexts.items():
            for path in paths:
                console.clear()
                response = page.goto(path)
                page.wait_for_load_state()
                where = f"{path} at {width} px"
                if response is None or response.status >= 400:
                    problems.append(f"{where}: HTTP {response.status if response else '—'}")
                    continue
                if page.locator("html").get_attribute("lang") != locale:
                    problems.append(f"{where}: page is not in {locale}")
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 1:
                    wide_elements = page.evaluate("""() => [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                        .slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : ''))""")
                    problems.append(f"{where}: {overflow} px wider than the screen ({', '.join(wide_elements)})")
                if console:
                    problems.append(f"{where}: console {console[:2]}")
                if width == WIDTHS[0]:
                    page.evaluate(AXE.read_text() + "\n;true")  # the page's CSP forbids injected <script> tags
                    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
                        .violations.filter(v => ['serious', 'critical'].includes(v.impact))
                        .map(v => v.id + ': ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | '))""")
                    problems.extend(f"{where}: axe {v}" for v in violations)
                    if labels:
                        # Words marked as another language (« Français » in the language list, lang="fr") are meant,
                        # and what people wrote (mission descriptions, messages: ``.user-text``/``[data-user-text]``)
                        # is not the interface: both left out of the text read (removed; the page is not looked at
                        # afterwards).
                        text = page.evaluate("""locale => {
                            document.querySelectorAll('body [lang]').forEach(e => { if (!e.lang.startsWith(locale)) e.remove(); });
                            document.querySelectorAll('body .user-text, body [data-user-text]').forEach(e => e.remove());
                            return document.body.innerText; }""", locale)
                        french = [label for label in labels if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)]
                        if french:
                            problems.append(f"{where}: French on an English page: {french[:6]}")
        for context, _, _ in contexts.values():
            context.close()
    finally:
        logging.getLogger().removeHandler(errors_log)
        demo_server.logger.removeHandler(errors_log)
    problems.extend(f"server error: {record[:300]}" for record in errors_log.records)
    assert not problems, "\n".join(problems)
