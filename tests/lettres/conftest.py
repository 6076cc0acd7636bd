"""Le sceau des lettres est configuré dans chaque test de tests/lettres/, comme en production.

Le certificat auto-signé est créé une fois par session (clé RSA 3072) ; un test qui veut un sceau
non configuré remet `settings.RUPN_SCEAU_PKCS12` à vide.
"""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from lettres.management.commands.creer_certificat_sceau import pkcs12_auto_signe

NOM_ACADEMIE = "Académie de Toulouse"


@dataclass(frozen=True)
class CertificatSceau:
    chemin: Path
    mot_de_passe: str
    nom: str


def creer_certificat(dossier, *, nom, debut=None, fin=None, mot_de_passe="mot-de-passe-de-test"):
    """Écrit un PKCS#12 auto-signé dans `dossier` (valable d'hier à dans un an par défaut)."""
    maintenant = timezone.now()
    chemin = Path(dossier) / f"{nom.replace(' ', '_')}.p12"
    chemin.write_bytes(
        pkcs12_auto_signe(
            nom=nom,
            mot_de_passe=mot_de_passe,
            debut=debut or maintenant - timedelta(days=1),
            fin=fin or maintenant + timedelta(days=365),
        )
    )
    return CertificatSceau(chemin, mot_de_passe, nom)


def configurer_sceau(settings, certificat):
    settings.RUPN_SCEAU_PKCS12 = str(certificat.chemin)
    settings.RUPN_SCEAU_MOT_DE_PASSE = certificat.mot_de_passe


@pytest.fixture(scope="session")
def certificat_sceau(tmp_path_factory):
    """Le certificat de l'académie pour toute la session."""
    return creer_certificat(tmp_path_factory.mktemp("sceau"), nom=NOM_ACADEMIE)


@pytest.fixture(autouse=True)
def sceau_configure(settings, certificat_sceau):
    """Les réglages RUPN_SCEAU_* pointent sur le certificat de session."""
    configurer_sceau(settings, certificat_sceau)
    return certificat_sceau
