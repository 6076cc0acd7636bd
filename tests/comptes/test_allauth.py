"""Les pages d'allauth (compte, double authentification, comptes tiers) : en français, dans le DSFR, et qui marchent."""

import re
import time
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.core.cache import cache
from django.test import Client

from rupn.comptes.models import Role
from tests.conftest import client_de
from tests.factories import RoleFactory, UtilisateurFactory, activer_totp

MOT_DE_PASSE = "mot-de-passe-de-test"
SECRET_TOTP = "JBSWY3DPEHPK3PXP"  # celui de tests.factories.activer_totp


def code_totp(secret=SECRET_TOTP):
    """Le code qu'afficherait l'application d'authentification en ce moment (même calcul qu'allauth)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def page_dsfr(reponse, *textes, statut=200):
    """La page est rendue dans notre mise en page DSFR, sans variable inconnue, avec les textes attendus."""
    assert reponse.status_code == statut, reponse
    contenu = reponse.content.decode()
    assert 'class="fr-header"' in contenu
    assert 'id="contenu"' in contenu
    assert '<html lang="fr"' in contenu
    assert contenu.lstrip().startswith("<!DOCTYPE html>")
    for texte in textes:
        assert texte in contenu, texte
    # Chaque identifiant n'apparaît qu'une fois ; chaque champ visible a son étiquette.
    identifiants = re.findall(r'\sid="([^"]+)"', contenu)
    assert len(identifiants) == len(set(identifiants)), sorted(i for i in identifiants if identifiants.count(i) > 1)
    for balise in re.findall(r"<(?:input|textarea|select)\b[^>]*>", contenu):
        if 'type="hidden"' in balise:
            continue
        identifiant = re.search(r'\sid="([^"]+)"', balise)
        assert identifiant, balise
        assert f'for="{identifiant.group(1)}"' in contenu, balise
    return contenu


def connecter(client, email, mot_de_passe=MOT_DE_PASSE, **donnees):
    return client.post("/comptes/login/", {"login": email, "password": mot_de_passe, **donnees})


def reauthentifier(client, mot_de_passe=MOT_DE_PASSE):
    """allauth ne compte pas la connexion : les pages sensibles exigent de redonner son mot de passe."""
    reponse = client.post("/comptes/reauthenticate/", {"password": mot_de_passe})
    assert reponse.status_code == 302, reponse


def personne_dane_sans_totp():
    return RoleFactory(
        utilisateur=UtilisateurFactory(email="dane.sans.totp@ac-toulouse.example"),
        type=Role.Type.DANE,
        etablissement=None,
    ).utilisateur


@pytest.fixture(autouse=True)
def _cache_vide():
    """Les codes TOTP déjà servis et les limites de débit d'allauth sont gardés en cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def personne(db):
    return UtilisateurFactory(email="personne@rupn.example")


@pytest.fixture
def client_reauthentifie(personne):
    """Un client connecté qui vient de confirmer son mot de passe (pages sensibles ouvertes)."""
    client = Client()
    assert connecter(client, personne.email).status_code == 302
    reauthentifier(client)
    return client


# Pages publiques.


@pytest.mark.parametrize(
    ("adresse", "textes"),
    [
        ("/comptes/login/", ["Connexion", "Mot de passe oublié ?", "Se souvenir de moi", 'class="fr-input"']),
        ("/comptes/password/reset/", ["Réinitialisation du mot de passe", 'class="fr-input"']),
        ("/comptes/password/reset/done/", ["Nous vous avons envoyé un e-mail"]),
        ("/comptes/password/reset/key/done/", ["Votre mot de passe a été modifié."]),
        (
            "/comptes/password/reset/key/1-mauvaise-cle/",
            ["Lien de réinitialisation invalide", "demander un nouveau lien"],
        ),
        ("/comptes/confirm-email/", ["Vérifiez votre adresse e-mail"]),
        (
            "/comptes/confirm-email/cle-inconnue/",
            ["Ce lien de confirmation d'adresse e-mail a expiré ou n'est pas valide."],
        ),
        ("/comptes/inactive/", ["Compte inactif"]),
        ("/comptes/3rdparty/login/cancelled/", ["Connexion annulée"]),
    ],
)
def test_page_publique_en_francais_dans_le_dsfr(db, anonyme, adresse, textes):
    page_dsfr(anonyme.get(adresse), *textes)


def test_inscription_fermee_explique_l_invitation(db, anonyme):
    contenu = page_dsfr(anonyme.get("/comptes/signup/"), "Inscription sur invitation uniquement")
    assert "chef d'établissement" in contenu
    assert "DANE" in contenu
    assert 'name="password1"' not in contenu


@pytest.mark.parametrize(
    "adresse",
    [
        "/comptes/3rdparty/signup/",
        "/comptes/3rdparty/login/error/",
        "/comptes/2fa/authenticate/",
        "/comptes/email/",
        "/comptes/2fa/",
    ],
)
def test_page_sans_contexte_renvoie_a_la_connexion(db, anonyme, adresse):
    reponse = anonyme.get(adresse)
    assert reponse.status_code == 302
    assert reponse.url.startswith("/comptes/login/")


# Pages de la personne connectée.


@pytest.mark.parametrize(
    ("adresse", "textes"),
    [
        ("/comptes/logout/", ["Se déconnecter", "Êtes-vous sûr(e) de vouloir vous déconnecter ?"]),
        ("/comptes/email/", ["Adresses électroniques", "personne@rupn.example", "Vérifiée", 'class="fr-sidemenu"']),
        ("/comptes/password/change/", ["Modifier le mot de passe", "Mot de passe actuel", 'class="fr-input"']),
        ("/comptes/reauthenticate/", ["Confirmer l'accès", 'name="password"']),
        ("/comptes/2fa/", ["Authentification à deux facteurs", "Double authentification", "Activer"]),
        ("/comptes/2fa/totp/activate/", ["Activer une application d'authentification", 'name="code"']),
        ("/comptes/3rdparty/", ["Comptes associés"]),
    ],
)
def test_page_de_compte_en_francais_dans_le_dsfr(client_reauthentifie, adresse, textes):
    page_dsfr(client_reauthentifie.get(adresse), *textes)


def test_page_d_erreur_de_connexion_externe(client_reauthentifie):
    # allauth la rend avec le statut 401 (Unauthorized).
    page_dsfr(
        client_reauthentifie.get("/comptes/3rdparty/login/error/"), "Échec de la connexion", "ProConnect", statut=401
    )


def test_definir_un_mot_de_passe_quand_on_n_en_a_pas(personne):
    personne.set_unusable_password()
    personne.save()
    page_dsfr(client_de(personne).get("/comptes/password/set/"), "Définir un mot de passe", 'name="password1"')


def test_definir_un_mot_de_passe_quand_on_en_a_deja_un(client_reauthentifie):
    reponse = client_reauthentifie.get("/comptes/password/set/")
    assert reponse.status_code == 302
    assert reponse.url == "/comptes/password/change/"


def test_changer_de_mot_de_passe(client_reauthentifie, personne):
    reponse = client_reauthentifie.post(
        "/comptes/password/change/",
        {"oldpassword": MOT_DE_PASSE, "password1": "un-nouveau-secret-solide", "password2": "un-nouveau-secret-solide"},
    )
    assert reponse.status_code == 302
    personne.refresh_from_db()
    assert personne.check_password("un-nouveau-secret-solide")


def test_changer_de_mot_de_passe_trop_court_affiche_l_erreur_au_champ(client_reauthentifie):
    contenu = page_dsfr(
        client_reauthentifie.post(
            "/comptes/password/change/", {"oldpassword": MOT_DE_PASSE, "password1": "court", "password2": "court"}
        ),
        "fr-input-group--error",
        "fr-error-text",
    )
    assert 'aria-invalid="true"' in contenu
    assert 'aria-describedby="id_password1-desc-error"' in contenu
    assert 'id="id_password1-desc-error"' in contenu
    assert "Ce mot de passe est trop court." in contenu


def test_page_de_gestion_du_compte_exige_une_reauthentification_recente(personne):
    reponse = client_de(personne).get("/comptes/2fa/totp/activate/")
    assert reponse.status_code == 302
    assert reponse.url.startswith("/comptes/reauthenticate/")


# Connexion par adresse et mot de passe.


def test_connexion_par_adresse_et_mot_de_passe(personne):
    client = Client()
    reponse = connecter(client, personne.email)
    assert reponse.status_code == 302
    assert reponse.url == "/"
    accueil = client.get("/")
    assert accueil.status_code == 200
    assert accueil.wsgi_request.user == personne


def test_connexion_refusee_pour_un_mauvais_mot_de_passe(personne):
    client = Client()
    contenu = page_dsfr(connecter(client, personne.email, "pas-le-bon"), "fr-alert--error")
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in contenu
    assert client.get("/").wsgi_request.user.is_anonymous


def test_adresse_non_verifiee_bloque_la_connexion_et_envoie_un_courriel(personne):
    EmailAddress.objects.filter(user=personne).update(verified=False)
    client = Client()
    reponse = connecter(client, personne.email)
    assert reponse.status_code == 302
    assert reponse.url == "/comptes/confirm-email/"
    page_dsfr(client.get(reponse.url), "Vérifiez votre adresse e-mail")
    assert client.get("/").wsgi_request.user.is_anonymous
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [personne.email]
    lien = re.search(r"http://testserver(/comptes/confirm-email/[^/\s]+/)", mail.outbox[0].body).group(1)

    page_dsfr(client.get(lien), "Confirmer l'adresse e-mail", personne.email)
    assert client.post(lien).status_code == 302
    assert EmailAddress.objects.get(user=personne).verified
    assert connecter(client, personne.email).url == "/"


def test_confirmation_d_adresse_avec_une_cle_valide(personne):
    adresse = EmailAddress.objects.get(user=personne)
    adresse.verified = False
    adresse.save()
    cle = EmailConfirmationHMAC(adresse).key
    page_dsfr(Client().get(f"/comptes/confirm-email/{cle}/"), "Confirmer", personne.email)


def test_mot_de_passe_oublie(personne):
    client = Client()
    reponse = client.post("/comptes/password/reset/", {"email": personne.email})
    assert reponse.status_code == 302
    assert reponse.url == "/comptes/password/reset/done/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [personne.email]
    lien = re.search(r"http://testserver(/comptes/password/reset/key/\S+/)", mail.outbox[0].body).group(1)

    # allauth range la clé en session et redirige vers une adresse sans clé.
    reponse = client.get(lien)
    assert reponse.status_code == 302
    page_dsfr(client.get(reponse.url), "Modifier le mot de passe", 'name="password1"', 'name="password2"')
    reponse = client.post(
        reponse.url, {"password1": "un-nouveau-secret-solide", "password2": "un-nouveau-secret-solide"}
    )
    assert reponse.status_code == 302
    assert reponse.url == "/comptes/password/reset/key/done/"
    personne.refresh_from_db()
    assert personne.check_password("un-nouveau-secret-solide")
    assert connecter(Client(), personne.email, "un-nouveau-secret-solide").url == "/"


def test_deconnexion(client_reauthentifie):
    reponse = client_reauthentifie.post("/comptes/logout/")
    assert reponse.status_code == 302
    assert client_reauthentifie.get("/").wsgi_request.user.is_anonymous


# Double authentification.


def test_connexion_avec_totp_demande_le_code(personne):
    activer_totp(personne)
    client = Client()
    reponse = connecter(client, personne.email)
    assert reponse.status_code == 302
    assert reponse.url == "/comptes/2fa/authenticate/"
    page_dsfr(client.get(reponse.url), "Authentification à deux facteurs", 'name="code"')
    assert client.get("/").wsgi_request.user.is_anonymous

    contenu = page_dsfr(client.post("/comptes/2fa/authenticate/", {"code": "000000"}), "fr-input-group--error")
    assert "Code incorrect." in contenu
    assert client.get("/").wsgi_request.user.is_anonymous

    reponse = client.post("/comptes/2fa/authenticate/", {"code": code_totp()})
    assert reponse.status_code == 302
    assert reponse.url == "/"
    assert client.get("/").wsgi_request.user == personne


def test_dane_sans_totp_doit_l_activer_avant_de_continuer(db):
    dane = personne_dane_sans_totp()
    client = Client()
    assert connecter(client, dane.email).status_code == 302
    reponse = client.get("/")
    assert reponse.status_code == 302
    assert reponse.url == "/comptes/2fa/totp/activate/?obligatoire=1"

    # allauth fait d'abord confirmer le mot de passe, en gardant la destination.
    reponse = client.get(reponse.url)
    assert reponse.status_code == 302
    assert reponse.url == "/comptes/reauthenticate/?next=%2Fcomptes%2F2fa%2Ftotp%2Factivate%2F%3Fobligatoire%3D1"
    page_dsfr(client.get(reponse.url), "Double authentification obligatoire", "Confirmer l'accès")
    reponse = client.post(reponse.url, {"password": MOT_DE_PASSE})
    assert reponse.status_code == 302
    assert reponse.url == "/comptes/2fa/totp/activate/?obligatoire=1"

    contenu = page_dsfr(client.get(reponse.url), "Double authentification obligatoire", "DANE", 'name="code"')
    assert 'action="/comptes/2fa/totp/activate/?obligatoire=1"' in contenu

    secret = client.session[SECRET_SESSION_KEY]
    reponse = client.post("/comptes/2fa/totp/activate/?obligatoire=1", {"code": code_totp(secret)})
    assert reponse.status_code == 302
    assert Authenticator.objects.filter(user=dane, type=Authenticator.Type.TOTP).exists()
    page_dsfr(client.get(reponse.url), "Codes de récupération")
    assert client.get("/").status_code == 200


def test_dane_peut_aller_a_l_accueil_une_fois_le_totp_active(db):
    dane = personne_dane_sans_totp()
    client = client_de(dane)
    assert client.get("/").url == "/comptes/2fa/totp/activate/?obligatoire=1"
    activer_totp(dane)
    assert client.get("/").status_code == 200


def test_activation_sans_obligation_n_affiche_pas_l_alerte(client_reauthentifie):
    contenu = page_dsfr(client_reauthentifie.get("/comptes/2fa/totp/activate/"))
    assert "Double authentification obligatoire" not in contenu


def test_activation_refuse_un_mauvais_code(client_reauthentifie, personne):
    client_reauthentifie.get("/comptes/2fa/totp/activate/")
    contenu = page_dsfr(client_reauthentifie.post("/comptes/2fa/totp/activate/", {"code": "000000"}), "Code incorrect.")
    assert 'aria-describedby="id_code-desc-error"' in contenu
    assert not Authenticator.objects.filter(user=personne).exists()


@pytest.fixture
def client_avec_totp(personne):
    """Connecté avec mot de passe et code : les pages de double authentification sont ouvertes."""
    activer_totp(personne)
    RecoveryCodes.activate(personne)
    client = Client()
    connecter(client, personne.email)
    assert client.post("/comptes/2fa/authenticate/", {"code": code_totp()}).url == "/"
    reauthentifier(client)
    return client


@pytest.mark.parametrize(
    ("adresse", "textes"),
    [
        ("/comptes/2fa/", ["Authentification à deux facteurs", "Désactiver", "Codes de récupération"]),
        ("/comptes/2fa/totp/deactivate/", ["Désactiver l'application d'authentification"]),
        ("/comptes/2fa/recovery-codes/", ["Codes de récupération", "Codes inutilisés"]),
        ("/comptes/2fa/recovery-codes/generate/", ["Codes de récupération", "Générer"]),
        ("/comptes/2fa/reauthenticate/", ["Confirmer l'accès", 'name="code"']),
    ],
)
def test_page_de_double_authentification_en_francais_dans_le_dsfr(client_avec_totp, adresse, textes):
    page_dsfr(client_avec_totp.get(adresse), *textes)


def test_telechargement_des_codes_de_recuperation(client_avec_totp, personne):
    reponse = client_avec_totp.get("/comptes/2fa/recovery-codes/download/")
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/plain")
    codes = RecoveryCodes(Authenticator.objects.get(user=personne, type=Authenticator.Type.RECOVERY_CODES))
    assert codes.get_unused_codes()[0] in reponse.content.decode()


def test_reauthentification_par_code(personne):
    activer_totp(personne)
    client = client_de(personne)
    reponse = client.post("/comptes/2fa/reauthenticate/?next=/comptes/2fa/totp/deactivate/", {"code": code_totp()})
    assert reponse.status_code == 302
    assert reponse.url == "/comptes/2fa/totp/deactivate/"


# Administration de Django.


def test_connexion_a_l_administration_passe_par_allauth(db, anonyme):
    reponse = anonyme.get("/admin/login/?next=/admin/")
    # DJANGO_ADMIN_FORCE_ALLAUTH n'est pas lu par allauth : rupn/urls.py doit envelopper
    # admin.site.login avec allauth.account.decorators.secure_admin_login.
    assert reponse.status_code == 302, "la page de connexion de l'administration ne passe pas par allauth"
    assert reponse.url.startswith("/comptes/login/")
    assert "next=/admin/" in unquote(reponse.url)


def test_administrateur_sans_totp_doit_l_activer(db):
    admin = UtilisateurFactory(email="admin@rupn.example", is_staff=True, is_superuser=True)
    client = Client()
    reponse = client.post("/comptes/login/?next=/admin/", {"login": admin.email, "password": MOT_DE_PASSE})
    assert reponse.status_code == 302
    assert reponse.url == "/admin/"
    reponse = client.get("/admin/")
    assert reponse.status_code == 302
    assert reponse.url == "/comptes/2fa/totp/activate/?obligatoire=1"
    reauthentifier(client)
    page_dsfr(client.get(reponse.url), "Double authentification obligatoire")

    activer_totp(admin)
    assert client.get("/admin/").status_code == 200


# ProConnect.


def test_connexion_sans_proconnect_configure(db, anonyme, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"proconnect": {"APPS": []}}
    contenu = page_dsfr(anonyme.get("/comptes/login/"))
    assert "ProConnect" not in contenu


@pytest.fixture
def proconnect_configure(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "proconnect": {
            "APPS": [
                {
                    "provider_id": "proconnect",
                    "name": "ProConnect",
                    "client_id": "client-de-test",
                    "secret": "secret-de-test",
                    "settings": {"server_url": "https://proconnect.example/api/v2"},
                }
            ]
        }
    }


def test_connexion_propose_proconnect_quand_il_est_configure(db, anonyme, proconnect_configure):
    contenu = page_dsfr(anonyme.get("/comptes/login/?next=/etablissements/"), "rupn-proconnect", "ProConnect")
    formulaire = re.search(
        r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrfmiddlewaretoken"', contenu
    )
    assert formulaire
    assert formulaire.group(1).startswith("/comptes/proconnect/login/")
    assert "next=%2Fetablissements%2F" in formulaire.group(1)


def test_page_intermediaire_de_connexion_par_proconnect(db, anonyme, proconnect_configure):
    # Sans POST, allauth demande confirmation avant de partir chez le fournisseur.
    page_dsfr(anonyme.get("/comptes/proconnect/login/?process=login"), "ProConnect", "Continuer")


def test_comptes_associes_proposent_proconnect(client_reauthentifie, proconnect_configure):
    contenu = page_dsfr(client_reauthentifie.get("/comptes/3rdparty/"), "Comptes associés", "Connexion avec ProConnect")
    assert 'action="/comptes/proconnect/login/?process=connect"' in contenu
