"""Steps shared by the browser tests."""

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
