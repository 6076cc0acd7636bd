"""Chaque page fait un nombre borné de requêtes, qui ne grandit pas avec les données (N+1)."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rupn.comptes.models import Invitation, Role
from rupn.territoires.annuaire import Bilan
from rupn.territoires.models import ImportAnnuaire
from tests.conftest import client_de
from tests.factories import EtablissementFactory, RoleFactory

pytestmark = pytest.mark.django_db
BORNE = 15


def _invitations(chef, etablissement, nombre):
    for _ in range(nombre):
        Invitation.objects.create(
            email=f"invite{Invitation.objects.count()}@rupn.example",
            type_role=Role.Type.RUPN,
            etablissement=etablissement,
            academie=etablissement.academie,
            invite_par=chef,
        )


def _imports(dane, nombre):
    for _ in range(nombre):
        depot = ImportAnnuaire(
            academie=dane.roles.get().academie,
            nom_fichier="annuaire.csv",
            empreinte="0" * 64,
            auteur=dane,
            bilan={**Bilan().en_dict(), "crees": [{"ligne": 2, "uai": "0311131L", "nom": "Lycée"}]},
        )
        depot.fichier.save("annuaire.csv", ContentFile(b"x"), save=False)
        depot.save()
    return depot


def _requetes(client, url):
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(url)
    assert reponse.status_code == 200
    return len(capture)


def test_liste_des_invitations(chef_a, college_a):
    client = client_de(chef_a)
    _invitations(chef_a, college_a, 2)
    peu = _requetes(client, reverse("comptes:invitation_liste"))
    _invitations(chef_a, college_a, 25)
    assert _requetes(client, reverse("comptes:invitation_liste")) == peu <= BORNE


def test_liste_et_apercu_des_imports(dane_toulouse):
    client = client_de(dane_toulouse)
    _imports(dane_toulouse, 2)
    peu = _requetes(client, reverse("territoires:import_liste"))
    depot = _imports(dane_toulouse, 15)
    assert _requetes(client, reverse("territoires:import_liste")) == peu <= BORNE
    assert _requetes(client, reverse("territoires:import_apercu", args=[depot.uuid])) <= BORNE


def test_page_d_un_etablissement(dane_toulouse, college_a):
    client = client_de(dane_toulouse)
    RoleFactory(type=Role.Type.RUPN, etablissement=college_a)
    peu = _requetes(client, college_a.get_absolute_url())
    for _ in range(10):
        RoleFactory(type=Role.Type.RUPN, etablissement=college_a)
        EtablissementFactory(etablissement_mere=college_a)
    assert _requetes(client, college_a.get_absolute_url()) == peu <= BORNE


def test_export_des_etablissements(dane_toulouse):
    client = client_de(dane_toulouse)
    EtablissementFactory.create_batch(3)
    peu = _requetes(client, reverse("territoires:etablissement_export", args=["csv"]))
    EtablissementFactory.create_batch(60)
    assert _requetes(client, reverse("territoires:etablissement_export", args=["csv"])) == peu <= BORNE
