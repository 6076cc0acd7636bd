"""L'accueil de chaque rôle montre ce que la personne a à faire, en un nombre borné de requêtes."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rupn.comptes.models import Invitation, Role
from rupn.territoires.models import Academie, Bassin, Departement, ImportAnnuaire
from tests.conftest import client_de
from tests.factories import EtablissementFactory, academie

pytestmark = pytest.mark.django_db

# Requêtes de l'accueil, session, utilisateur, rôles et double authentification compris.
REQUETES_ACCUEIL_MAX = 12  # 5 à 11 mesurées selon le rôle


def texte(reponse):
    assert reponse.status_code == 200
    return html.unescape(reponse.content.decode())


def accueil(utilisateur):
    return client_de(utilisateur).get(reverse("accueil"))


def test_la_dane_sans_import_est_invitee_a_importer_l_annuaire(dane_toulouse):
    contenu = texte(accueil(dane_toulouse))

    assert "Personnel de la DANE</strong> — Académie de Toulouse" in contenu
    assert f'href="{reverse("territoires:import_liste")}">Importer la liste des établissements' in contenu
    assert f'href="{reverse("comptes:invitation_creer")}"' in contenu


def test_la_dane_dont_l_annuaire_est_importe_n_a_plus_cette_tache(dane_toulouse, dane_montpellier):
    ImportAnnuaire.objects.create(
        academie=academie("16"),
        nom_fichier="annuaire.csv",
        empreinte="0" * 64,
        auteur=dane_toulouse,
        statut=ImportAnnuaire.Statut.IMPORTE,
        importe_le=timezone.now(),
    )

    assert "Importer la liste des établissements" not in texte(accueil(dane_toulouse))
    # L'import d'une autre académie ne compte pas.
    assert "Importer la liste des établissements" in texte(accueil(dane_montpellier))


def test_la_dane_compte_les_etablissements_ouverts_et_les_invitations(dane_toulouse, college_a, college_herault):
    EtablissementFactory(departement=Departement.objects.get(code="081"))
    EtablissementFactory(ferme=True)
    Invitation.objects.create(
        email="x@rupn.example",
        type_role=Role.Type.RUPN,
        etablissement=college_a,
        academie=college_a.academie,
        invite_par=dane_toulouse,
    )

    reponse = accueil(dane_toulouse)

    assert reponse.context["nb_etablissements"] == 2
    contenu = texte(reponse)
    assert re.search(r'rupn-chiffre">\s*2\s*<', contenu)
    assert "1 invitation en attente de réponse" in contenu


def test_le_chef_voit_son_etablissement_et_le_lien_pour_inviter(chef_a, college_a, college_b):
    contenu = texte(accueil(chef_a))

    assert "Chef d'établissement</strong> — Collège A" in contenu
    assert college_a.uai in contenu
    assert "Collège B" not in contenu
    assert f'<a href="{reverse("comptes:invitation_creer")}">Inviter un RUPN ou un adjoint</a>' in contenu


def test_le_rupn_voit_son_etablissement_sans_lien_pour_inviter(rupn_a, college_a):
    reponse = accueil(rupn_a)

    assert reponse.context["etablissement"] == college_a
    contenu = texte(reponse)
    assert "<h2>Votre établissement</h2>" in contenu
    assert f'<a href="{college_a.get_absolute_url()}">Collège A</a>' in contenu
    assert reverse("comptes:invitation_creer") not in contenu


def test_l_administrateur_national_voit_le_tableau_des_academies(national, college_a, college_herault):
    contenu = texte(accueil(national))

    corps = re.search(r"<tbody>(.*?)</tbody>", contenu, re.S).group(1)
    lignes = re.findall(r"<tr>.*?</tr>", corps, re.S)
    assert len(lignes) == Academie.objects.count() == 30
    assert "<td>Toulouse</td>" in corps
    toulouse = next(ligne for ligne in lignes if "<td>Toulouse</td>" in ligne)
    assert toulouse.endswith("<td>1</td></tr>")


def test_le_correspondant_voit_le_nombre_d_etablissements_de_ses_departements(
    correspondant_31, college_a, college_b, college_tarn, college_herault
):
    EtablissementFactory(ferme=True)

    reponse = accueil(correspondant_31)

    assert reponse.context["nb_etablissements"] == 2
    assert "2 établissements ouverts</a> dans vos départements" in texte(reponse)


@pytest.mark.parametrize(
    "persona",
    ["chef_a", "adjoint_a", "rupn_a", "dane_toulouse", "correspondant_31", "national"],
)
def test_l_accueil_de_chaque_persona_tient_en_peu_de_requetes(request, persona, django_assert_max_num_queries):
    utilisateur = request.getfixturevalue(persona)
    client = client_de(utilisateur)

    with django_assert_max_num_queries(REQUETES_ACCUEIL_MAX):
        reponse = client.get(reverse("accueil"))

    assert reponse.status_code == 200
    assert reponse.context["role"] is not None


def requetes_de_la_liste(client):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(reverse("territoires:etablissement_liste"))
    assert reponse.status_code == 200
    return len(requetes), reponse


def creer_etablissements(nombre, bassin):
    departements = list(Departement.objects.filter(code__in=["031", "081"]))
    for rang in range(nombre):
        EtablissementFactory(departement=departements[rang % 2], bassin=bassin if rang % 3 else None)


def test_la_liste_des_etablissements_ne_grossit_pas_en_requetes(dane_toulouse):
    bassin = Bassin.objects.create(code="B16-1", libelle="Bassin de test", academie=academie("16"))
    client = client_de(dane_toulouse)

    creer_etablissements(10, bassin)
    avec_dix, reponse = requetes_de_la_liste(client)
    assert reponse.context["page"].paginator.count == 10

    creer_etablissements(50, bassin)
    avec_soixante, reponse = requetes_de_la_liste(client)
    assert reponse.context["page"].paginator.count == 60
    assert len(reponse.context["page"].object_list) == 50
    assert "Bassin de test" in texte(reponse)

    assert avec_soixante == avec_dix
    assert avec_dix <= REQUETES_ACCUEIL_MAX
