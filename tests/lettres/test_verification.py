"""Page publique de vérification d'une lettre scellée : par son code, son code QR ou son PDF."""

import re
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lettres.models import LettreMission
from lettres.pdf import rendre_pdf
from lettres.sceau import sceller
from lettres.verification import CodeMalForme, normaliser_code
from tests.conftest import client_de
from tests.factories import EtablissementFactory, LettreMissionFactory, UtilisateurFactory
from tests.lettres.conftest import configurer_sceau, creer_certificat, sceller_pour_test

ADRESSE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
URL_VERIFICATION = reverse("lettres:verification")
SIGNEE_LE = datetime(2025, 9, 15, 8, 30, tzinfo=UTC)  # 10 h 30 à Paris (heure d'été)


def url_code(code):
    return reverse("lettres:verification_code", args=[code])


def texte(reponse):
    return reponse.content.decode()


def sans_adresse(reponse):
    adresses = ADRESSE.findall(texte(reponse))
    assert adresses == [], f"adresses électroniques affichées : {adresses}"


@pytest.fixture
def lettre(db):
    """Une lettre scellée du collège Jean-Jaurès : son RUPN a un nom, le chef signe aussi."""
    etablissement = EtablissementFactory(nom="Collège Jean-Jaurès", commune="Muret")
    rupn = UtilisateurFactory(first_name="Camille", last_name="Durand", email="camille.durand@rupn.example")
    return sceller_pour_test(etablissement=etablissement, designations__agent=rupn, horodatage=SIGNEE_LE)


def octets_de(lettre):
    with lettre.pdf.open("rb") as fichier:
        return fichier.read()


def envoyer(client, octets, nom="lettre.pdf"):
    return client.post(URL_VERIFICATION, {"fichier": SimpleUploadedFile(nom, octets, "application/pdf")})


def un_octet_change(octets):
    """Le même PDF où un octet d'un flux (contenu de page, police…) a changé : la structure reste lisible."""
    position = octets.index(b"stream", len(octets) // 3) + 40
    return octets[:position] + bytes([octets[position] ^ 0x01]) + octets[position + 1 :]


# Par le code


@pytest.mark.parametrize("saisie", ["abcd-efgh-jk mn", " ABCD EFGH JKMN ", "ABCD–EFGH–JKMN"])
def test_un_code_saisi_est_normalise(saisie):
    assert normaliser_code(saisie) == "ABCDEFGHJKMN"


@pytest.mark.parametrize(
    ("saisie", "message"),
    [("", "Saisissez"), ("ABCD", "12 caractères"), ("ABCDEFGHJK0O", "« 0O »"), ("ABCDEFGHJK1é", "« 1É »")],
)
def test_un_code_mal_forme_est_refuse_avec_un_message(saisie, message):
    with pytest.raises(CodeMalForme, match=message):
        normaliser_code(saisie)


def test_le_code_d_une_lettre_scellee_la_dit_valide_sans_aucune_adresse(lettre, anonyme):
    reponse = anonyme.get(url_code(lettre.code_verification))

    assert reponse.status_code == 200
    contenu = texte(reponse)
    assert "Lettre valide" in contenu and "fr-alert--success" in contenu
    assert "Collège Jean-Jaurès" in contenu and "Muret" in contenu and "2025-2026" in contenu
    assert "Camille Durand" in contenu and "RUPN, pour accord" in contenu and "Chef d&#x27;établissement" in contenu
    assert "15 septembre 2025 à 10:30" in contenu  # heure de Paris
    sans_adresse(reponse)


def test_un_signataire_sans_nom_n_est_pas_designe_par_son_adresse(db, anonyme):
    rupn = UtilisateurFactory(first_name="", last_name="", email="sans.nom@rupn.example")
    lettre = sceller_pour_test(designations__agent=rupn)

    reponse = anonyme.get(url_code(lettre.code_verification))

    assert "Nom non renseigné" in texte(reponse)
    sans_adresse(reponse)


def test_le_code_saisi_dans_le_formulaire_mene_a_la_page_de_la_lettre(anonyme, db):
    reponse = anonyme.get(URL_VERIFICATION, {"code": "abcd-efgh-jkmn"})
    assert reponse.status_code == 302 and reponse["Location"] == url_code("ABCDEFGHJKMN")

    reponse = anonyme.get(url_code("abcd efgh-jkmn"))
    assert reponse.status_code == 302 and reponse["Location"] == url_code("ABCDEFGHJKMN")


def test_une_lettre_annulee_est_dite_annulee_avec_sa_date_et_son_motif(lettre, anonyme):
    LettreMission.objects.filter(pk=lettre.pk).update(
        statut=LettreMission.Statut.ANNULEE,
        annulee_le=datetime(2025, 11, 3, 13, 5, tzinfo=UTC),
        motif_annulation="Départ du RUPN ; écrire à secretariat@college.example pour la nouvelle lettre.",
    )

    reponse = anonyme.get(url_code(lettre.code_verification))

    assert reponse.status_code == 200
    contenu = texte(reponse)
    assert "Lettre annulée" in contenu and "fr-alert--error" in contenu and "Lettre valide" not in contenu
    assert "3 novembre 2025 à 14:05" in contenu  # heure de Paris (heure d'hiver)
    assert "Départ du RUPN ; écrire à [adresse masquée] pour la nouvelle lettre." in contenu
    sans_adresse(reponse)


def test_une_lettre_remplacee_renvoie_vers_la_verification_de_son_avenant(lettre, anonyme):
    avenant = sceller_pour_test(
        LettreMissionFactory(
            a_signer=True,
            etablissement=lettre.etablissement,
            annee=lettre.annee,
            remplace=lettre,
            designations=list(lettre.designations.all()),
        ),
        horodatage=datetime(2026, 1, 20, 9, 0, tzinfo=UTC),
    )
    lettre.refresh_from_db()
    assert lettre.statut == LettreMission.Statut.REMPLACEE

    reponse = anonyme.get(url_code(lettre.code_verification))

    assert reponse.status_code == 200
    contenu = texte(reponse)
    assert "Lettre remplacée par un avenant" in contenu and "Lettre valide" not in contenu
    assert f"un avenant la remplace, scellé le {avenant.scellee_le.day} " in contenu
    assert f'href="{url_code(avenant.code_verification)}"' in contenu
    sans_adresse(reponse)

    reponse = anonyme.get(url_code(avenant.code_verification))

    contenu = texte(reponse)
    assert "Lettre valide" in contenu and "Avenant à" in contenu
    assert f'href="{url_code(lettre.code_verification)}"' in contenu


def test_un_code_inconnu_repond_404_avec_un_message(anonyme, db):
    brouillon = LettreMissionFactory()  # une lettre pas encore scellée a déjà un code : il ne vaut rien

    for code in ("ABCDEFGHJKMN", brouillon.code_verification):
        reponse = anonyme.get(url_code(code))

        assert reponse.status_code == 404
        assert "Code inconnu" in texte(reponse) and "Aucune lettre de mission scellée ne porte le code" in texte(
            reponse
        )
        assert "fr-header" in texte(reponse)


def test_un_code_mal_forme_dans_l_adresse_repond_404_avec_un_message(anonyme, db):
    reponse = anonyme.get(url_code("ABC"))

    assert reponse.status_code == 404
    assert "Un code de vérification compte 12 caractères ; celui-ci en compte 3." in texte(reponse)
    assert "fr-input-group--error" in texte(reponse)


def test_un_code_mal_forme_saisi_revient_avec_son_erreur(anonyme, db):
    reponse = anonyme.get(URL_VERIFICATION, {"code": "ABCD-EFGH-0000"})

    assert reponse.status_code == 200
    contenu = texte(reponse)
    assert "fr-input-group--error" in contenu and 'aria-describedby="code-erreur"' in contenu
    assert "« 0 » n&#x27;en fait pas partie" in contenu
    assert 'value="ABCD-EFGH-0000"' in contenu


def test_la_page_s_ouvre_anonyme_et_connecte(anonyme, chef_a):
    for client in (anonyme, client_de(chef_a)):
        reponse = client.get(URL_VERIFICATION)

        assert reponse.status_code == 200
        contenu = texte(reponse)
        assert "<h1>Vérifier une lettre de mission</h1>" in contenu
        assert 'enctype="multipart/form-data"' in contenu and "csrfmiddlewaretoken" in contenu
        assert "fr-upload-group" in contenu and "fr-input-group" in contenu


def test_la_verification_par_code_fait_peu_de_requetes(lettre, anonyme, chef_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # la lettre (et ses liens), ses avenants, ses signatures
        anonyme.get(url_code(lettre.code_verification))
    client = client_de(chef_a)
    with django_assert_max_num_queries(8):  # + session, personne, rôles
        reponse = client.get(url_code(lettre.code_verification))
    assert "Lettre valide" in texte(reponse)


# Par le fichier


def test_le_pdf_scelle_est_reconnu_valide(lettre, anonyme, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        reponse = envoyer(anonyme, octets_de(lettre))

    assert reponse.status_code == 200
    contenu = texte(reponse)
    assert "Lettre valide" in contenu and "Ce fichier est identique au PDF que le service a scellé" in contenu
    assert "son sceau électronique est intact" in contenu
    assert "Camille Durand" in contenu
    sans_adresse(reponse)


def test_un_octet_change_rend_le_fichier_modifie(lettre, anonyme):
    reponse = envoyer(anonyme, un_octet_change(octets_de(lettre)))

    assert reponse.status_code == 200
    contenu = texte(reponse)
    assert "Fichier modifié : il ne fait pas foi" in contenu and "fr-alert--error" in contenu
    assert "Lettre valide" not in contenu and "Camille Durand" not in contenu


def test_un_pdf_scelle_intact_mais_inconnu_n_est_pas_emis_par_ce_service(anonyme, db):
    pdf = sceller(rendre_pdf("<html lang='fr'><body><p>Lettre</p></body></html>"), motif="Essai", lieu="Toulouse")

    reponse = envoyer(anonyme, pdf)

    contenu = texte(reponse)
    assert "Fichier non reconnu : non émis par ce service" in contenu
    assert "porte un sceau électronique intact, mais aucune lettre de ce service ne lui correspond" in contenu


def test_un_pdf_sans_sceau_n_est_pas_reconnu(anonyme, db):
    reponse = envoyer(anonyme, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nceci n'est pas un vrai PDF\n%%EOF\n")

    assert reponse.status_code == 200
    assert "Fichier non reconnu : non émis par ce service" in texte(reponse)


@pytest.mark.parametrize(
    ("octets", "nom", "message"),
    [
        (b"Bonjour, voici ma lettre.", "lettre.pdf", "Ce fichier n&#x27;est pas un PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "photo.png", "Ce fichier n&#x27;est pas un PDF"),
        (b"", "lettre.pdf", "Ce fichier est vide"),
    ],
    ids=["texte", "image", "vide"],
)
def test_un_fichier_qui_n_est_pas_un_pdf_est_refuse_avec_un_message(anonyme, db, octets, nom, message):
    reponse = envoyer(anonyme, octets, nom)

    assert reponse.status_code == 200
    contenu = texte(reponse)
    assert message in contenu
    assert "fr-upload-group--error" in contenu and 'aria-describedby="fichier-erreur"' in contenu
    assert "titre-resultat" not in contenu  # aucun verdict


def test_un_envoi_sans_fichier_est_refuse_avec_un_message(anonyme, db):
    reponse = anonyme.post(URL_VERIFICATION)

    assert reponse.status_code == 200
    assert "Choisissez le fichier PDF de la lettre à vérifier." in texte(reponse)


def test_un_fichier_trop_gros_est_refuse_avec_un_message(anonyme, db):
    reponse = envoyer(anonyme, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))

    assert reponse.status_code == 200
    assert "Ce fichier pèse 10,0 Mo : la vérification accepte 10 Mo au plus" in texte(reponse)


def test_le_fichier_envoye_n_est_pas_conserve(lettre, anonyme, settings, monkeypatch):
    """Le fichier reste en mémoire : ni stockage, ni fichier temporaire sur le disque (que Django crée
    au-delà de FILE_UPLOAD_MAX_MEMORY_SIZE avec ses gestionnaires par défaut)."""
    from django.core.files import uploadedfile

    def jamais_sur_disque(*args, **kwargs):
        raise AssertionError("le fichier envoyé a été écrit sur le disque")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", jamais_sur_disque)
    avant = sorted(settings.MEDIA_ROOT.rglob("*"))

    assert "Lettre valide" in texte(envoyer(anonyme, octets_de(lettre)))
    envoyer(anonyme, b"%PDF-1.7\n" + b"0" * (6 * 1024 * 1024))  # au-delà de FILE_UPLOAD_MAX_MEMORY_SIZE

    assert sorted(settings.MEDIA_ROOT.rglob("*")) == avant


def test_le_televersement_exige_le_jeton_csrf(lettre):
    client = Client(enforce_csrf_checks=True)

    reponse = envoyer(client, octets_de(lettre))

    assert reponse.status_code == 403


def test_un_fichier_identique_dont_le_sceau_n_est_plus_reconnu_le_signale(lettre, anonyme, settings, tmp_path):
    """Le certificat de l'académie a changé depuis le scellement : le fichier est bien le nôtre (empreinte),
    mais son sceau n'est pas reconnu par le certificat actuel, et la page le dit."""
    configurer_sceau(settings, creer_certificat(tmp_path, nom="Nouveau certificat"))

    reponse = envoyer(anonyme, octets_de(lettre))

    contenu = texte(reponse)
    assert "Lettre valide" in contenu and "fr-alert--warning" in contenu
    assert "son sceau n'est pas reconnu par le certificat actuel de l'académie" in contenu


# Sans sceau configuré


def test_sans_sceau_configure_le_code_marche_et_le_fichier_n_est_controle_que_par_son_empreinte(
    lettre, anonyme, settings
):
    octets = octets_de(lettre)
    settings.RUPN_SCEAU_PKCS12 = ""

    reponse = anonyme.get(url_code(lettre.code_verification))
    assert reponse.status_code == 200 and "Lettre valide" in texte(reponse)

    reponse = envoyer(anonyme, octets)
    contenu = texte(reponse)
    assert "Lettre valide" in contenu
    assert "Le sceau électronique n'a pas pu être contrôlé" in contenu
    assert "Seule l'empreinte du fichier (SHA-256) a été comparée" in contenu

    reponse = envoyer(anonyme, un_octet_change(octets))
    contenu = texte(reponse)
    assert "Fichier non reconnu" in contenu and "il a pu être modifié" in contenu
    assert "Le sceau électronique n'a pas pu être contrôlé" in contenu
