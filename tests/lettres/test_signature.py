"""Signatures (ordre, authentification récente, consentement, double clic, traces), PDF final scellé,
échec du rendu ou du sceau sans rien d'écrit, immuabilité, annulation, avenant, téléchargement."""

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from lettres import document, services, signatures
from lettres.authentification import methode_recente
from lettres.models import LettreMission, Signature
from lettres.sceau import verifier_sceau
from rupn.comptes.models import Role
from rupn.reseau import adresse_ip_client
from tests.conftest import client_de
from tests.factories import LettreMissionFactory
from tests.lettres.conftest import sceller_pour_test, un_rupn

pytestmark = pytest.mark.django_db

BORNE = 15


def _url(nom, lettre):
    return reverse(f"lettres:{nom}", args=[lettre.uuid])


def authentifie(utilisateur, methodes=("password",), il_y_a=0):
    """Un client connecté dont la session garde une authentification vieille de `il_y_a` secondes, comme
    allauth l'écrit à la connexion (mot de passe, puis code de double authentification, ou ProConnect)."""
    client = client_de(utilisateur)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": methode, "at": time.time() - il_y_a, "reauthenticated": True} for methode in methodes
    ]
    session["account_authentication_methods_user"] = str(utilisateur.pk)
    session.save()
    return client


def empreinte_actuelle(lettre):
    """L'empreinte du contenu que la page de signature montre (champ caché du formulaire)."""
    return document.empreinte_contenu(LettreMission.objects.pour_lecture().get(pk=lettre.pk))


def signer(client, lettre, **donnees):
    donnees = {"consentement": "oui", "empreinte": empreinte_actuelle(lettre), **donnees}
    return client.post(_url("lettre_signer", lettre), donnees)


@pytest.fixture
def lettre_a_signer(lettre_a):
    lettre_a.statut = LettreMission.Statut.SIGNATURE
    lettre_a.save()
    return lettre_a


def recharger(lettre):
    return LettreMission.objects.get(pk=lettre.pk)


def dernier_message(reponse):
    """Le message ajouté par cette requête (les précédents, jamais affichés, restent dans la session)."""
    return [str(message) for message in reponse.wsgi_request._messages][-1]


# --- Ordre et scellement ------------------------------------------------------------------------------


def test_chaque_rupn_signe_pour_accord_puis_le_chef_scelle(
    chef_a, adjoint_a, rupn_a, college_a, lettre_a_signer, django_capture_on_commit_callbacks, settings
):
    second, designation = un_rupn(college_a, lettre_a_signer.annee)
    lettre_a_signer.designations.add(designation)
    chef = authentifie(chef_a)

    # La direction ne signe pas avant les RUPN : ni bouton, ni signature par un envoi direct.
    assert "Signer et sceller" not in chef.get(_url("lettre_detail", lettre_a_signer)).content.decode()
    reponse = signer(chef, lettre_a_signer)
    assert reponse.status_code == 302 and not Signature.objects.exists()
    assert "Attendent encore de signer pour accord" in dernier_message(reponse)

    with django_capture_on_commit_callbacks(execute=True):
        signer(authentifie(rupn_a), lettre_a_signer)
    assert mail.outbox == []  # un RUPN n'a pas encore signé : la direction n'est pas appelée
    with django_capture_on_commit_callbacks(execute=True):
        signer(authentifie(second), lettre_a_signer)
    (courriel,) = mail.outbox
    assert sorted(courriel.to) == sorted([chef_a.email, adjoint_a.email]) and "À vous de signer" in courriel.subject
    assert recharger(lettre_a_signer).statut == "signature"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = signer(chef, lettre_a_signer)
    lettre = recharger(lettre_a_signer)
    assert lettre.statut == "scellee" and lettre.scellee_le is not None
    assert [s.qualite for s in lettre.signatures.order_by("horodatage", "pk")] == ["rupn", "rupn", "chef"]
    with lettre.pdf.open("rb") as fichier:
        octets = fichier.read()
    assert hashlib.sha256(octets).hexdigest() == lettre.empreinte_pdf
    assert verifier_sceau(octets).valide
    (courriel,) = mail.outbox
    assert sorted(courriel.to) == sorted([chef_a.email, adjoint_a.email, rupn_a.email, second.email])
    assert lettre.code_verification in courriel.body
    assert "la lettre est scellée" in dernier_message(reponse)


def test_le_pdf_final_porte_signatures_qualites_et_pied_de_verification(adjoint_a, rupn_a, lettre_a_signer, settings):
    settings.RUPN_URL_SITE = "https://rupn.ac-toulouse.fr"
    signer(authentifie(rupn_a), lettre_a_signer)
    signer(authentifie(adjoint_a), lettre_a_signer)
    lettre = signatures.charger_lettre(lettre_a_signer)
    html = document.html_final(lettre, lettre.signatures_valides())
    assert str(rupn_a) in html and "RUPN, pour accord" in html
    assert str(adjoint_a) in html and "Adjoint, par délégation du chef d&#x27;établissement" in html
    assert f"https://rupn.ac-toulouse.fr/verifier/{lettre.code_verification}/" in html
    assert document.empreinte_contenu(lettre) in html
    assert 'alt="Code QR de vérification"' in html
    # Chaque signature porte l'empreinte du contenu exact signé, imprimée dans le pied.
    assert {s.empreinte_contenu for s in lettre.signatures.all()} == {document.empreinte_contenu(lettre)}


def test_chaque_signature_garde_ses_traces(rupn_a, lettre_a_signer, settings):
    settings.RUPN_PROXYS_DE_CONFIANCE = ["10.0.0.0/8"]
    client = authentifie(rupn_a, methodes=("password", "mfa"))
    page = client.get(_url("lettre_signer", lettre_a_signer)).content.decode()
    consentement = signatures.texte_consentement(recharger(lettre_a_signer), Signature.Qualite.RUPN)
    assert consentement.replace("'", "&#x27;") in page

    client.post(
        _url("lettre_signer", lettre_a_signer),
        {"consentement": "oui", "empreinte": empreinte_actuelle(lettre_a_signer)},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.9",
        HTTP_USER_AGENT="Navigateur de test/1.0",
    )
    signature = Signature.objects.get()
    assert signature.signataire == rupn_a and signature.qualite == "rupn"
    assert signature.methode_authentification == "double"
    assert signature.adresse_ip == "198.51.100.7"
    assert signature.agent_utilisateur == "Navigateur de test/1.0"
    assert signature.texte_consentement == consentement
    assert signature.empreinte_contenu == document.empreinte_contenu(signatures.charger_lettre(lettre_a_signer))
    assert abs((timezone.now() - signature.horodatage).total_seconds()) < 60


def test_un_double_clic_ne_signe_qu_une_fois(chef_a, rupn_a, lettre_a_signer):
    client = authentifie(rupn_a)
    signer(client, lettre_a_signer)
    reponse = signer(client, lettre_a_signer)
    assert Signature.objects.count() == 1
    assert "déjà signé" in dernier_message(reponse)
    chef = authentifie(chef_a)
    signer(chef, lettre_a_signer)
    signer(chef, lettre_a_signer)
    assert Signature.objects.count() == 2 and recharger(lettre_a_signer).statut == "scellee"


def test_sans_case_cochee_rien_n_est_signe(rupn_a, lettre_a_signer):
    reponse = signer(authentifie(rupn_a), lettre_a_signer, consentement="")
    assert reponse.status_code == 400
    assert "Cochez la phrase de consentement" in reponse.content.decode()
    assert not Signature.objects.exists()


def test_un_texte_perime_n_est_pas_signe(rupn_a, lettre_a_signer):
    reponse = signer(authentifie(rupn_a), lettre_a_signer, empreinte="0" * 64)
    assert not Signature.objects.exists()
    assert "Relisez-la avant de la signer" in dernier_message(reponse)


# --- Authentification récente ---------------------------------------------------------------------------


def test_sans_authentification_recente_on_s_authentifie_d_abord(rupn_a, lettre_a_signer, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    url = _url("lettre_signer", lettre_a_signer)
    for client in (client_de(rupn_a), authentifie(rupn_a, il_y_a=301)):
        reponse = client.get(url)
        assert reponse.status_code == 302
        assert reponse["Location"] == f"{reverse('account_reauthenticate')}?next={url.replace('/', '%2F')}"
        reponse = signer(client, lettre_a_signer)
        assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("account_reauthenticate"))
    assert not Signature.objects.exists()


def test_la_page_d_authentification_d_allauth_ouvre_la_signature(rupn_a, lettre_a_signer):
    client = client_de(rupn_a)
    url = _url("lettre_signer", lettre_a_signer)
    reponse = client.post(f"{reverse('account_reauthenticate')}?next={url}", {"password": "mot-de-passe-de-test"})
    assert reponse.status_code == 302 and reponse["Location"] == url
    assert client.get(url).status_code == 200
    signer(client, lettre_a_signer)
    assert Signature.objects.get().methode_authentification == "mot_de_passe"


def test_un_compte_proconnect_seul_repasse_par_proconnect(rupn_a, lettre_a_signer):
    rupn_a.set_unusable_password()
    rupn_a.save()
    reponse = client_de(rupn_a).get(_url("lettre_signer", lettre_a_signer))
    assert reponse["Location"].startswith(reverse("proconnect_login"))
    assert "prompt%3Dlogin" in reponse["Location"]
    signer(authentifie(rupn_a, methodes=("socialaccount",)), lettre_a_signer)
    assert Signature.objects.get().methode_authentification == "proconnect"


def test_methode_recente(rf, rupn_a, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    requete = rf.get("/")
    requete.user = rupn_a
    client = authentifie(rupn_a, methodes=("password",), il_y_a=10)
    requete.session = client.session
    assert methode_recente(requete) == "mot_de_passe"
    requete.session = authentifie(rupn_a, methodes=("password", "mfa"), il_y_a=10).session
    assert methode_recente(requete) == "double"
    requete.session = authentifie(rupn_a, methodes=("password",), il_y_a=400).session
    assert methode_recente(requete) is None


@pytest.mark.parametrize(
    ("confiance", "distante", "transmise", "attendue"),
    [
        ([], "203.0.113.4", "198.51.100.7", "203.0.113.4"),  # pas de mandataire de confiance : l'en-tête est ignoré
        (["10.0.0.1"], "203.0.113.4", "198.51.100.7", "203.0.113.4"),  # connexion directe d'un inconnu
        (["10.0.0.1"], "10.0.0.1", "198.51.100.7", "198.51.100.7"),
        (
            ["10.0.0.0/8"],
            "10.0.0.1",
            "1.2.3.4, 198.51.100.7, 10.0.0.2",
            "198.51.100.7",
        ),  # 1.2.3.4 : écrit par le client
        (["10.0.0.1"], "10.0.0.1", "n'importe quoi", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_adresse_ip_derriere_les_seuls_mandataires_de_confiance(rf, settings, confiance, distante, transmise, attendue):
    settings.RUPN_PROXYS_DE_CONFIANCE = confiance
    requete = rf.get("/", REMOTE_ADDR=distante, HTTP_X_FORWARDED_FOR=transmise)
    assert adresse_ip_client(requete) == attendue


# --- Signatures annulées par une modification -----------------------------------------------------------


def test_une_modification_annule_la_signature_et_previent_le_signataire(
    chef_a, rupn_a, lettre_a_signer, django_capture_on_commit_callbacks
):
    signer(authentifie(rupn_a), lettre_a_signer)
    lettre = recharger(lettre_a_signer)
    contenu = {**lettre.contenu, "suivi": "Point d'étape en janvier."}
    with django_capture_on_commit_callbacks(execute=True):
        services.lettre_modifier(
            lettre=lettre, contenu=contenu, revision=lettre.revision, par=chef_a, url_absolue=lambda c: c
        )
    signature = Signature.objects.get()
    assert signature.annulee_le is not None
    assert [m.to for m in mail.outbox] == [[rupn_a.email]] and "signature est annulée" in mail.outbox[0].subject
    lettre = recharger(lettre_a_signer)
    assert lettre.statut == "brouillon" and not lettre.peut_signer(rupn_a)
    # Renvoyée, approuvée de nouveau : le RUPN signe encore ; l'ancienne signature reste, annulée.
    lettre.statut = "signature"
    lettre.save()
    signer(authentifie(rupn_a), lettre)
    assert Signature.objects.filter(annulee_le__isnull=True).count() == 1 and Signature.objects.count() == 2


# --- Échec du rendu ou du sceau ------------------------------------------------------------------------


def test_un_sceau_indisponible_ne_laisse_ni_signature_ni_fichier(chef_a, rupn_a, lettre_a_signer, settings):
    signer(authentifie(rupn_a), lettre_a_signer)
    chemin_sceau = settings.RUPN_SCEAU_PKCS12
    settings.RUPN_SCEAU_PKCS12 = ""
    chef = authentifie(chef_a)
    reponse = signer(chef, lettre_a_signer)
    assert reponse.status_code == 200
    assert "n&#x27;a pas pu être mise en PDF et scellée" in reponse.content.decode()
    assert "RUPN_SCEAU_PKCS12" not in reponse.content.decode()  # la configuration du serveur ne s'affiche pas
    lettre = recharger(lettre_a_signer)
    assert lettre.statut == "signature" and not lettre.pdf and lettre.empreinte_pdf == ""
    assert list(Signature.objects.values_list("qualite", flat=True)) == ["rupn"]
    dossier = settings.MEDIA_ROOT / "lettres"
    assert not dossier.exists() or not any(dossier.rglob("*.pdf"))

    settings.RUPN_SCEAU_PKCS12 = chemin_sceau  # réparé : la direction signe de nouveau
    signer(chef, lettre_a_signer)
    assert recharger(lettre_a_signer).statut == "scellee"


def test_une_erreur_apres_l_ecriture_du_fichier_l_efface(chef_a, rupn_a, lettre_a_signer, settings, monkeypatch):
    signer(authentifie(rupn_a), lettre_a_signer)

    def echec(*args, **kwargs):
        raise RuntimeError("panne de la base")

    monkeypatch.setattr(signatures, "envoyer_apres_validation", echec)
    with pytest.raises(RuntimeError):
        signatures.lettre_signer(
            lettre=lettre_a_signer,
            empreinte=empreinte_actuelle(lettre_a_signer),
            par=_en_role(chef_a),
            methode="mot_de_passe",
            adresse_ip=None,
            agent_utilisateur="",
            url_absolue=lambda chemin: chemin,
        )
    assert not any((settings.MEDIA_ROOT / "lettres").rglob("*.pdf"))
    assert recharger(lettre_a_signer).statut == "signature"


def _en_role(utilisateur):
    utilisateur.role_actif = utilisateur.roles.get()
    return utilisateur


# --- Immuabilité, annulation, avenant -------------------------------------------------------------------


@pytest.fixture
def scellee(lettre_a_signer):
    return sceller_pour_test(lettre_a_signer)


def test_une_lettre_scellee_ne_change_plus(chef_a, rupn_a, scellee):
    reponse = client_de(chef_a).get(_url("lettre_modifier", scellee))
    assert reponse.status_code == 302 and "ne se modifie plus" in dernier_message(reponse)
    lettre = recharger(scellee)
    with pytest.raises(Exception, match="on ne peut plus la modifier"):
        services.lettre_modifier(
            lettre=lettre, contenu=lettre.contenu, revision=lettre.revision, par=chef_a, url_absolue=str
        )
    with pytest.raises(Exception, match="on ne peut plus la commenter"):
        services.lettre_commenter(lettre=lettre, texte="Encore une chose", par=rupn_a, url_absolue=str)
    assert recharger(scellee).revision == lettre.revision


def test_le_pdf_se_telecharge_tel_qu_il_est_stocke(rupn_a, scellee):
    reponse = client_de(rupn_a).get(_url("lettre_pdf", scellee))
    contenu = b"".join(reponse.streaming_content)
    assert reponse["Content-Type"] == "application/pdf"
    assert scellee.code_verification in reponse["Content-Disposition"]
    assert hashlib.sha256(contenu).hexdigest() == scellee.empreinte_pdf


def test_le_rupn_d_une_autre_lettre_ne_la_voit_pas(college_a, scellee):
    autre, _ = un_rupn(college_a, scellee.annee)
    client = authentifie(autre)
    for nom in ("lettre_pdf", "lettre_signer", "lettre_detail"):
        assert client.get(_url(nom, scellee)).status_code == 404


def test_la_direction_annule_une_lettre_scellee_avec_un_motif(
    chef_a, rupn_a, scellee, django_capture_on_commit_callbacks
):
    client = client_de(chef_a)
    reponse = client.post(_url("lettre_annuler", scellee), {"motif": "  "})
    assert reponse.status_code == 400 and "Indiquez le motif" in reponse.content.decode()
    assert recharger(scellee).statut == "scellee"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("lettre_annuler", scellee), {"motif": "Mission confiée à une autre personne."})
    lettre = recharger(scellee)
    assert lettre.statut == "annulee" and lettre.annulee_par == chef_a and lettre.annulee_le
    assert lettre.motif_annulation == "Mission confiée à une autre personne."
    assert lettre.pdf and lettre.empreinte_pdf  # le PDF reste archivé
    (courriel,) = mail.outbox
    assert rupn_a.email in courriel.to and chef_a.email not in courriel.to  # l'auteur de l'annulation le sait
    # Les désignations peuvent recevoir une nouvelle lettre.
    assert list(services.designations_sans_lettre(lettre.etablissement, lettre.annee)) == list(
        lettre.designations.all()
    )
    page = client.get(_url("lettre_detail", scellee)).content.decode()
    assert "Lettre annulée le" in page and "Mission confiée à une autre personne." in page


def test_un_avenant_remplace_la_lettre_une_fois_scelle(chef_a, rupn_a, scellee):
    client = client_de(chef_a)
    reponse = client.post(_url("lettre_avenant", scellee))
    avenant = LettreMission.objects.get(remplace=scellee)
    assert reponse["Location"] == _url("lettre_modifier", avenant)
    assert avenant.statut == "brouillon" and avenant.contenu == scellee.contenu
    assert list(avenant.designations.all()) == list(scellee.designations.all())
    assert recharger(scellee).statut == "scellee"  # valable jusqu'au scellement de l'avenant
    reponse = client.post(_url("lettre_avenant", scellee))
    assert "déjà un avenant" in dernier_message(reponse) and LettreMission.objects.count() == 2

    sceller_pour_test(LettreMissionFactory._meta.model.objects.get(pk=avenant.pk))
    assert recharger(scellee).statut == "remplacee"
    page = client.get(_url("lettre_detail", scellee)).content.decode()
    assert "Lettre remplacée par un avenant" in page and _url("lettre_detail", avenant) in page
    assert "Avenant à la lettre de mission scellée" in document.html_final(signatures.charger_lettre(avenant), [])


def test_la_direction_abandonne_une_lettre_pas_encore_scellee(chef_a, rupn_a, lettre_a_signer, anonyme):
    client = client_de(chef_a)
    client.post(_url("lettre_avenant", lettre_a_signer))  # un avenant ne vaut que pour une lettre scellée
    assert LettreMission.objects.count() == 1
    assert "Abandonner la lettre" in client.get(_url("lettre_detail", lettre_a_signer)).content.decode()
    signer(authentifie(rupn_a), lettre_a_signer)

    reponse = client.post(_url("lettre_annuler", lettre_a_signer), {"motif": "Désignation à revoir."})
    lettre = recharger(lettre_a_signer)
    assert lettre.statut == "annulee" and not lettre.scellee_le
    assert "La lettre est abandonnée." in dernier_message(reponse)
    # Elle n'a jamais existé pour la vérification publique ; ses désignations attendent une autre lettre.
    assert anonyme.get(reverse("lettres:verification_code", args=[lettre.code_verification])).status_code == 404
    assert list(services.designations_sans_lettre(lettre.etablissement, lettre.annee)) == list(
        lettre.designations.all()
    )


def test_la_page_de_la_lettre_scellee_fait_peu_de_requetes(chef_a, scellee, django_assert_max_num_queries):
    client = client_de(chef_a)
    with django_assert_max_num_queries(BORNE):
        page = client.get(_url("lettre_detail", scellee)).content.decode()
    assert "Télécharger le PDF signé" in page and "Rédiger un avenant" in page and "Annuler la lettre" in page


def test_l_adjoint_signe_par_delegation(adjoint_a, rupn_a, lettre_a_signer):
    signer(authentifie(rupn_a), lettre_a_signer)
    page = authentifie(adjoint_a).get(_url("lettre_signer", lettre_a_signer)).content.decode()
    assert "par délégation du chef d&#x27;établissement" in page
    signer(authentifie(adjoint_a), lettre_a_signer)
    assert Signature.objects.get(signataire=adjoint_a).qualite == "adjoint"


def test_un_role_sans_lien_avec_la_lettre_ne_signe_pas(dane_toulouse, lettre_a_signer):
    assert authentifie(dane_toulouse).get(_url("lettre_signer", lettre_a_signer)).status_code == 403


def test_le_dernier_rupn_qui_signe_apprend_que_c_est_au_tour_de_la_direction(rupn_a, lettre_a_signer):
    reponse = signer(authentifie(rupn_a), lettre_a_signer)
    assert (
        dernier_message(reponse) == "Vous avez signé pour accord. La direction est prévenue : c'est à elle de signer."
    )


def test_l_accueil_montre_les_lettres_qui_attendent_la_personne(chef_a, rupn_a, lettre_a_signer):
    accueil = reverse("accueil")
    assert "Une lettre de mission vous attend" in client_de(rupn_a).get(accueil).content.decode()
    assert "vous attend" not in client_de(chef_a).get(accueil).content.decode()  # les RUPN signent d'abord
    signer(authentifie(rupn_a), lettre_a_signer)
    assert "vous attend" not in client_de(rupn_a).get(accueil).content.decode()
    page = client_de(chef_a).get(accueil).content.decode()
    assert "Une lettre de mission vous attend" in page and "à signer" in page


def test_l_accueil_de_la_direction_invite_a_rediger_la_lettre(chef_a, adjoint_a, designation_rupn_a):
    for personne in (chef_a, adjoint_a):
        page = client_de(personne).get(reverse("accueil")).content.decode()
        assert "1 désignation acceptée sans lettre" in page and reverse("lettres:lettre_creer") in page


# --- Relecture : cas limites (changements hors de la rédaction, avenants, pannes après validation) -----------


def _signer_par_service(lettre, par, **champs):
    return signatures.lettre_signer(
        lettre=lettre,
        empreinte=champs.pop("empreinte", None) or empreinte_actuelle(lettre),
        par=_en_role(par),
        methode="mot_de_passe",
        adresse_ip=None,
        agent_utilisateur="",
        url_absolue=lambda chemin: chemin,
        **champs,
    )


def test_un_double_clic_sur_un_objet_perime_ne_signe_qu_une_fois(rupn_a, lettre_a_signer):
    """Deux requêtes qui ont lu la lettre avant toute signature : le verrou et la relecture les départagent."""
    empreinte = empreinte_actuelle(lettre_a_signer)
    _signer_par_service(lettre_a_signer, rupn_a, empreinte=empreinte)
    with pytest.raises(signatures.DejaSignee):
        _signer_par_service(lettre_a_signer, rupn_a, empreinte=empreinte)
    assert Signature.objects.count() == 1


def test_une_fin_de_mission_apres_une_signature_l_annule_et_bloque_la_direction(
    chef_a, rupn_a, lettre_a_signer, designation_rupn_a, django_capture_on_commit_callbacks
):
    signer(authentifie(rupn_a), lettre_a_signer)
    # La période change hors de la rédaction de la lettre (fin de mission avancée).
    type(designation_rupn_a).objects.filter(pk=designation_rupn_a.pk).update(fin=designation_rupn_a.fin.replace(day=1))
    with django_capture_on_commit_callbacks(execute=True):
        reponse = signer(authentifie(chef_a), lettre_a_signer)
    assert "Attendent encore de signer pour accord" in dernier_message(reponse)
    assert recharger(lettre_a_signer).statut == "signature"
    (signature,) = Signature.objects.all()
    assert signature.annulee_le is not None  # portait sur l'ancienne période
    assert [m.to for m in mail.outbox] == [[rupn_a.email]] and "désignation de la lettre a changé" in mail.outbox[
        0
    ].body
    # Le RUPN signe le nouveau contenu, puis la direction : la lettre est scellée sur ce que chacun a signé.
    signer(authentifie(rupn_a), lettre_a_signer)
    signer(authentifie(chef_a), lettre_a_signer)
    lettre = signatures.charger_lettre(lettre_a_signer)
    assert lettre.statut == "scellee"
    assert {s.empreinte_contenu for s in lettre.signatures_valides()} == {document.empreinte_contenu(lettre)}


def test_une_designation_annulee_empeche_de_signer(chef_a, rupn_a, lettre_a_signer, designation_rupn_a):
    type(designation_rupn_a).objects.filter(pk=designation_rupn_a.pk).update(statut="annulee")
    reponse = signer(authentifie(rupn_a), lettre_a_signer)
    assert "n'est plus en cours" in dernier_message(reponse) and not Signature.objects.exists()


def test_l_empreinte_ne_depend_pas_de_l_ordre_de_lecture(college_a, lettre_a_signer, designation_rupn_a):
    _, autre = un_rupn(college_a, lettre_a_signer.annee, utilisateur__last_name=designation_rupn_a.agent.last_name)
    lettre_a_signer.designations.add(autre)
    lue = LettreMission.objects.get(pk=lettre_a_signer.pk)  # désignations dans l'ordre par défaut
    assert document.empreinte_contenu(lue) == empreinte_actuelle(lettre_a_signer)
    inverse = LettreMission.objects.prefetch_related(
        Prefetch("designations", queryset=type(autre).objects.order_by("-pk"))
    ).get(pk=lettre_a_signer.pk)
    assert document.empreinte_contenu(inverse) == empreinte_actuelle(lettre_a_signer)


def test_on_n_annule_pas_une_lettre_dont_l_avenant_est_en_cours(chef_a, scellee):
    client = client_de(chef_a)
    client.post(_url("lettre_avenant", scellee))
    avenant = LettreMission.objects.get(remplace=scellee)
    reponse = client.post(_url("lettre_annuler", scellee), {"motif": "Erreur"})
    assert "c'est lui qu'il faut abandonner" in dernier_message(reponse)
    assert recharger(scellee).statut == "scellee"

    # L'avenant abandonné, la lettre s'annule ; un nouvel avenant reste possible tant qu'elle est scellée.
    reponse = client.post(_url("lettre_annuler", avenant), {"motif": "Rédigé par erreur."})
    assert "L'avenant est abandonné" in dernier_message(reponse)
    assert recharger(avenant).statut == "annulee" and recharger(scellee).statut == "scellee"
    client.post(_url("lettre_avenant", scellee))
    assert LettreMission.objects.filter(remplace=scellee).count() == 2


def test_un_avenant_ne_se_scelle_pas_si_la_lettre_d_origine_n_est_plus_en_vigueur(chef_a, rupn_a, scellee, settings):
    avenant = signatures.lettre_avenant(lettre=scellee, par=chef_a)
    avenant.statut = "signature"
    avenant.save()
    signer(authentifie(rupn_a), avenant)
    LettreMission.objects.filter(pk=scellee.pk).update(statut="annulee")  # annulée par un autre chemin
    reponse = signer(authentifie(chef_a), avenant)
    assert "n'est plus en vigueur" in dernier_message(reponse)
    assert recharger(avenant).statut == "signature" and recharger(scellee).statut == "annulee"
    assert sorted(p.name for p in (settings.MEDIA_ROOT / "lettres").rglob("*.pdf")) == [scellee.pdf.name.split("/")[-1]]


def test_un_avenant_scelle_puis_annule_libere_les_designations(chef_a, scellee):
    avenant = sceller_pour_test(signatures.lettre_avenant(lettre=scellee, par=chef_a))
    assert recharger(scellee).statut == "remplacee"
    assert not services.designations_sans_lettre(scellee.etablissement, scellee.annee).exists()
    client_de(chef_a).post(_url("lettre_annuler", avenant), {"motif": "Erreur de désignation."})
    assert list(services.designations_sans_lettre(scellee.etablissement, scellee.annee)) == list(
        scellee.designations.all()
    )
    # La lettre d'origine et sa vérification publique disent qu'aucune lettre n'est plus en vigueur.
    page = client_de(chef_a).get(_url("lettre_detail", scellee)).content.decode()
    assert "aucune lettre n'est en vigueur" in page and _url("lettre_detail", avenant) in page
    publique = client_de(chef_a).get(reverse("lettres:verification_code", args=[scellee.code_verification]))
    assert "aucune des deux n'est en vigueur" in publique.content.decode()
    page_avenant = client_de(chef_a).get(_url("lettre_detail", avenant)).content.decode()
    assert "annulé ensuite, il ne la remet pas en vigueur" in page_avenant and "Annulée" in page_avenant


def test_l_avenant_ne_reprend_que_les_designations_en_cours(chef_a, college_a, scellee):
    _, partie = un_rupn(college_a, scellee.annee)
    scellee.designations.add(partie)
    type(partie).objects.filter(pk=partie.pk).update(statut="annulee")
    avenant = signatures.lettre_avenant(lettre=scellee, par=chef_a)
    assert partie not in avenant.designations.all() and avenant.designations.count() == 1


def test_l_annulation_previent_aussi_un_signataire_parti(chef_a, rupn_a, scellee, django_capture_on_commit_callbacks):
    ancien_chef = Signature.objects.get(lettre=scellee, qualite="chef").signataire
    Role.objects.filter(utilisateur=ancien_chef).delete()  # parti de l'établissement
    with django_capture_on_commit_callbacks(execute=True):
        client_de(chef_a).post(_url("lettre_annuler", scellee), {"motif": "Mission redéfinie."})
    (courriel,) = mail.outbox
    assert ancien_chef.email in courriel.to and rupn_a.email in courriel.to and chef_a.email not in courriel.to
    assert reverse("lettres:verification_code", args=[scellee.code_verification]) in courriel.body


@pytest.mark.parametrize(
    ("enregistrements", "attendue"),
    [
        # Connexion avec code il y a 8 heures, nouvelle authentification par mot de passe seul à l'instant.
        ([("password", 8 * 3600), ("mfa", 8 * 3600), ("password", 10)], "mot_de_passe"),
        ([("password", 8 * 3600), ("mfa", 10)], "double"),  # nouvelle authentification par le code
        ([("password", 20), ("mfa", 10)], "double"),
        ([("socialaccount", 10)], "proconnect"),
        ([("password", 8 * 3600)], None),
    ],
)
def test_la_methode_est_celle_de_l_authentification_recente(rf, rupn_a, settings, enregistrements, attendue):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    client = client_de(rupn_a)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": methode, "at": time.time() - il_y_a} for methode, il_y_a in enregistrements
    ]
    session["account_authentication_methods_user"] = str(rupn_a.pk)
    session.save()
    requete = rf.get("/")
    requete.user, requete.session = rupn_a, client.session
    assert methode_recente(requete) == attendue


@pytest.mark.django_db(transaction=True)
def test_une_panne_du_courriel_apres_le_scellement_ne_perd_pas_le_pdf(chef_a, rupn_a, lettre_a_signer, settings):
    """Les courriels partent après la validation : s'ils échouent, la lettre scellée et son PDF restent."""
    _signer_par_service(lettre_a_signer, rupn_a)
    settings.EMAIL_BACKEND = "tests.lettres.test_signature.CourrielEnPanne"
    lettre = _signer_par_service(lettre_a_signer, chef_a)
    lettre = recharger(lettre)
    assert lettre.statut == "scellee"
    with lettre.pdf.open("rb") as fichier:
        assert hashlib.sha256(fichier.read()).hexdigest() == lettre.empreinte_pdf


class CourrielEnPanne:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("serveur de courriel injoignable")


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="la base SQLite des tests (en mémoire, cache partagé) verrouille les tables entre fils d'exécution ; "
    "ce test tourne sur PostgreSQL (make test-postgres)",
)
@pytest.mark.django_db(transaction=True)
def test_deux_signatures_simultanees_de_la_direction_ne_scellent_qu_une_fois(chef_a, rupn_a, lettre_a_signer):
    """Deux requêtes du chef en même temps (double clic) : le verrou de ligne les range l'une après l'autre."""
    _signer_par_service(lettre_a_signer, rupn_a)
    empreinte = empreinte_actuelle(lettre_a_signer)
    depart = threading.Barrier(2)

    def signer_en_parallele():
        depart.wait()
        try:
            _signer_par_service(LettreMission.objects.get(pk=lettre_a_signer.pk), chef_a, empreinte=empreinte)
            return "signée"
        except signatures.DejaSignee:
            return "déjà signée"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as executeur:
        resultats = sorted(executeur.map(lambda _: signer_en_parallele(), range(2)))
    assert resultats == ["déjà signée", "signée"]
    assert Signature.objects.filter(qualite="chef").count() == 1
    assert len(list((settings.MEDIA_ROOT / "lettres").rglob("*.pdf"))) == 1
