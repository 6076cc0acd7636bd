"""Rendu PDF des lettres (WeasyPrint 70) : A4, police Marianne, PDF/A-3b, aucune requête réseau.

Le HTML est rendu par un gabarit Django (voir templates/lettres/pdf/_base.html) ; ses ressources
(feuilles de style, polices, images) sont lues sur le disque : les adresses `/static/…` par les
chercheurs de fichiers statiques de Django, les images calculées en `data:`. Toute autre adresse
(http, https, fichier hors des fichiers statiques) arrête le rendu : une lettre ne part jamais avec
une image manquante, et le rendu ne dépend d'aucun serveur, pas même du nôtre.
"""

import base64
import mimetypes
import posixpath
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML, URLFetcher
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

# Les adresses relatives du gabarit (`/static/…`) se résolvent contre cette base fictive : elles
# deviennent `file:///static/…`, que le lecteur ci-dessous sert depuis les fichiers statiques.
BASE_URL = "file:///"
# Archivage : PDF/A-3b (PDF 1.7, profil sRGB, métadonnées XMP) ; le sceau PAdES s'ajoute ensuite
# en mise à jour incrémentale, ce que PDF/A-3 admet.
VARIANTE_PDF = "pdf/a-3b"


class ErreurRenduPdf(Exception):
    """Le PDF n'a pas pu être rendu (le plus souvent : une ressource refusée ou introuvable)."""


class LecteurRessources(URLFetcher):
    """N'ouvre que `data:` et les fichiers statiques du projet (`file:///static/…`), sans réseau.

    WeasyPrint 70 a retiré `default_url_fetcher` : on sous-classe `URLFetcher` et on remplace `fetch`.
    """

    def __init__(self):
        # fail_on_errors : une ressource refusée arrête le rendu au lieu d'un simple avertissement.
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, fail_on_errors=True)

    def fetch(self, url, headers=None):
        morceaux = urlsplit(url)
        if morceaux.scheme == "data":
            return super().fetch(url, headers)
        if morceaux.scheme == "file" and morceaux.netloc in ("", "localhost"):
            fichier = self._fichier_statique(posixpath.normpath(unquote(morceaux.path)))
            type_mime = mimetypes.guess_type(fichier.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=fichier.read_bytes(), headers={"Content-Type": type_mime})
        raise ErreurRenduPdf(
            f"Adresse refusée dans le PDF : {url}. Seuls les fichiers statiques du projet ({settings.STATIC_URL}…) "
            "et les adresses data: sont autorisés ; aucune requête réseau n'est faite."
        )

    @staticmethod
    def _fichier_statique(chemin):
        prefixe = "/" + settings.STATIC_URL.strip("/") + "/"
        if not chemin.startswith(prefixe):
            raise ErreurRenduPdf(
                f"Fichier refusé dans le PDF : {chemin}. Seuls les fichiers statiques ({prefixe}…) sont lus."
            )
        relatif = chemin.removeprefix(prefixe)
        # Les sources d'abord (développement, tests) ; puis STATIC_ROOT, où `collectstatic` a copié les
        # noms avec empreinte que `{% static %}` produit en production.
        trouve = finders.find(relatif)
        if trouve:
            return Path(trouve)
        if staticfiles_storage.exists(relatif):
            return Path(staticfiles_storage.path(relatif))
        raise ErreurRenduPdf(f"Fichier statique introuvable pour le PDF : {chemin}.")


def rendre_pdf(html: str) -> bytes:
    """Rend le document HTML en PDF/A-3b et renvoie ses octets.

    Lève `ErreurRenduPdf` (message en français) si une ressource est refusée ou introuvable.
    """
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=LecteurRessources())
    try:
        with warnings.catch_warnings():
            # WeasyPrint 70 ouvre son profil sRGB (exigé par PDF/A) sans le refermer.
            warnings.filterwarnings("ignore", r"unclosed file .*sRGB2014\.icc", ResourceWarning)
            return document.write_pdf(pdf_variant=VARIANTE_PDF)
    except FatalURLFetchingError as erreur:
        raise ErreurRenduPdf(str(erreur.__cause__)) from erreur


def code_qr_svg(texte: str) -> str:
    """Le code QR de `texte` en image SVG, sous forme d'adresse `data:` (pour `<img src>`, page ou PDF)."""
    image = qrcode.make(
        texte,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")
