from tests.conftest import client_de


def test_accueil_dane_affiche_son_academie(dane_toulouse):
    reponse = client_de(dane_toulouse).get("/")
    assert reponse.status_code == 200
    assert "Toulouse" in reponse.content.decode()
