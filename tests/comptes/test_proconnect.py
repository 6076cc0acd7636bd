"""ProConnect face à un fournisseur d'identité simulé (responses) : aucun appel réseau."""

import json
import time
import uuid
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import responses
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from cryptography.hazmat.primitives.asymmetric import rsa
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from rupn.comptes.models import Utilisateur
from rupn.comptes.proconnect.deconnexion import CLE_SESSION_ID_TOKEN
from rupn.comptes.proconnect.views import ProConnectOAuth2Adapter
from tests.conftest import client_de

SERVEUR = "https://proconnect.test/api/v2"
CLIENT_ID = "client-rupn"
SECRET = "secret-rupn"
KID = "cle-proconnect"
DECOUVERTE = {
    "issuer": SERVEUR,
    "authorization_endpoint": f"{SERVEUR}/authorize",
    "token_endpoint": f"{SERVEUR}/token",
    "userinfo_endpoint": f"{SERVEUR}/userinfo",
    "end_session_endpoint": f"{SERVEUR}/session/end",
    "jwks_uri": f"{SERVEUR}/jwks",
    "token_endpoint_auth_methods_supported": ["client_secret_post"],
    "id_token_signing_alg_values_supported": ["RS256"],
    "userinfo_signing_alg_values_supported": ["RS256"],
}
SUB = "sub-agent-proconnect"
PARAMETRES_AUTORISES = {
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "claims",
    "state",
    "nonce",
    "prompt",
    "idp_hint",
}


def _cle_rsa():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


CLE = _cle_rsa()
AUTRE_CLE = _cle_rsa()


def signer(claims, cle=CLE, kid=KID, algorithme="RS256"):
    return jwt.encode(claims, cle, algorithm=algorithme, headers={"kid": kid})


def claims_id_token(nonce, **autres):
    maintenant = int(time.time())
    return {
        "iss": SERVEUR,
        "aud": CLIENT_ID,
        "sub": SUB,
        "iat": maintenant,
        "exp": maintenant + 60,
        "nonce": nonce,
        "acr": "eidas1",
        "amr": ["pwd", "mfa"],
        "jti": str(uuid.uuid4()),
    } | autres


def claims_userinfo(email, **autres):
    return {
        "iss": SERVEUR,
        "aud": CLIENT_ID,
        "sub": SUB,
        "email": email,
        "given_name": "Camille",
        "usual_name": "Durand",
        "uid": "agent-1234",
        "siret": "13002526500013",
        "idp_id": "fi-education",
    } | autres


@pytest.fixture
def proconnect(settings, db):
    """ProConnect configuré, et son serveur simulé (découverte et JWKS)."""
    settings.RUPN_MFA_OBLIGATOIRE = False
    settings.PROCONNECT_DOMAINES_DE_CONFIANCE = ["rupn.example", "ac-*.example"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "proconnect": {
            "APPS": [
                {
                    "provider_id": "proconnect",
                    "name": "ProConnect",
                    "client_id": CLIENT_ID,
                    "secret": SECRET,
                    "settings": {"server_url": SERVEUR},
                }
            ],
            "SCOPE": ["openid", "email", "given_name", "usual_name", "uid"],
        }
    }
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(CLE.public_key()))
    jwk.update(kid=KID, alg="RS256", use="sig")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as idp:
        idp.get(f"{SERVEUR}/.well-known/openid-configuration", json=DECOUVERTE)
        idp.get(DECOUVERTE["jwks_uri"], json={"keys": [jwk]})
        yield idp


def demarrer(client):
    """Clic sur le bouton : renvoie les paramètres de la redirection vers ProConnect."""
    reponse = client.post(reverse("proconnect_login"))
    assert reponse.status_code == 302
    url = urlparse(reponse["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == DECOUVERTE["authorization_endpoint"]
    return {cle: valeurs[0] for cle, valeurs in parse_qs(url.query).items()}


def repondre(idp, id_token, userinfo, type_userinfo="application/jwt"):
    idp.post(
        DECOUVERTE["token_endpoint"],
        json={"access_token": "jeton-acces", "token_type": "Bearer", "expires_in": 60, "id_token": id_token},
    )
    idp.get(DECOUVERTE["userinfo_endpoint"], body=userinfo, content_type=type_userinfo)


def revenir(client, state):
    return client.get(reverse("proconnect_callback"), {"code": "code-autorisation", "state": state})


def connecter(client, idp, email, **claims):
    params = demarrer(client)
    id_token = signer(claims_id_token(params["nonce"]))
    repondre(idp, id_token, signer(claims_userinfo(email, **claims)))
    return revenir(client, params["state"]), id_token


def est_connecte(client, utilisateur=None):
    identifiant = client.session.get("_auth_user_id")
    return identifiant is not None and (utilisateur is None or identifiant == str(utilisateur.pk))


# --- Redirection vers ProConnect -------------------------------------------


def test_redirection_porte_un_state_long_un_nonce_et_les_scopes(proconnect):
    client = Client()
    params = demarrer(client)

    assert len(params["state"]) >= 32
    assert len(params["nonce"]) >= 32
    assert params["state"] != params["nonce"]
    assert set(params["scope"].split()) == {"openid", "email", "given_name", "usual_name", "uid"}
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == "http://testserver/comptes/proconnect/login/callback/"
    assert json.loads(params["claims"]) == {"id_token": {"amr": {"essential": True}}}
    # ProConnect refuse tout paramètre qu'il ne connaît pas.
    assert set(params) <= PARAMETRES_AUTORISES
    # Le nonce est conservé avec le state, dans la session.
    etat, _horodatage, fournisseur = client.session["socialaccount_states"][params["state"]]
    assert etat["nonce"] == params["nonce"]
    assert fournisseur == "proconnect"


def test_deux_clics_deux_nonces(proconnect):
    assert demarrer(Client())["nonce"] != demarrer(Client())["nonce"]


def test_sans_configuration_pas_de_connexion_proconnect(db):
    assert Client().post(reverse("proconnect_login")).status_code == 404


# --- Retour de ProConnect ---------------------------------------------------


def test_un_agent_connu_est_connecte_et_arrive_a_l_accueil(proconnect, chef_a):
    client = Client()
    reponse, id_token = connecter(client, proconnect, "chef.a@rupn.example")

    assert reponse.status_code == 302
    assert reponse["Location"] == "/"
    assert est_connecte(client, chef_a)
    assert client.session[CLE_SESSION_ID_TOKEN] == id_token
    compte = SocialAccount.objects.get(provider="proconnect", uid=SUB)
    assert compte.user == chef_a
    assert compte.extra_data["userinfo"]["usual_name"] == "Durand"
    assert compte.extra_data["id_token"]["amr"] == ["pwd", "mfa"]
    # client_secret_post, puis userinfo avec le jeton d'accès.
    appel_token = next(c for c in proconnect.calls if c.request.url == DECOUVERTE["token_endpoint"])
    corps = parse_qs(appel_token.request.body)
    assert corps["client_id"] == [CLIENT_ID]
    assert corps["client_secret"] == [SECRET]
    assert corps["code"] == ["code-autorisation"]
    appel_userinfo = next(c for c in proconnect.calls if c.request.url == DECOUVERTE["userinfo_endpoint"])
    assert appel_userinfo.request.headers["Authorization"] == "Bearer jeton-acces"
    # Et l'accueil s'affiche.
    assert client.get("/").status_code == 200


def test_la_deuxieme_connexion_retrouve_le_compte_proconnect(proconnect, chef_a):
    connecter(Client(), proconnect, "chef.a@rupn.example")
    client = Client()
    reponse, _ = connecter(client, proconnect, "chef.a@rupn.example")
    assert reponse["Location"] == "/"
    assert est_connecte(client, chef_a)
    assert SocialAccount.objects.filter(user=chef_a).count() == 1


def test_un_agent_avec_double_authentification_la_passe_ensuite(proconnect, dane_toulouse, settings):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    settings.RUPN_MFA_OBLIGATOIRE = True
    client = Client()
    reponse, id_token = connecter(client, proconnect, "dane@ac-toulouse.example")
    assert reponse["Location"] == reverse("mfa_authenticate")
    assert not est_connecte(client)

    code = format_hotp_value(hotp_value("JBSWY3DPEHPK3PXP", int(time.time()) // 30))
    reponse = client.post(reverse("mfa_authenticate"), {"code": code})

    assert reponse.status_code == 302
    assert est_connecte(client, dane_toulouse)
    # L'id_token a traversé l'étape de double authentification.
    assert client.session[CLE_SESSION_ID_TOKEN] == id_token


def test_la_correspondance_d_adresse_ignore_la_casse(proconnect, chef_a):
    client = Client()
    connecter(client, proconnect, "Chef.A@rupn.example")
    assert est_connecte(client, chef_a)


def test_un_nonce_different_est_refuse(proconnect, chef_a):
    client = Client()
    params = demarrer(client)
    repondre(proconnect, signer(claims_id_token("n" * 43)), signer(claims_userinfo("chef.a@rupn.example")))

    reponse = revenir(client, params["state"])

    assert reponse.status_code == 401
    assert "Échec de la connexion" in reponse.content.decode()
    assert not est_connecte(client)
    assert not SocialAccount.objects.exists()


def test_un_id_token_sans_nonce_est_refuse(proconnect, chef_a):
    client = Client()
    params = demarrer(client)
    claims = claims_id_token(params["nonce"])
    del claims["nonce"]
    repondre(proconnect, signer(claims), signer(claims_userinfo("chef.a@rupn.example")))

    revenir(client, params["state"])

    assert not est_connecte(client)


@pytest.mark.parametrize(
    "fabriquer",
    [
        pytest.param(lambda nonce: signer(claims_id_token(nonce), cle=AUTRE_CLE), id="mauvaise-signature"),
        pytest.param(lambda nonce: signer(claims_id_token(nonce), kid="inconnue"), id="cle-inconnue"),
        pytest.param(
            lambda nonce: signer(claims_id_token(nonce), cle="s" * 64, algorithme="HS256"), id="algorithme-symetrique"
        ),
        pytest.param(lambda nonce: signer(claims_id_token(nonce, aud="autre-service")), id="autre-audience"),
        pytest.param(lambda nonce: signer(claims_id_token(nonce, iss="https://faux.test")), id="autre-emetteur"),
        pytest.param(
            lambda nonce: signer(claims_id_token(nonce, exp=int(time.time()) - 600)),
            id="expire",
        ),
        pytest.param(
            lambda nonce: jwt.encode(claims_id_token(nonce), None, algorithm="none", headers={"kid": KID}),
            id="non-signe",
        ),
    ],
)
def test_un_id_token_invalide_est_refuse(proconnect, chef_a, fabriquer):
    client = Client()
    params = demarrer(client)
    repondre(proconnect, fabriquer(params["nonce"]), signer(claims_userinfo("chef.a@rupn.example")))

    reponse = revenir(client, params["state"])

    assert reponse.status_code == 401
    assert not est_connecte(client)
    assert not SocialAccount.objects.exists()


def test_un_state_inconnu_est_refuse(proconnect, chef_a):
    client = Client()
    params = demarrer(client)
    repondre(proconnect, signer(claims_id_token(params["nonce"])), signer(claims_userinfo("chef.a@rupn.example")))

    revenir(client, "x" * 43)

    assert not est_connecte(client)
    assert not any(c.request.url == DECOUVERTE["token_endpoint"] for c in proconnect.calls)


def test_une_adresse_inconnue_ne_cree_pas_de_compte(proconnect, chef_a):
    avant = Utilisateur.objects.count()
    client = Client()

    reponse, _ = connecter(client, proconnect, "inconnu@education.gouv.fr")

    assert reponse.status_code == 200
    # La page « inscription fermée » du projet (en français) : les comptes naissent d'une invitation.
    assert "account/signup_closed.html" in [gabarit.name for gabarit in reponse.templates]
    assert "invitation" in reponse.content.decode()
    assert Utilisateur.objects.count() == avant
    assert not est_connecte(client)
    assert not SocialAccount.objects.exists()


def test_une_adresse_hors_des_domaines_de_confiance_n_ouvre_pas_le_compte(proconnect, chef_a, settings):
    settings.PROCONNECT_DOMAINES_DE_CONFIANCE = ["ac-*.fr"]
    client = Client()

    reponse, _ = connecter(client, proconnect, chef_a.email)

    assert "account/signup_closed.html" in [gabarit.name for gabarit in reponse.templates]
    assert not est_connecte(client)
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(
    ("email", "attendu"),
    [
        ("prenom.nom@ac-toulouse.fr", True),
        ("PRENOM.NOM@AC-MONTPELLIER.FR", True),
        ("agent@education.gouv.fr", True),
        ("agent@dgesco.education.gouv.fr", True),
        ("agent@interieur.gouv.fr", False),
        ("prenom@ac-toulouse.fr.exemple.com", False),
    ],
)
def test_domaines_de_confiance_par_defaut(email, attendu):
    from rupn.comptes.proconnect.provider import domaine_de_confiance

    assert domaine_de_confiance(email) is attendu


# --- userinfo : un JWT signé -----------------------------------------------


def _adaptateur():
    requete = RequestFactory().get("/")
    return ProConnectOAuth2Adapter(requete)


def test_userinfo_jwt_est_decode_et_verifie(proconnect):
    adaptateur = _adaptateur()
    app = adaptateur.get_provider().app

    claims = adaptateur.decoder_userinfo(app, signer(claims_userinfo("chef.a@rupn.example")))

    assert claims["email"] == "chef.a@rupn.example"
    assert claims["given_name"] == "Camille"
    assert claims["usual_name"] == "Durand"
    assert claims["siret"] == "13002526500013"


@pytest.mark.parametrize(
    "jeton",
    [
        pytest.param(lambda: signer(claims_userinfo("a@b.fr"), cle=AUTRE_CLE), id="mauvaise-signature"),
        pytest.param(lambda: signer(claims_userinfo("a@b.fr", aud="autre-service")), id="autre-audience"),
        pytest.param(lambda: signer(claims_userinfo("a@b.fr", iss="https://faux.test")), id="autre-emetteur"),
        pytest.param(lambda: "pas-un-jwt", id="illisible"),
    ],
)
def test_userinfo_invalide_est_refuse(proconnect, jeton):
    adaptateur = _adaptateur()
    with pytest.raises(OAuth2Error):
        adaptateur.decoder_userinfo(adaptateur.get_provider().app, jeton())


def test_userinfo_en_json_non_signe_est_refuse(proconnect, chef_a):
    client = Client()
    params = demarrer(client)
    repondre(
        proconnect,
        signer(claims_id_token(params["nonce"])),
        json.dumps(claims_userinfo("chef.a@rupn.example")),
        type_userinfo="application/json",
    )

    revenir(client, params["state"])

    assert not est_connecte(client)


def test_userinfo_d_une_autre_personne_est_refuse(proconnect, chef_a):
    client = Client()
    params = demarrer(client)
    repondre(
        proconnect,
        signer(claims_id_token(params["nonce"])),
        signer(claims_userinfo("chef.a@rupn.example", sub="quelqu-un-d-autre")),
    )

    revenir(client, params["state"])

    assert not est_connecte(client)


# --- Déconnexion -----------------------------------------------------------


def test_la_deconnexion_passe_par_proconnect(proconnect, chef_a):
    client = Client()
    _, id_token = connecter(client, proconnect, "chef.a@rupn.example")

    reponse = client.post(reverse("account_logout"))

    assert reponse.status_code == 302
    url = urlparse(reponse["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == DECOUVERTE["end_session_endpoint"]
    params = {cle: valeurs[0] for cle, valeurs in parse_qs(url.query).items()}
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver/comptes/proconnect/logout/callback/"
    assert len(params["state"]) >= 32
    assert not est_connecte(client)

    retour = client.get(reverse("proconnect_logout_callback"), {"state": params["state"]})
    assert retour.status_code == 302
    assert retour["Location"] == "/"


def test_retour_de_deconnexion_avec_un_state_invalide(db):
    retour = Client().get(reverse("proconnect_logout_callback"), {"state": "falsifie"})
    assert retour.status_code == 302
    assert retour["Location"] == "/"


def test_la_deconnexion_sans_proconnect_reste_locale(proconnect, chef_a):
    client = client_de(chef_a)
    reponse = client.post(reverse("account_logout"))
    assert reponse["Location"] == "/"
    assert not est_connecte(client)


# --- Bouton -------------------------------------------------------------------


def test_le_bouton_proconnect_suit_le_dsfr(proconnect):
    from allauth.socialaccount.adapter import get_adapter

    requete = RequestFactory().get("/comptes/login/")
    fournisseur = get_adapter().get_provider(requete, "proconnect")

    html = render_to_string("comptes/_proconnect_bouton.html", {"provider": fournisseur}, request=requete)

    assert '<div class="rupn-proconnect fr-mb-4w">' in html
    assert 'method="post" action="/comptes/proconnect/login/?process=login"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<button class="fr-btn fr-btn--lg" type="submit">S’identifier avec ProConnect</button>' in html
    assert 'href="https://www.proconnect.gouv.fr/" target="_blank" rel="noopener"' in html
    assert "nouvelle fenêtre" in html
    assert "fr-connect" not in html, "le logo de FranceConnect ne doit pas apparaître"
