def test_project_list_lists_only_own_projects(client, enabler, project_a, project_b):
    client.force_login(enabler)
    response = client.get("/")
    assert response.status_code == 200
    assert b"Alpha study" in response.content
    assert b"Beta study" not in response.content
