import pytest

@pytest.mark.urls("tests.comptes.essai_admin_tmp_urls")
def test_essai(db, client):
    r = client.get("/admin/login/?next=/admin/")
    print(r.status_code, r.get("Location"))
    r = client.get("/admin/")
    print(r.status_code, r.get("Location"))
