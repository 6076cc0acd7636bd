from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from missions.models import Designation, Enveloppe, Transition
from rupn.comptes.models import Role, Utilisateur
from rupn.territoires.models import Etablissement, ImportAnnuaire

pytestmark = pytest.mark.django_db


def test_la_demonstration_refuse_de_se_charger_hors_developpement(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="mot de passe connu"):
        call_command("charger_demo", stdout=StringIO())
    assert not Utilisateur.objects.exists()


def _compter():
    return {
        "établissements": Etablissement.objects.count(),
        "personnes": Utilisateur.objects.count(),
        "rôles": Role.objects.count(),
        "imports": ImportAnnuaire.objects.count(),
        "désignations": Designation.objects.count(),
        "changements d'état": Transition.objects.count(),
        "enveloppes": Enveloppe.objects.count(),
    }


def test_la_demonstration_est_idempotente_et_affiche_les_comptes():
    sortie = StringIO()
    call_command("charger_demo", forcer=True, stdout=sortie)
    compte = _compter()
    assert compte == {
        "établissements": 579,
        # 8 personas, 40 directions et 46 RUPN fictifs (designations.py).
        "personnes": 94,
        "rôles": 91,
        "imports": 1,
        "désignations": 80,
        "changements d'état": 218,
        "enveloppes": 84,
    }
    assert "dane@demo.rupn.example" in sortie.getvalue() and "demo-rupn-2026" in sortie.getvalue()
    assert ": 80 créées, 0 déjà présentes ; enveloppes d'IMP : 84 fixées." in sortie.getvalue()

    sortie = StringIO()
    call_command("charger_demo", forcer=True, stdout=sortie)
    assert _compter() == compte
    assert ": 0 créées, 80 déjà présentes ; enveloppes d'IMP : 0 fixées." in sortie.getvalue()
    assert {role.type for role in Role.objects.all()} == set(Role.Type)
    assert Utilisateur.objects.get(email="rupn.deux@demo.rupn.example").roles.count() == 2


def test_la_demonstration_se_recharge_apres_des_essais_sur_les_roles():
    """Une mission terminée puis redonnée pendant la démonstration a fini un rôle et en a créé un autre."""
    call_command("charger_demo", forcer=True, stdout=StringIO())
    julie = Utilisateur.objects.get(email="rupn@demo.rupn.example")
    role = julie.roles.get()
    Role.objects.filter(pk=role.pk).update(fin=role.debut)
    Role.objects.create(utilisateur=julie, type=role.type, etablissement=role.etablissement, academie=role.academie)
    call_command("charger_demo", forcer=True, stdout=StringIO())
    role.refresh_from_db()
    assert role.fin is None
    assert julie.roles.valides().filter(pk=role.pk).exists()
