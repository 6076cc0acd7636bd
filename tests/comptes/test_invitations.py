"""Invitations : envoi dans le périmètre du rôle actif, acceptation, annulation, liste."""

import datetime
import html

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rupn.comptes.models import Invitation, Role, Utilisateur
from rupn.comptes.roles import charger_roles
from rupn.territoires.models import Departement
from tests.conftest import client_de
from tests.factories import academie

pytestmark = pytest.mark.django_db

MOT_DE_PASSE_SOLIDE = "Girafe-Violette-Orage-42"
CHOIX_INVALIDE = "Sélectionnez un choix valide"


def texte(reponse):
    return html.unescape(reponse.content.decode())


def inviter(client, capture, **donnees):
    """POST du formulaire d'invitation, courriels (envoyés après la transaction) compris."""
    donnees = {"email": "nouvelle.personne@rupn.example", "first_name": "Camille", "last_name": "Martin", **donnees}
    with capture(execute=True):
        return client.post(reverse("comptes:invitation_creer"), donnees)


def invitation_de(invite_par, etablissement, email="invitee@rupn.example", type_role=Role.Type.RUPN, **champs):
    return Invitation.objects.create(
        email=email,
        type_role=type_role,
        etablissement=etablissement,
        academie=etablissement.academie if etablissement else champs.pop("academie"),
        invite_par=invite_par,
        **champs,
    )


# --- Envoi -------------------------------------------------------------------------------------------------------


def test_le_chef_invite_un_rupn_de_son_etablissement(chef_a, college_a, django_capture_on_commit_callbacks):
    reponse = inviter(client_de(chef_a), django_capture_on_commit_callbacks, type_role="rupn")

    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("comptes:invitation_liste")
    invitation = Invitation.objects.get()
    assert invitation.email == "nouvelle.personne@rupn.example"
    assert invitation.type_role == Role.Type.RUPN
    assert invitation.etablissement == college_a
    assert invitation.academie == college_a.academie
    assert invitation.invite_par == chef_a
    assert invitation.statut == "en attente"
    assert len(mail.outbox) == 1
    courriel = mail.outbox[0]
    assert courriel.to == ["nouvelle.personne@rupn.example"]
    assert f"http://testserver/invitation/{invitation.jeton}/" in courriel.body
    assert "Collège A" in courriel.body


def test_le_chef_ne_choisit_ni_l_etablissement_ni_l_academie(chef_a, college_a, college_b):
    formulaire = client_de(chef_a).get(reverse("comptes:invitation_creer")).context["form"]
    assert set(formulaire.fields) == {"email", "first_name", "last_name", "type_role"}
    assert [valeur for valeur, _ in formulaire.fields["type_role"].choices] == ["adjoint", "rupn"]


def test_le_chef_ne_peut_pas_inviter_dans_un_autre_etablissement(chef_a, college_a, college_b):
    reponse = client_de(chef_a).post(
        reverse("comptes:invitation_creer"),
        {"email": "x@rupn.example", "type_role": "rupn", "etablissement": college_b.pk},
    )
    assert reponse.status_code == 302
    assert Invitation.objects.get().etablissement == college_a


def test_le_chef_ne_peut_pas_inviter_un_personnel_de_la_dane(chef_a, django_capture_on_commit_callbacks):
    reponse = inviter(client_de(chef_a), django_capture_on_commit_callbacks, type_role="dane")

    assert reponse.status_code == 200
    assert CHOIX_INVALIDE in texte(reponse)
    assert "dane n’en fait pas partie" in texte(reponse)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_la_dane_invite_un_chef_d_un_etablissement_de_son_academie(
    dane_toulouse, college_tarn, django_capture_on_commit_callbacks
):
    reponse = inviter(
        client_de(dane_toulouse), django_capture_on_commit_callbacks, type_role="chef", etablissement=college_tarn.pk
    )

    assert reponse.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.type_role, invitation.etablissement) == (Role.Type.CHEF, college_tarn)
    assert invitation.academie == academie("16")
    assert len(mail.outbox) == 1


def test_la_dane_ne_peut_pas_choisir_un_etablissement_d_une_autre_academie(
    dane_toulouse, college_herault, django_capture_on_commit_callbacks
):
    reponse = inviter(
        client_de(dane_toulouse),
        django_capture_on_commit_callbacks,
        type_role="chef",
        etablissement=college_herault.pk,
    )

    assert reponse.status_code == 200
    erreurs = reponse.context["form"].errors["etablissement"]
    assert erreurs[0] == "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_l_invitation_d_un_correspondant_exige_des_departements(dane_toulouse, django_capture_on_commit_callbacks):
    client = client_de(dane_toulouse)
    reponse = inviter(client, django_capture_on_commit_callbacks, type_role="correspondant", academie=academie("16").pk)

    assert reponse.status_code == 200
    assert reponse.context["form"].errors["departements"] == ["Choisissez au moins un département."]
    assert not Invitation.objects.exists()

    haute_garonne = Departement.objects.get(code="031")
    reponse = inviter(
        client,
        django_capture_on_commit_callbacks,
        type_role="correspondant",
        academie=academie("16").pk,
        departements=[haute_garonne.pk],
    )
    assert reponse.status_code == 302
    assert list(Invitation.objects.get().departements.all()) == [haute_garonne]


def test_une_adresse_invalide_est_refusee_en_francais(chef_a, django_capture_on_commit_callbacks):
    reponse = inviter(client_de(chef_a), django_capture_on_commit_callbacks, type_role="rupn", email="pas-une-adresse")

    assert reponse.status_code == 200
    assert reponse.context["form"].errors["email"] == ["Saisissez une adresse de courriel valide."]
    assert "Saisissez une adresse de courriel valide." in texte(reponse)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


# --- Acceptation par une nouvelle personne -----------------------------------------------------------------------


@pytest.fixture
def invitation_rupn(chef_a, college_a):
    return invitation_de(chef_a, college_a, first_name="Camille", last_name="Martin")


def accepter(client, invitation, mot_de_passe=MOT_DE_PASSE_SOLIDE, confirmation=None):
    return client.post(
        invitation.get_absolute_url(),
        {
            "first_name": "Camille",
            "last_name": "Martin",
            "password1": mot_de_passe,
            "password2": mot_de_passe if confirmation is None else confirmation,
        },
    )


def test_la_page_d_acceptation_affiche_le_formulaire(anonyme, invitation_rupn):
    reponse = anonyme.get(invitation_rupn.get_absolute_url())

    assert reponse.status_code == 200
    contenu = texte(reponse)
    assert "Créer mon compte" in contenu
    assert "invitee@rupn.example" in contenu
    assert 'name="password1"' in contenu and 'name="password2"' in contenu
    assert reponse.context["form"]["first_name"].value() == "Camille"


@pytest.mark.parametrize(
    ("mot_de_passe", "confirmation", "champ", "erreur"),
    [
        (MOT_DE_PASSE_SOLIDE, "Autre-Mot-De-Passe-77", "password2", "Les deux mots de passe ne sont pas identiques."),
        ("Court-1", None, "password1", "Ce mot de passe est trop court."),
        ("qwerty123456", None, "password1", "Ce mot de passe est trop courant."),
    ],
    ids=["differents", "trop-court", "courant"],
)
def test_un_mot_de_passe_refuse_ne_cree_rien(anonyme, invitation_rupn, mot_de_passe, confirmation, champ, erreur):
    utilisateurs_avant = Utilisateur.objects.count()

    reponse = accepter(anonyme, invitation_rupn, mot_de_passe, confirmation)

    assert reponse.status_code == 200
    assert any(message.startswith(erreur) for message in reponse.context["form"].errors[champ]), reponse.context[
        "form"
    ].errors
    assert erreur in texte(reponse)
    assert Utilisateur.objects.count() == utilisateurs_avant
    assert not Utilisateur.objects.filter(email="invitee@rupn.example").exists()
    invitation_rupn.refresh_from_db()
    assert invitation_rupn.statut == "en attente"
    assert "_auth_user_id" not in anonyme.session


def test_l_acceptation_cree_le_compte_le_role_et_connecte(anonyme, invitation_rupn, college_a):
    reponse = accepter(anonyme, invitation_rupn)

    assert reponse.status_code == 302
    assert reponse["Location"] == "/"
    personne = Utilisateur.objects.get(email="invitee@rupn.example")
    assert (personne.first_name, personne.last_name) == ("Camille", "Martin")
    assert personne.check_password(MOT_DE_PASSE_SOLIDE)
    adresse = EmailAddress.objects.get(user=personne)
    assert (adresse.email, adresse.verified, adresse.primary) == ("invitee@rupn.example", True, True)
    role = personne.roles.get()
    assert (role.type, role.etablissement, role.academie) == (Role.Type.RUPN, college_a, college_a.academie)
    invitation_rupn.refresh_from_db()
    assert invitation_rupn.statut == "acceptée"
    assert invitation_rupn.role == role
    assert anonyme.session["_auth_user_id"] == str(personne.pk)
    accueil = anonyme.get("/")
    assert accueil.context["role"] == role
    assert "Collège A" in texte(accueil)


def test_un_correspondant_recoit_ses_departements(anonyme, dane_toulouse):
    tarn = Departement.objects.get(code="081")
    invitation = invitation_de(
        dane_toulouse, None, type_role=Role.Type.CORRESPONDANT, academie=academie("16"), email="corr@rupn.example"
    )
    invitation.departements.set([tarn])

    assert accepter(anonyme, invitation).status_code == 302

    role = Role.objects.get(utilisateur__email="corr@rupn.example")
    assert (role.type, role.academie, role.etablissement) == (Role.Type.CORRESPONDANT, academie("16"), None)
    assert list(role.departements.all()) == [tarn]


def test_un_lien_deja_utilise_ne_sert_plus(anonyme, invitation_rupn):
    accepter(anonyme, invitation_rupn)

    reponse = Client().get(invitation_rupn.get_absolute_url())
    assert reponse.status_code == 410
    assert "Cette invitation est acceptée" in texte(reponse)
    reponse = accepter(Client(), invitation_rupn)
    assert reponse.status_code == 410
    assert Role.objects.filter(utilisateur__email="invitee@rupn.example").count() == 1


@pytest.mark.parametrize(
    ("changement", "statut"),
    [
        ({"expire_le": timezone.now() - datetime.timedelta(minutes=1)}, "expirée"),
        ({"annulee_le": timezone.now()}, "annulée"),
    ],
    ids=["expiree", "annulee"],
)
def test_une_invitation_expiree_ou_annulee_est_inutilisable(anonyme, invitation_rupn, changement, statut):
    Invitation.objects.filter(pk=invitation_rupn.pk).update(**changement)

    reponse = anonyme.get(invitation_rupn.get_absolute_url())
    assert reponse.status_code == 410
    assert f"Cette invitation est {statut}" in texte(reponse)
    reponse = accepter(anonyme, invitation_rupn)
    assert reponse.status_code == 410
    assert not Utilisateur.objects.filter(email="invitee@rupn.example").exists()


def test_un_jeton_inconnu_donne_404(anonyme, db):
    assert anonyme.get(reverse("comptes:invitation_accepter", args=["inconnu"])).status_code == 404


# --- Acceptation par une personne qui a déjà un compte -------------------------------------------------------------


@pytest.fixture
def invitation_chef_b(chef_a, chef_b, college_a):
    """Le chef A invite comme RUPN une personne qui a déjà un compte (le chef B)."""
    return invitation_de(chef_a, college_a, email="chef.b@rupn.example")


def test_une_personne_inscrite_non_connectee_est_envoyee_a_la_connexion(anonyme, invitation_chef_b):
    reponse = anonyme.get(invitation_chef_b.get_absolute_url())

    assert reponse.status_code == 302
    assert reponse["Location"] == f"{reverse('account_login')}?next={invitation_chef_b.get_absolute_url()}"
    assert accepter(anonyme, invitation_chef_b).status_code == 302
    assert Utilisateur.objects.filter(email__iexact="chef.b@rupn.example").count() == 1
    invitation_chef_b.refresh_from_db()
    assert invitation_chef_b.statut == "en attente"


def test_une_personne_connectee_avec_la_bonne_adresse_ajoute_le_role(chef_b, college_a, college_b, invitation_chef_b):
    client = client_de(chef_b)

    reponse = client.get(invitation_chef_b.get_absolute_url())
    assert reponse.status_code == 200
    assert reponse.context["form"] is None
    assert "Accepter ce rôle" in texte(reponse)

    reponse = client.post(invitation_chef_b.get_absolute_url())
    assert reponse.status_code == 302
    assert reponse["Location"] == "/"
    roles = {(role.type, role.etablissement) for role in chef_b.roles.all()}
    assert roles == {(Role.Type.CHEF, college_b), (Role.Type.RUPN, college_a)}
    invitation_chef_b.refresh_from_db()
    assert invitation_chef_b.statut == "acceptée"
    assert invitation_chef_b.role.utilisateur == chef_b


def test_une_personne_connectee_avec_une_autre_adresse_ne_peut_pas_accepter(rupn_a, chef_b, invitation_chef_b):
    client = client_de(rupn_a)

    for methode in (client.get, client.post):
        # Pas de renvoi vers la connexion : allauth renverrait la personne connectée ici, en boucle.
        reponse = methode(invitation_chef_b.get_absolute_url())
        assert reponse.status_code == 403
        assert "Cette invitation a été envoyée à une autre adresse électronique que la vôtre." in texte(reponse)

    assert rupn_a.roles.count() == 1
    assert chef_b.roles.count() == 1
    invitation_chef_b.refresh_from_db()
    assert invitation_chef_b.statut == "en attente"


def test_un_role_deja_detenu_n_est_pas_duplique_et_l_adresse_en_majuscules_est_reconnue(chef_a, college_a):
    from rupn.comptes.services import invitation_accepter

    invitation = Invitation.objects.create(
        email="Chef.A@RUPN.example",
        type_role=Role.Type.CHEF,
        etablissement=college_a,
        academie=college_a.academie,
        invite_par=chef_a,
    )
    invitation_accepter(invitation=invitation, utilisateur=chef_a)
    seconde = Invitation.objects.create(
        email=chef_a.email,
        type_role=Role.Type.CHEF,
        etablissement=college_a,
        academie=college_a.academie,
        invite_par=chef_a,
    )
    invitation_accepter(invitation=seconde, utilisateur=chef_a)
    assert chef_a.roles.count() == 1
    assert EmailAddress.objects.filter(user=chef_a).count() == 1
    invitation.refresh_from_db()
    assert invitation.role == chef_a.roles.get()


def test_un_correspondant_ne_recoit_que_des_departements_de_son_academie(national, django_capture_on_commit_callbacks):
    client = client_de(national)
    reponse = client.post(
        reverse("comptes:invitation_creer"),
        {
            "email": "correspondant@rupn.example",
            "type_role": Role.Type.CORRESPONDANT,
            "academie": academie("16").pk,
            "departements": [Departement.objects.get(code="034").pk],
        },
    )
    assert reponse.status_code == 200
    assert "Choisissez des départements de l&#x27;académie de Toulouse." in reponse.content.decode()
    assert not Invitation.objects.exists()


# --- Annulation et liste ------------------------------------------------------------------------------------------


def test_le_chef_annule_une_invitation_de_son_etablissement_une_seule_fois(chef_a, invitation_rupn):
    client = client_de(chef_a)
    url = reverse("comptes:invitation_annuler", args=[invitation_rupn.uuid])

    reponse = client.post(url, follow=True)
    assert reponse.redirect_chain == [(reverse("comptes:invitation_liste"), 302)]
    assert "L'invitation de invitee@rupn.example est annulée." in texte(reponse)
    invitation_rupn.refresh_from_db()
    annulee_le = invitation_rupn.annulee_le
    assert invitation_rupn.statut == "annulée"

    reponse = client.post(url, follow=True)
    assert [str(message) for message in reponse.context["messages"]] == ["Cette invitation est déjà annulée."]
    assert "fr-alert--error" in texte(reponse)
    invitation_rupn.refresh_from_db()
    assert invitation_rupn.annulee_le == annulee_le


def test_une_invitation_acceptee_ne_s_annule_pas(chef_a, invitation_rupn):
    accepter(Client(), invitation_rupn)

    reponse = client_de(chef_a).post(reverse("comptes:invitation_annuler", args=[invitation_rupn.uuid]), follow=True)

    assert "Cette invitation est déjà acceptée." in texte(reponse)
    invitation_rupn.refresh_from_db()
    assert invitation_rupn.annulee_le is None


def test_la_liste_ne_montre_que_les_invitations_du_perimetre(chef_a, chef_b, college_a, college_b, dane_montpellier):
    invitation_de(chef_a, college_a, email="pour.a@rupn.example")
    invitation_de(chef_b, college_b, email="pour.b@rupn.example")

    def emails(utilisateur):
        reponse = client_de(utilisateur).get(reverse("comptes:invitation_liste"))
        return {invitation.email for invitation in reponse.context["invitations"]}, texte(reponse)

    vus, contenu = emails(chef_b)
    assert vus == {"pour.b@rupn.example"}
    assert "pour.a@rupn.example" not in contenu
    vus, contenu = emails(chef_a)
    assert vus == {"pour.a@rupn.example"}
    assert "pour.b@rupn.example" not in contenu
    assert emails(dane_montpellier)[0] == set()


def test_une_invitation_ne_garde_que_le_perimetre_du_role_propose(dane_toulouse, chef_a, college_a):
    reponse = client_de(dane_toulouse).post(
        reverse("comptes:invitation_creer"),
        {
            "email": "Collegue.DANE@rupn.example",
            "type_role": Role.Type.DANE,
            "academie": academie("16").pk,
            "etablissement": college_a.pk,
            "departements": [Departement.objects.get(code="031").pk],
        },
    )
    assert reponse.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.etablissement, invitation.academie) == (
        "collegue.dane@rupn.example",
        None,
        academie("16"),
    )
    assert not invitation.departements.exists()
    charger_roles(chef_a)
    assert chef_a.role_actif.etablissement == college_a
    assert not Invitation.objects.visible_to(chef_a).exists(), "le chef du collège A ne la voit pas"
