import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_then_project_list_shows_only_member_projects(
    page, live_server, login, enabler, project_a, project_b
):
    login(page, enabler)
    assert page.get_by_role("link", name="Alpha study").is_visible()
    assert page.get_by_text("Beta study").count() == 0
    assert page.page_errors == []
