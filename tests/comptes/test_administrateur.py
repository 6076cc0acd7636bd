from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from rupn.comptes.models import Role, Utilisateur

pytestmark = pytest.mark.django_db


def _saisir(monkeypatch, *reponses):
    reponses = iter(reponses)
    monkeypatch.setattr("getpass.getpass", lambda invite: next(reponses))


def test_creer_administrateur_national(monkeypatch):
    _saisir(monkeypatch, "un-mot-de-passe-solide-2026", "un-mot-de-passe-solide-2026")
    sortie = StringIO()
    call_command("creer_administrateur", "Admin@Rectorat.example", prenom="Ada", stdout=sortie)
    admin = Utilisateur.objects.get(email="admin@rectorat.example")
    assert admin.is_superuser and admin.is_staff and admin.check_password("un-mot-de-passe-solide-2026")
    assert admin.roles.get().type == Role.Type.NATIONAL
    assert EmailAddress.objects.get(user=admin).verified
    assert "Administrateur national créé : admin@rectorat.example." in sortie.getvalue()


@pytest.mark.parametrize(
    ("saisies", "message"),
    [
        (("un-mot-de-passe-solide-2026", "autre"), "ne sont pas identiques"),
        (("court", "court"), "trop court"),
    ],
)
def test_creer_administrateur_refuse_un_mauvais_mot_de_passe(monkeypatch, saisies, message):
    _saisir(monkeypatch, *saisies)
    with pytest.raises(CommandError, match=message):
        call_command("creer_administrateur", "admin@rectorat.example")
    assert not Utilisateur.objects.exists()


def test_creer_administrateur_refuse_une_adresse_deja_prise(monkeypatch, chef_a):
    _saisir(monkeypatch, "un-mot-de-passe-solide-2026", "un-mot-de-passe-solide-2026")
    with pytest.raises(CommandError, match="Un compte existe déjà"):
        call_command("creer_administrateur", chef_a.email.upper())
