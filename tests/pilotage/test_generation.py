"""Commande generer_donnees : données synthétiques déterministes, valides et rejouables."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Exists, F, OuterRef

from missions.echeancier import mois_de_mission, montant_du
from missions.models import Designation, Enveloppe, Transition
from rupn.comptes.models import Role, Utilisateur
from rupn.pilotage.generation import DOMAINE, MARQUEUR, Contexte, effacer_en_masse, repartir
from rupn.territoires.models import Academie, AnneeScolaire, Bassin, Departement, Etablissement
from rupn.territoires.validators import lettre_cle_uai, valider_uai
from tests.factories import DesignationFactory, EtablissementFactory, RoleFactory

pytestmark = pytest.mark.django_db

ECHELLE = "0.01"


def generer(*options):
    sortie = io.StringIO()
    call_command("generer_donnees", "--echelle", ECHELLE, *options, stdout=sortie)
    return sortie.getvalue()


def instantane():
    """Tout ce que la génération produit, sous une forme comparable."""
    etablissements = sorted(
        Etablissement.objects.filter(nom__startswith=MARQUEUR).values_list(
            "uuid",
            "uai",
            "nom",
            "type",
            "nature_code",
            "secteur",
            "departement__code",
            "bassin__code",
            "etablissement_mere__uai",
            "ouvert",
            "commune",
            "date_fermeture",
        )
    )
    bassins = sorted(Bassin.objects.filter(libelle__startswith=MARQUEUR).values_list("code", "libelle", "academie"))
    personnes = sorted(
        Utilisateur.objects.filter(email__endswith=f"@{DOMAINE}").values_list(
            "uuid", "email", "first_name", "last_name"
        )
    )
    roles = sorted(
        Role.objects.filter(utilisateur__email__endswith=f"@{DOMAINE}").values_list(
            "utilisateur__email", "type", "etablissement__uai", "academie__code", "debut", "departements__code"
        ),
        key=repr,
    )
    designations = sorted(
        Designation.objects.filter(etablissement__nom__startswith=MARQUEUR).values_list(
            "uuid",
            "etablissement__uai",
            "annee__code",
            "agent__email",
            "statut",
            "taux__montant",
            "heures_allegement",
            "debut",
            "fin",
            "montant",
            "remplace__uuid",
        )
    )
    transitions = sorted(
        Transition.objects.filter(designation__etablissement__nom__startswith=MARQUEUR).values_list(
            "designation__uuid", "de", "vers", "par__email"
        )
    )
    enveloppes = sorted(
        Enveloppe.objects.filter(etablissement__nom__startswith=MARQUEUR).values_list(
            "etablissement__uai", "annee__code", "montant"
        )
    )
    return {
        "etablissements": etablissements,
        "bassins": bassins,
        "personnes": personnes,
        "roles": roles,
        "designations": designations,
        "transitions": transitions,
        "enveloppes": enveloppes,
    }


def test_generation_deterministe_et_rejouable():
    sortie = generer("--graine", "7")
    premiere = instantane()
    assert len(premiere["etablissements"]) >= 100
    assert "Données synthétiques (graine 7, échelle 0.01) :" in sortie
    assert f"{len(premiere['etablissements'])} établissements" in sortie

    assert len(premiere["designations"]) == len(premiere["transitions"]) > len(premiere["etablissements"])

    generer("--graine", "7")
    assert instantane() == premiere  # mêmes lignes, pas de doublon

    generer("--graine", "8")
    autre = instantane()
    assert len(autre["etablissements"]) == len(premiere["etablissements"])
    assert [e[2] for e in autre["etablissements"]] != [e[2] for e in premiere["etablissements"]]


def test_etablissements_valides_et_repartis():
    generer()
    etablissements = list(
        Etablissement.objects.filter(nom__startswith=MARQUEUR).select_related("departement", "bassin")
    )
    for etablissement in etablissements:
        valider_uai(etablissement.uai)
        assert etablissement.uai.startswith(etablissement.departement.prefixe_uai)
        assert etablissement.departement.academie_id == etablissement.academie_id
        if etablissement.bassin:
            assert etablissement.bassin.academie_id == etablissement.academie_id
        if etablissement.etablissement_mere_id:
            mere = etablissement.etablissement_mere
            assert mere.type == Etablissement.Type.LYCEE
            assert mere.departement_id == etablissement.departement_id
        etablissement.full_clean()
    assert len({e.uai for e in etablissements}) == len(etablissements)
    # Chaque académie a des établissements ; la plus grande en a le plus.
    par_academie = {a.code: a.etablissements.count() for a in Academie.objects.all()}
    assert min(par_academie.values()) >= 1
    assert max(par_academie, key=par_academie.get) == "25"  # Versailles
    types = {t for (t,) in Etablissement.objects.filter(nom__startswith=MARQUEUR).values_list("type")}
    assert {Etablissement.Type.COLLEGE, Etablissement.Type.LYCEE} <= types
    assert Etablissement.objects.filter(nom__startswith=MARQUEUR, secteur=Etablissement.Secteur.PRIVE).exists()


def test_personnes_et_roles():
    generer("--annees", "3")
    ouverts = Etablissement.objects.filter(nom__startswith=MARQUEUR, ouvert=True)
    roles = Role.objects.filter(utilisateur__email__endswith=f"@{DOMAINE}")
    assert roles.filter(type=Role.Type.CHEF).count() == ouverts.count()
    for etablissement in ouverts:
        assert etablissement.roles.filter(type=Role.Type.CHEF).count() == 1
        # Un ou deux RUPN de l'étape « personnes » ; l'étape « désignations » ajoute des collègues.
        assert 1 <= etablissement.roles.filter(type=Role.Type.RUPN, utilisateur__email__startswith="rupn").count() <= 2
        assert set(etablissement.roles.values_list("academie", flat=True)) == {etablissement.academie_id}
    for academie in Academie.objects.all():
        assert roles.filter(type=Role.Type.DANE, academie=academie).count() == 3
    correspondants = roles.filter(type=Role.Type.CORRESPONDANT)
    assert correspondants.count() == Departement.objects.count()
    for role in correspondants:
        (departement,) = role.departements.all()
        assert departement.academie_id == role.academie_id
    assert Utilisateur.objects.filter(email__endswith=f"@{DOMAINE}").count() == roles.count()
    rentrees = Contexte(graine=1, echelle=1, annees=3).rentrees
    for rentree in rentrees:
        assert AnneeScolaire.objects.filter(code=f"{rentree}-{rentree + 1}").exists()
    assert {r.debut.year for r in roles} <= set(rentrees)


def test_donnees_reelles_preservees():
    """Un UAI réel dans la plage synthétique est sauté ; les vraies données restent intactes."""
    uai = "0318000" + lettre_cle_uai("0318000")
    reel = EtablissementFactory(uai=uai, nom="Collège réel")
    role_reel = RoleFactory(etablissement=reel)
    generer()
    generer()
    reel.refresh_from_db()
    assert reel.nom == "Collège réel"
    assert Role.objects.filter(pk=role_reel.pk).exists()
    assert Etablissement.objects.filter(departement__code="031", nom__startswith=MARQUEUR).exclude(uai=uai).exists()


def test_echelle_invalide():
    with pytest.raises(CommandError, match="strictement positive"):
        call_command("generer_donnees", "--echelle", "0", stdout=io.StringIO())


def test_repartir():
    assert repartir(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(repartir(11_400, [217, 305, 147, 0])) == 11_400
    assert repartir(5, [0, 0]) == [0, 0]


def test_regeneration_detache_les_donnees_reelles_liees():
    """Un rôle réel dans un établissement synthétique part avec lui ; la personne reste,
    une section réelle rattachée à un lycée synthétique est détachée."""
    generer()
    synthetique = Etablissement.objects.filter(nom__startswith=MARQUEUR).first()
    role = RoleFactory(etablissement=synthetique, type=Role.Type.RUPN)
    section = EtablissementFactory(nom="SEP réelle", etablissement_mere=synthetique)
    generer()
    assert not Role.objects.filter(pk=role.pk).exists()
    assert Utilisateur.objects.filter(pk=role.utilisateur_id).exists()
    section.refresh_from_db()
    assert section.etablissement_mere is None


def test_designations_et_enveloppes():
    """Montants calculés par l'échéancier, états réalistes, couverture partielle, une enveloppe par
    établissement ouvert et par année."""
    sortie = generer("--annees", "3")
    annees = [AnneeScolaire.pour_rentree(rentree) for rentree in Contexte(graine=1, echelle=1, annees=3).rentrees]
    courante, passees = annees[-1], annees[:-1]
    ouverts = Etablissement.objects.filter(nom__startswith=MARQUEUR, ouvert=True)
    designations = Designation.objects.filter(etablissement__nom__startswith=MARQUEUR)
    assert f"{designations.count()} désignations" in sortie
    assert not designations.filter(etablissement__ouvert=False).exists()

    for designation in designations.select_related("annee", "taux", "etablissement"):
        assert designation.nb_mois == len(mois_de_mission(designation.annee.debut, designation.debut, designation.fin))
        if designation.taux:
            assert designation.montant == montant_du(designation.taux.montant, designation.nb_mois)
        else:
            assert designation.heures_allegement > 0 and designation.montant == 0
        assert designation.annee.debut <= designation.debut <= designation.fin <= designation.annee.fin
        if designation.etablissement.secteur == Etablissement.Secteur.PRIVE:
            assert designation.avis_conseil_administration is None
    assert designations.filter(taux__montant=1250).count() > designations.count() / 2
    assert 0 < designations.filter(taux__isnull=True).count() < designations.count() / 10

    # Couverture partielle : chaque année, la plupart des établissements ouverts ont une désignation.
    for annee in annees:
        couverts = ouverts.filter(designations__annee=annee).distinct().count()
        assert 0.75 * ouverts.count() < couverts < ouverts.count()
        assert Enveloppe.objects.filter(etablissement__in=ouverts, annee=annee).count() == ouverts.count()

    assert set(designations.filter(annee=courante).values_list("statut", flat=True)) == {
        "proposee",
        "acceptee",
        "validee",
        "refusee",
    }
    passees_designations = designations.filter(annee__in=passees)
    assert passees_designations.filter(statut="validee").count() > 0.8 * passees_designations.count()
    assert set(passees_designations.values_list("statut", flat=True)) <= {"validee", "acceptee", "refusee", "terminee"}
    remplacements = designations.filter(remplace__isnull=False).select_related("remplace")
    assert remplacements.exists()
    assert remplacements.count() == designations.filter(statut="terminee").count()
    for remplacement in remplacements:
        remplacee = remplacement.remplace
        assert remplacee.statut == "terminee" and remplacee.nb_mois < 12
        assert (remplacee.etablissement_id, remplacee.annee_id) == (
            remplacement.etablissement_id,
            remplacement.annee_id,
        )
        assert remplacement.debut == remplacee.fin + datetime.timedelta(days=1)

    # Un changement d'état par désignation : celui qui mène à l'état final.
    transitions = Transition.objects.filter(designation__in=designations)
    assert transitions.count() == designations.count()
    assert not transitions.exclude(vers=F("designation__statut")).exists()
    assert not transitions.filter(par__isnull=True).exists()
    # Les personnes désignées qui ont accepté sont RUPN de l'établissement.
    acceptees = designations.filter(statut__in=Designation.STATUTS_ACCEPTES)
    rupn = Role.objects.filter(
        type=Role.Type.RUPN, utilisateur=OuterRef("agent"), etablissement=OuterRef("etablissement")
    )
    assert acceptees.exists() and not acceptees.exclude(Exists(rupn)).exists()


def test_effacer_en_masse_une_reference_interne():
    """Une désignation en remplace une autre : les deux partent ensemble, et celle du dehors qui
    remplace une désignation effacée part aussi (PROTECT : les lignes qui protègent sont effacées)."""
    remplacee = DesignationFactory(statut="terminee")
    dedans = DesignationFactory(etablissement=remplacee.etablissement, remplace=remplacee)
    dehors = DesignationFactory(remplace=dedans)
    autre = DesignationFactory()
    Transition.objects.create(designation=dehors, vers="proposee", par=dehors.cree_par)

    effacees = effacer_en_masse(Designation.objects.filter(etablissement=remplacee.etablissement))

    assert effacees == 4  # trois désignations et un changement d'état
    assert list(Designation.objects.all()) == [autre]
