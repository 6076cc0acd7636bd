"""Rendu PDF : A4, Marianne partout (marges comprises), PDF/A-3b, aucune ressource hors des fichiers statiques."""

import base64
import socket
from io import BytesIO
from xml.etree import ElementTree

import pytest
from django.template import engines
from pyhanko.pdf_utils.reader import PdfFileReader

from lettres.pdf import ErreurRenduPdf, code_qr_svg, rendre_pdf

LETTRE_EXEMPLE = """{% extends "lettres/pdf/_base.html" %}
{% block titre %}Lettre de mission{% endblock %}
{% block entete %}<p>Académie de Toulouse — Collège A</p>{% endblock %}
{% block pied %}<img src="{{ qr }}" alt="Code QR"> Vérifier : https://rupn.example/v/ABCD{% endblock %}
{% block contenu %}
  <h1>Lettre de mission</h1>
  <p>Référente : <strong>Camille Martin</strong>, <em>professeure de technologie</em>.</p>
  <p>Accents et signes : é è à ç œ « » — 1 250 €.</p>
{% endblock %}"""


def lire(pdf):
    return PdfFileReader(BytesIO(pdf))


def pages(lecteur):
    return [page.get_object() for page in lecteur.root["/Pages"]["/Kids"]]


def polices(lecteur):
    """{nom de la police sans préfixe de sous-ensemble : embarquée ?} pour toutes les pages."""
    trouvees = {}
    for page in pages(lecteur):
        dictionnaire = page["/Resources"]["/Font"]
        for cle in dictionnaire:
            police = dictionnaire[cle]
            descripteur = police["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            nom = str(police["/BaseFont"]).split("+")[-1]
            trouvees[nom] = any(cle.startswith("/FontFile") for cle in descripteur)
    return trouvees


@pytest.fixture
def lettre_html():
    return engines["django"].from_string(LETTRE_EXEMPLE).render({"qr": code_qr_svg("https://rupn.example/v/ABCD")})


def test_une_lettre_a4_devient_un_pdf_a_3b_en_marianne(lettre_html):
    pdf = rendre_pdf(lettre_html)

    assert pdf.startswith(b"%PDF-1.7")
    lecteur = lire(pdf)
    (page,) = pages(lecteur)
    boite = page["/MediaBox"]
    largeur, hauteur = float(boite[2]), float(boite[3])
    assert (round(largeur * 25.4 / 72), round(hauteur * 25.4 / 72)) == (210, 297)
    # Le numéro de page (boîte de marge) est en Marianne aussi : aucune police de repli.
    assert polices(lecteur) == {"Marianne": True, "Marianne-Bold": True, "Marianne-Italic": True}
    metadonnees = lecteur.root["/Metadata"].data.decode()
    assert 'pdfaid:part="3"' in metadonnees and 'pdfaid:conformance="B"' in metadonnees
    assert "Lettre de mission" in metadonnees
    assert lecteur.root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    assert lecteur.root["/Lang"] == "fr"


@pytest.fixture
def reseau_interdit(monkeypatch):
    """Toute tentative de connexion est notée et échoue."""
    tentatives = []

    def refuser(*args, **kwargs):
        tentatives.append(args)
        raise OSError("réseau interdit pendant le test")

    monkeypatch.setattr(socket, "getaddrinfo", refuser)
    monkeypatch.setattr(socket, "create_connection", refuser)
    monkeypatch.setattr(socket.socket, "connect", refuser)
    return tentatives


@pytest.mark.parametrize(
    "adresse",
    [
        "http://127.0.0.1:8000/static/logo.png",
        "https://exemple.invalid/logo.png",
        "//exemple.invalid/logo.png",
        "ftp://exemple.invalid/logo.png",
        "file://exemple.invalid/logo.png",
    ],
)
def test_une_image_hors_du_projet_est_refusee_sans_requete_reseau(adresse, reseau_interdit):
    with pytest.raises(ErreurRenduPdf, match="Adresse refusée dans le PDF") as erreur:
        rendre_pdf(f'<html lang="fr"><body><img src="{adresse}" alt=""></body></html>')

    assert "aucune requête réseau" in str(erreur.value)
    assert reseau_interdit == []


def test_une_feuille_de_style_distante_est_refusee_aussi(reseau_interdit):
    html = (
        '<html lang="fr"><head><link rel="stylesheet" href="https://exemple.invalid/a.css"></head><body></body></html>'
    )

    with pytest.raises(ErreurRenduPdf, match="https://exemple.invalid/a.css"):
        rendre_pdf(html)
    assert reseau_interdit == []


def test_un_fichier_local_hors_des_fichiers_statiques_est_refuse():
    with pytest.raises(ErreurRenduPdf, match="Fichier refusé dans le PDF : /etc/passwd"):
        rendre_pdf('<html lang="fr"><body><img src="file:///etc/passwd" alt=""></body></html>')


def test_un_chemin_qui_remonte_hors_des_fichiers_statiques_est_refuse():
    with pytest.raises(ErreurRenduPdf, match="Fichier refusé dans le PDF : /etc/passwd"):
        rendre_pdf('<html lang="fr"><body><img src="/static/%2e%2e/%2e%2e/etc/passwd" alt=""></body></html>')


def test_un_fichier_statique_introuvable_arrete_le_rendu():
    with pytest.raises(ErreurRenduPdf, match="Fichier statique introuvable pour le PDF : /static/absent.png"):
        rendre_pdf('<html lang="fr"><body><img src="/static/absent.png" alt=""></body></html>')


POINT_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'


def test_un_fichier_statique_des_sources_est_lu_depuis_le_disque(settings, tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "point.svg").write_text(POINT_SVG)
    settings.STATICFILES_DIRS = [tmp_path]

    pdf = rendre_pdf('<html lang="fr"><body><img src="/static/img/point.svg" alt=""></body></html>')

    assert pdf.startswith(b"%PDF")


def test_un_nom_avec_empreinte_de_collectstatic_est_lu_dans_static_root(settings, tmp_path):
    """En production, `{% static %}` donne le nom avec empreinte, qui n'existe que dans STATIC_ROOT."""
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "point.0123abcd.svg").write_text(POINT_SVG)
    settings.STATIC_ROOT = tmp_path

    pdf = rendre_pdf('<html lang="fr"><body><img src="/static/img/point.0123abcd.svg" alt=""></body></html>')

    assert pdf.startswith(b"%PDF")


def test_le_code_qr_est_une_image_svg_en_adresse_data():
    adresse = code_qr_svg("https://rupn.example/v/ABCD-1234")

    prefixe = "data:image/svg+xml;base64,"
    assert adresse.startswith(prefixe)
    svg = ElementTree.fromstring(base64.b64decode(adresse.removeprefix(prefixe)))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.find("{http://www.w3.org/2000/svg}path") is not None
    assert code_qr_svg("https://rupn.example/v/WXYZ-9876") != adresse
