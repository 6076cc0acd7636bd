from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rupn.comptes.models import Role, Utilisateur
from rupn.territoires.models import Etablissement, ImportAnnuaire

pytestmark = pytest.mark.django_db


def test_la_demonstration_refuse_de_se_charger_hors_developpement(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="mot de passe connu"):
        call_command("charger_demo", stdout=StringIO())
    assert not Utilisateur.objects.exists()


def test_la_demonstration_est_idempotente_et_affiche_les_comptes():
    sortie = StringIO()
    call_command("charger_demo", forcer=True, stdout=sortie)
    compte = (
        Etablissement.objects.count(),
        Utilisateur.objects.count(),
        Role.objects.count(),
        ImportAnnuaire.objects.count(),
    )
    assert compte == (579, 8, 9, 1)
    assert "dane@demo.rupn.example" in sortie.getvalue() and "demo-rupn-2026" in sortie.getvalue()
    call_command("charger_demo", forcer=True, stdout=StringIO())
    assert (
        Etablissement.objects.count(),
        Utilisateur.objects.count(),
        Role.objects.count(),
        ImportAnnuaire.objects.count(),
    ) == compte
    assert {role.type for role in Role.objects.all()} == set(Role.Type)
    assert Utilisateur.objects.get(email="rupn.deux@demo.rupn.example").roles.count() == 2
