import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lettres.models import LettreMission, Signature
from lettres.sceau import verifier_sceau
from missions.models import Activite, Designation, Enveloppe, Transition
from rupn.comptes.models import Role, Utilisateur
from rupn.territoires.models import Etablissement, ImportAnnuaire

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sceau_de_demonstration")]


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
        "entrées du journal": Activite.objects.count(),
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
        # 10 entrées pour chacune des 4 missions des personas RUPN (journal.py).
        "entrées du journal": 40,
    }
    assert "dane@demo.rupn.example" in sortie.getvalue() and "demo-rupn-2026" in sortie.getvalue()
    assert ": 80 créées, 0 déjà présentes ; enveloppes d'IMP : 84 fixées." in sortie.getvalue()
    assert "Journal d'activités des personas RUPN : 40 entrées créées, 0 missions déjà renseignées." in (
        sortie.getvalue()
    )

    sortie = StringIO()
    call_command("charger_demo", forcer=True, stdout=sortie)
    assert _compter() == compte
    assert ": 0 créées, 80 déjà présentes ; enveloppes d'IMP : 0 fixées." in sortie.getvalue()
    assert "Journal d'activités des personas RUPN : 0 entrées créées, 4 missions déjà renseignées." in (
        sortie.getvalue()
    )
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


def test_la_demonstration_contient_des_lettres_scellees_et_verifiables():
    sortie = StringIO()
    call_command("charger_demo", forcer=True, stdout=sortie)
    assert "Lettres de mission : 12 créées (6 signée et scellée, 2 en relecture, 2 brouillon, 2 à signer)." in (
        sortie.getvalue()
    )
    scellees = LettreMission.objects.filter(statut="scellee")
    # Celle du lycée B cette année (Samir Haddad, Paul Chevalier) et celle du collège A l'an dernier.
    personas = scellees.filter(designations__agent__email="rupn.deux@demo.rupn.example")
    assert sorted(lettre.etablissement.roles.get(type="chef").utilisateur.email for lettre in personas) == [
        "chef.lycee@demo.rupn.example",
        "chef@demo.rupn.example",
    ]
    for lettre in scellees:
        with lettre.pdf.open("rb") as fichier:
            octets = fichier.read()
        assert hashlib.sha256(octets).hexdigest() == lettre.empreinte_pdf
        assert verifier_sceau(octets).valide
    assert {s.qualite for s in Signature.objects.filter(lettre__in=scellees)} == {"rupn", "chef"}

    sortie = StringIO()
    call_command("charger_demo", forcer=True, stdout=sortie)
    assert LettreMission.objects.count() == 12 and "Lettres de mission" not in sortie.getvalue()
