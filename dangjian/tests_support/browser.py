"""Steps shared by the browser tests."""

import time

from .factories import PASSWORD


def sign_in(page, login: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def submit(page, locator) -> None:
    """Click a control that loads a new page and wait until that page has loaded.

    A plain click returns before the server has answered; reading the page (or the database) right
    after it could still see the old state.
    """
    with page.expect_navigation():
        locator.click()


def phone_page(browser, live_server):
    """A new browser (context) the size of a phone, in Chinese, and its page."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    return context, context.new_page()


# What sticks out past the right edge of the screen, unless it sits in a box that scrolls or clips it
# and that box itself fits (a wide table in a focusable scrolling wrapper is fine).
OVERFLOW_JS = """(width) => {
  const describe = (el) => {
    const text = (el.innerText || el.value || '').trim().slice(0, 30);
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
      (el.name ? '[name=' + el.name + ']' : '') + (text ? ' "' + text + '"' : '');
  };
  const inFittingScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      if (overflow !== 'visible' && p.getBoundingClientRect().right <= width + 0.5) return true;
    }
    return false;
  };
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 0.5) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || style.position === 'fixed') continue;
    if (inFittingScroller(el)) continue;
    offenders.push(describe(el) + ' (right edge ' + Math.round(box.right) + ' px)');
  }
  return {scrollWidth: document.documentElement.scrollWidth, offenders: offenders.slice(0, 4)};
}"""


def assert_fits(page, width: int | None = None) -> None:
    """Nothing wider than the screen: the page does not scroll sideways, and nothing sticks out past the right
    edge except inside a box that scrolls by itself and fits (the row of tabs, a wide table)."""
    width = width or page.viewport_size["width"]
    found = page.evaluate(OVERFLOW_JS, width)
    assert found["scrollWidth"] <= width and not found["offenders"], f"{page.url}: {found}"


def open_as(browser, live_server, login: str | None = None, *, width: int = 390, large: bool = False):
    """A new browser (context) `width` wide in Chinese, signed in as `login` (on the console) when given, in the
    site's large-text mode (大字模式, its own switch) when `large`; returns the context and its page."""
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    if login:
        sign_in(page, login)
        page.wait_for_url("**/console/**")
    else:
        page.goto("/")
    if large:
        submit(page, page.get_by_role("link", name="大字模式"))
        assert page.evaluate("document.documentElement.classList.contains('large-text')")
    return context, page


def wait_until(page, expression: str, seconds: float = 15) -> None:
    """Poll a JavaScript expression until it is true (the pages' CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(100)
