"""Steps shared by the browser tests."""

from .factories import PASSWORD


def sign_in(page, login: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号").fill(login)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
