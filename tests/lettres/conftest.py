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
from rupn.comptes.models import Role
from rupn.territoires.models import AnneeScolaire
from tests.factories import DesignationFactory, LettreMissionFactory, RoleFactory

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


def sceller_pour_test(lettre=None, *, horodatage=None, **champs):
    """Une lettre signée (chaque RUPN, puis un chef créé pour l'occasion) et scellée par le vrai rendu et le
    vrai sceau, sans passer par les pages. `lettre` : une lettre à signer ; sinon une est créée (`champs`)."""
    from lettres.document import empreinte_contenu
    from lettres.models import Signature
    from lettres.signatures import charger_lettre, sceller_lettre

    lettre = charger_lettre(lettre or LettreMissionFactory(a_signer=True, **champs))
    horodatage = horodatage or timezone.now()
    chef = RoleFactory(type=Role.Type.CHEF, etablissement=lettre.etablissement).utilisateur
    signatures = [
        Signature.objects.create(
            lettre=lettre,
            signataire=personne,
            qualite=qualite,
            horodatage=horodatage,
            methode_authentification=Signature.Methode.MOT_DE_PASSE,
            empreinte_contenu=empreinte_contenu(lettre),
            texte_consentement="Signée pour le test.",
        )
        for personne, qualite in [*((p, Signature.Qualite.RUPN) for p in lettre.rupn()), (chef, Signature.Qualite.CHEF)]
    ]
    sceller_lettre(lettre, signatures)
    return lettre


# Une lettre du collège A dont rupn_a est le RUPN (personas de tests/conftest.py).


@pytest.fixture
def annee_en_cours():
    return AnneeScolaire.objects.courante()


@pytest.fixture
def designation_rupn_a(college_a, rupn_a, annee_en_cours):
    return DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee_en_cours, acceptee=True)


@pytest.fixture
def lettre_a(college_a, designation_rupn_a):
    """Le brouillon de la lettre du collège A, dont rupn_a est le RUPN."""
    return LettreMissionFactory(
        etablissement=college_a, annee=designation_rupn_a.annee, designations=[designation_rupn_a]
    )


def un_rupn(etablissement, annee, **champs):
    """Une personne RUPN de l'établissement (rôle actif), avec sa désignation acceptée de l'année."""
    personne = RoleFactory(type=Role.Type.RUPN, etablissement=etablissement, **champs).utilisateur
    return personne, DesignationFactory(etablissement=etablissement, agent=personne, annee=annee, acceptee=True)
