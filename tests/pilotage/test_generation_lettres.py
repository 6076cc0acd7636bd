"""Étape « lettres » de generer_donnees : lettres de mission synthétiques dans tous les états."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lettres.document import empreinte_contenu
from lettres.models import Approbation, LettreMission, Signature
from lettres.verification import normaliser_code
from missions.models import Designation
from rupn.comptes.models import Role
from rupn.pilotage.generation import MARQUEUR, Contexte, effacer
from rupn.pilotage.generation_lettres import effacer_lettres
from rupn.territoires.models import AnneeScolaire
from tests.factories import LettreMissionFactory

pytestmark = pytest.mark.django_db

Statut = LettreMission.Statut


def generer(*options):
    sortie = io.StringIO()
    call_command("generer_donnees", "--echelle", "0.01", *options, stdout=sortie)
    return sortie.getvalue()


def synthetiques():
    return LettreMission.objects.filter(etablissement__nom__startswith=MARQUEUR)


def instantane():
    lettres = sorted(
        (
            *ligne,
            tuple(
                sorted(
                    LettreMission.designations.through.objects.filter(lettremission__uuid=ligne[0]).values_list(
                        "designation__uuid", flat=True
                    )
                )
            ),
        )
        for ligne in synthetiques().values_list(
            "uuid",
            "code_verification",
            "statut",
            "etablissement__uai",
            "annee__code",
            "revision",
            "cree_le",
            "modifiee_le",
            "scellee_le",
            "annulee_le",
            "remplace__uuid",
        )
    )
    signatures = sorted(
        Signature.objects.filter(lettre__in=synthetiques()).values_list(
            "lettre__uuid",
            "signataire__email",
            "qualite",
            "horodatage",
            "methode_authentification",
            "adresse_ip",
            "empreinte_contenu",
        )
    )
    approbations = sorted(
        Approbation.objects.filter(lettre__in=synthetiques()).values_list(
            "lettre__uuid", "rupn__email", "revision", "cree_le"
        )
    )
    return lettres, signatures, approbations


def test_lettres_dans_tous_les_etats():
    sortie = generer()
    lettres = synthetiques()
    assert f"{lettres.count()} lettres de mission" in sortie
    courante = AnneeScolaire.pour_rentree(Contexte(graine=1, echelle=1, annees=5).rentree_courante)
    assert set(lettres.values_list("statut", flat=True)) == set(Statut.values)
    assert set(lettres.filter(annee=courante).values_list("statut", flat=True)) == {
        Statut.BROUILLON,
        Statut.RELECTURE,
        Statut.SIGNATURE,
        Statut.SCELLEE,
    }
    passees = lettres.exclude(annee=courante)
    assert passees.filter(statut=Statut.SCELLEE).count() > 0.8 * passees.count()

    # Chaque lettre couvre des désignations acceptées de son établissement et de son année.
    lien = LettreMission.designations.through.objects.filter(lettremission__in=lettres)
    assert not lettres.annotate(n=Count("designations")).filter(n=0).exists()
    assert not lien.exclude(designation__etablissement=F("lettremission__etablissement")).exists()
    assert not lien.exclude(designation__annee=F("lettremission__annee")).exists()
    assert not lien.exclude(designation__statut__in=Designation.STATUTS_ACCEPTES).exists()
    # Au plus une lettre en effet par établissement et par année ; une part des établissements n'en a pas.
    assert not lettres.en_effet().values("etablissement", "annee").annotate(n=Count("pk")).filter(n__gt=1).exists()
    acceptees = Designation.objects.filter(
        etablissement__nom__startswith=MARQUEUR, annee=courante, statut__in=Designation.STATUTS_ACCEPTES
    )
    assert acceptees.filter(lettres_mission__isnull=True).exists()
    assert not lettres.exclude(modele__academie=F("etablissement__academie")).exists()

    debut_du_jour = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    for lettre in lettres.pour_lecture().prefetch_related("approbations"):
        normaliser_code(lettre.code_verification)
        assert not lettre.pdf and not lettre.empreinte_pdf
        assert lettre.cree_le <= lettre.modifiee_le <= debut_du_jour
        rupn = {personne.pk for personne in lettre.rupn()}
        approuve = {a.rupn_id for a in lettre.approbations.all() if a.revision == lettre.revision}
        signatures = lettre.signatures_valides()
        assert all(lettre.cree_le <= s.horodatage <= debut_du_jour for s in signatures)
        assert all(s.empreinte_contenu == empreinte_contenu(lettre) for s in signatures)
        par_rupn = [s.signataire_id for s in signatures if s.qualite == Signature.Qualite.RUPN]
        if lettre.statut == Statut.BROUILLON:
            assert not approuve and not signatures
        elif lettre.statut == Statut.RELECTURE:
            assert approuve < rupn and not signatures
        elif lettre.statut == Statut.SIGNATURE:
            assert approuve == rupn and set(par_rupn) <= rupn
            assert all(s.qualite == Signature.Qualite.RUPN for s in signatures)
        elif lettre.scellee_le:
            # Chaque RUPN pour accord, puis le chef, dont la signature scelle la lettre.
            assert approuve == rupn and sorted(par_rupn) == sorted(rupn)
            chef = signatures[-1]
            assert chef.qualite == Signature.Qualite.CHEF and chef.horodatage == lettre.scellee_le
            assert Role.objects.filter(
                utilisateur=chef.signataire_id, etablissement=lettre.etablissement, type=Role.Type.CHEF
            ).exists()
            assert lettre.etablissement.nom in chef.texte_consentement
        else:
            raise AssertionError(f"lettre {lettre.statut} jamais scellée")
        if lettre.statut == Statut.ANNULEE:
            assert lettre.scellee_le < lettre.annulee_le <= debut_du_jour and lettre.motif_annulation
            assert lettre.annulee_par_id == lettre.cree_par_id
        if lettre.statut == Statut.REMPLACEE:
            (avenant,) = lettre.avenants.all()
            assert avenant.statut == Statut.SCELLEE and avenant.scellee_le > lettre.scellee_le
            assert (avenant.etablissement_id, avenant.annee_id) == (lettre.etablissement_id, lettre.annee_id)
    assert lettres.filter(remplace__isnull=False).count() == lettres.filter(statut=Statut.REMPLACEE).count()
    assert lettres.filter(statut=Statut.SIGNATURE, signatures__isnull=False).exists()

    # Sans PDF : la relecture de nuit le dit et n'en contrôle aucune ; la page publique les montre.
    sortie_verification = io.StringIO()
    call_command("verifier_lettres", stdout=sortie_verification, stderr=io.StringIO())
    scellees = lettres.filter(scellee_le__isnull=False).count()
    assert "0 lettre scellée contrôlée" in sortie_verification.getvalue()
    assert f"{scellees} lettres scellées sans PDF stocké" in sortie_verification.getvalue()
    scellee = lettres.filter(statut=Statut.SCELLEE).first()
    reponse = Client().get(reverse("lettres:verification_code", args=[scellee.code_verification]), secure=True)
    assert reponse.status_code == 200
    assert scellee.etablissement.nom in reponse.content.decode()


def test_generation_deterministe_et_effacement_complet():
    reelle = LettreMissionFactory()
    generer("--annees", "2")
    premiere = instantane()
    assert premiere[0] and premiere[1] and premiere[2]
    generer("--annees", "2")
    assert instantane() == premiere

    assert effacer_lettres() > len(premiere[0])
    assert instantane() == ([], [], [])
    generer("--annees", "2")
    effacer(progression=lambda message: None)  # toutes les étapes, dans l'ordre inverse
    assert not synthetiques().exists()
    assert not Designation.objects.filter(etablissement__nom__startswith=MARQUEUR).exists()
    assert list(LettreMission.objects.all()) == [reelle]
    assert reelle.designations.exists()
