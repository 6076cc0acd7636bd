"""Archive ZIP des PDF signés et scellés (page académique) : contenu, index, filtres, périmètre, droits, flux."""

import html
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from lettres import zip as lettres_zip
from lettres.document import empreinte_fichier
from lettres.models import LettreMission
from lettres.zip import COLONNES_INDEX, flux_zip_lettres, nom_dans_archive
from rupn.territoires.models import Departement
from tests.conftest import client_de, lire_csv
from tests.factories import DesignationFactory, EtablissementFactory, LettreMissionFactory, UtilisateurFactory, annee
from tests.lettres.conftest import sceller_pour_test

pytestmark = pytest.mark.django_db

ANNEE = "2025-2026"
ZIP = reverse("lettres:lettre_zip")
ACADEMIE = reverse("lettres:academie_lettres")
Statut = LettreMission.Statut


def avec_pdf(etablissement, *, statut=Statut.SCELLEE, annee_scolaire=None, octets=None, **champs):
    """Une lettre qui a un PDF rangé comme au scellement (octets quelconques : l'archive ne lit pas le sceau)."""
    lettre = LettreMissionFactory(etablissement=etablissement, annee=annee_scolaire or annee(ANNEE), **champs)
    octets = octets if octets is not None else f"%PDF-1.7 lettre {lettre.code_verification}".encode()
    lettre.pdf.save(f"{lettre.annee.code}/{etablissement.uai}-{lettre.code_verification}.pdf", ContentFile(octets))
    lettre.empreinte_pdf = empreinte_fichier(octets)
    lettre.scellee_le = timezone.now()
    lettre.statut = statut
    lettre.save()
    return lettre


def telecharger(utilisateur, **filtres):
    reponse = client_de(utilisateur).get(ZIP, {"annee": ANNEE, **filtres})
    assert reponse.status_code == 200, reponse.status_code
    assert reponse.streaming
    contenu = b"".join(reponse.streaming_content)  # referme la réponse (sans fermer la connexion à la base)
    return reponse, zipfile.ZipFile(io.BytesIO(contenu))


def pdf_de(archive):
    return {nom for nom in archive.namelist() if nom != "index.csv"}


def index_de(archive):
    return lire_csv(archive.read("index.csv").decode("utf-8"))


def messages_de(reponse):
    return [str(message) for message in reponse.wsgi_request._messages]


# Contenu, avec de vraies lettres signées et scellées


@pytest.fixture
def scellees(college_a, college_tarn, college_herault, rupn_a):
    """Trois lettres vraiment scellées (Haute-Garonne, Tarn, Hérault) et, au collège A, une lettre annulée et
    une en brouillon."""
    rupn_a.first_name, rupn_a.last_name = "Camille", "Roux"
    rupn_a.save()
    college_a.nom = "Collège Jean-Jaurès"
    college_a.save()
    a = sceller_pour_test(
        etablissement=college_a, designations=[DesignationFactory(etablissement=college_a, agent=rupn_a, validee=True)]
    )
    return {
        "a": a,
        "tarn": sceller_pour_test(etablissement=college_tarn),
        "herault": sceller_pour_test(etablissement=college_herault),
        "a_annulee": avec_pdf(college_a, statut=Statut.ANNULEE),
        "a_brouillon": LettreMissionFactory(etablissement=college_a),
    }


def test_la_dane_telecharge_les_pdf_scelles_de_son_academie(dane_toulouse, scellees):
    reponse, archive = telecharger(dane_toulouse)

    assert reponse["Content-Type"] == "application/zip"
    assert reponse["Content-Disposition"] == f'attachment; filename="lettres-signees-toulouse-{ANNEE}.zip"'
    assert archive.testzip() is None
    a, tarn = scellees["a"], scellees["tarn"]
    # Rangées par année, département et UAI ; ni l'Hérault (autre académie), ni l'annulée, ni le brouillon.
    assert nom_dans_archive(a) == f"{ANNEE}/031/{a.etablissement.uai}-college-jean-jaures-{a.code_verification}.pdf"
    assert archive.namelist() == [nom_dans_archive(a), nom_dans_archive(tarn), "index.csv"]
    for lettre in (a, tarn):
        entree = archive.getinfo(nom_dans_archive(lettre))
        assert entree.compress_type == zipfile.ZIP_STORED, "les PDF ne sont pas recompressés"
        with lettre.pdf.open("rb") as fichier:
            assert archive.read(entree) == fichier.read(), "les octets mêmes du PDF scellé"
        assert empreinte_fichier(archive.read(entree)) == lettre.empreinte_pdf


def test_l_index_decrit_chaque_lettre_a_la_francaise(dane_toulouse, scellees):
    _, archive = telecharger(dane_toulouse, departement=Departement.objects.get(code="031").pk)
    brut = archive.read("index.csv").decode("utf-8")
    assert brut.startswith("\ufeff") and brut.splitlines()[0].lstrip("\ufeff") == ";".join(COLONNES_INDEX)
    (ligne,) = index_de(archive)
    lettre = scellees["a"]
    assert ligne == {
        "Fichier": nom_dans_archive(lettre),
        "UAI": lettre.etablissement.uai,
        "Établissement": "Collège Jean-Jaurès",
        "Département": "031",
        "Année scolaire": ANNEE,
        "RUPN": "Camille Roux",
        "État": "Signée et scellée",
        "Signée le": f"{timezone.localtime(lettre.scellee_le):%Y-%m-%d %H:%M:%S}",
        "Code de vérification": lettre.code_verification,
        "Empreinte SHA-256": lettre.empreinte_pdf,
        "Contrôle du fichier": "présent, empreinte conforme",
    }
    assert "@" not in brut, "aucune adresse électronique"


# Filtres et périmètre (PDF quelconques : plus rapide, l'archive ne relit pas le sceau)


@pytest.fixture
def jeu(college_a, college_b, college_tarn, college_herault):
    lycee = EtablissementFactory(lycee=True, nom="Lycée Déodat-de-Séverac")
    remplacee = avec_pdf(lycee, statut=Statut.REMPLACEE)
    return {
        "a": avec_pdf(college_a),
        "b": avec_pdf(college_b),
        "tarn": avec_pdf(college_tarn),
        "herault": avec_pdf(college_herault),
        "lycee_remplacee": remplacee,
        "lycee_avenant": avec_pdf(lycee, remplace=remplacee),
        "a_annulee": avec_pdf(college_a, statut=Statut.ANNULEE),
        "a_passee": avec_pdf(college_a, annee_scolaire=annee("2024-2025")),
        "b_signature": LettreMissionFactory(etablissement=college_b, a_signer=True),
    }


def codes(jeu, *noms):
    return {jeu[nom].code_verification for nom in noms}


def codes_archives(archive):
    return {ligne["Code de vérification"] for ligne in index_de(archive)}


def test_la_liste_propose_l_archive_avec_ses_filtres_et_son_nombre(dane_toulouse, jeu):
    departement = Departement.objects.get(code="031").pk
    reponse = client_de(dane_toulouse).get(ACADEMIE, {"annee": ANNEE, "departement": departement})
    assert reponse.context["nombre_zip"] == 3  # a, b et l'avenant du lycée
    contenu = html.unescape(reponse.content.decode())
    assert f'href="{ZIP}?annee={ANNEE}&departement={departement}' in contenu
    assert "Télécharger les PDF signés (ZIP, 3 lettres)" in contenu
    # Le filtre d'état « Annulée » : l'archive donne alors les lettres annulées.
    reponse = client_de(dane_toulouse).get(ACADEMIE, {"annee": ANNEE, "statut": Statut.ANNULEE})
    assert reponse.context["nombre_zip"] == 1
    # Sur un état sans PDF, pas de lien.
    reponse = client_de(dane_toulouse).get(ACADEMIE, {"annee": ANNEE, "statut": Statut.BROUILLON})
    assert reponse.context["nombre_zip"] == 0
    contenu = html.unescape(reponse.content.decode())
    assert ZIP not in contenu and "Télécharger les PDF signés (ZIP) : aucune lettre scellée" in contenu


@pytest.mark.parametrize(
    ("persona", "attendues"),
    [
        ("dane_toulouse", ("a", "b", "tarn", "lycee_avenant")),
        ("correspondant_31", ("a", "b", "lycee_avenant")),
        ("dane_montpellier", ("herault",)),
        ("national", ("a", "b", "tarn", "herault", "lycee_avenant")),
    ],
)
def test_chacun_ne_recoit_que_son_perimetre(request, persona, attendues, jeu):
    _, archive = telecharger(request.getfixturevalue(persona))
    assert codes_archives(archive) == codes(jeu, *attendues)
    assert {nom.rsplit("-", 1)[1].removesuffix(".pdf") for nom in pdf_de(archive)} == codes(jeu, *attendues)


@pytest.mark.parametrize(
    ("filtres", "attendues"),
    [
        ({"departement": "081"}, ("tarn",)),
        ({"type": "lycee"}, ("lycee_avenant",)),
        ({"statut": Statut.SCELLEE}, ("a", "b", "tarn", "lycee_avenant")),
        # Demandées explicitement, les lettres annulées ou remplacées, qui ont toujours leur PDF.
        ({"statut": Statut.ANNULEE}, ("a_annulee",)),
        ({"statut": Statut.REMPLACEE}, ("lycee_remplacee",)),
        ({"annee": "2024-2025"}, ("a_passee",)),
    ],
)
def test_l_archive_suit_les_filtres_de_la_liste(dane_toulouse, jeu, filtres, attendues):
    if "departement" in filtres:
        filtres["departement"] = Departement.objects.get(code=filtres["departement"]).pk
    _, archive = telecharger(dane_toulouse, **filtres)
    assert codes_archives(archive) == codes(jeu, *attendues)
    # Les mêmes lettres que la liste de la page académique, avec les mêmes filtres.
    liste = client_de(dane_toulouse).get(ACADEMIE, {"annee": ANNEE, "statut": Statut.SCELLEE, **filtres})
    if "statut" not in filtres:
        assert {lettre.code_verification for lettre in liste.context["page"]} == codes(jeu, *attendues)


def test_le_nom_du_fichier_dit_le_departement_filtre(dane_toulouse, national, jeu):
    departement = Departement.objects.get(code="081").pk
    reponse, _ = telecharger(dane_toulouse, departement=departement)
    assert reponse["Content-Disposition"] == f'attachment; filename="lettres-signees-toulouse-081-{ANNEE}.zip"'
    reponse, _ = telecharger(national)
    assert reponse["Content-Disposition"] == f'attachment; filename="lettres-signees-national-{ANNEE}.zip"'


@pytest.mark.parametrize("filtres", [{"statut": Statut.SIGNATURE}, {"annee": "2023-2024"}, {"type": "inconnu"}])
def test_aucun_pdf_renvoie_a_la_liste_avec_un_message(dane_toulouse, jeu, filtres):
    reponse = client_de(dane_toulouse).get(ZIP, {"annee": ANNEE, **filtres})
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(f"{ACADEMIE}?")
    for cle, valeur in filtres.items():
        assert f"{cle}={valeur}" in reponse["Location"], "les filtres sont gardés"
    (message,) = messages_de(reponse)
    assert message.startswith("Aucune lettre signée et scellée ne correspond à ces critères")


def test_la_dane_de_montpellier_sans_lettre_n_a_pas_d_archive_de_toulouse(dane_montpellier, college_a):
    avec_pdf(college_a)
    assert client_de(dane_montpellier).get(ZIP, {"annee": ANNEE}).status_code == 302


@pytest.mark.parametrize("persona", ["chef_a", "adjoint_a", "rupn_a"])
def test_l_etablissement_n_a_pas_l_archive(request, persona, college_a):
    avec_pdf(college_a)
    reponse = client_de(request.getfixturevalue(persona)).get(ZIP, {"annee": ANNEE})
    assert reponse.status_code == 403


def test_les_anonymes_vont_a_la_connexion(anonyme):
    reponse = anonyme.get(ZIP)
    assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("account_login"))


# Fichiers manquants ou modifiés, noms


def test_un_pdf_manquant_est_signale_sans_casser_l_archive(dane_toulouse, college_a, college_b, caplog):
    presente, manquante = avec_pdf(college_a), avec_pdf(college_b)
    manquante.pdf.storage.delete(manquante.pdf.name)

    _, archive = telecharger(dane_toulouse)

    assert archive.testzip() is None
    assert pdf_de(archive) == {nom_dans_archive(presente)}
    lignes = {ligne["Code de vérification"]: ligne for ligne in index_de(archive)}
    assert lignes[manquante.code_verification]["Contrôle du fichier"] == "fichier manquant"
    assert lignes[manquante.code_verification]["Fichier"] == ""
    assert lignes[manquante.code_verification]["Empreinte SHA-256"] == manquante.empreinte_pdf
    assert lignes[presente.code_verification]["Contrôle du fichier"] == "présent, empreinte conforme"
    assert manquante.pdf.name in caplog.text


def test_un_pdf_modifie_sur_le_disque_est_signale(dane_toulouse, college_a):
    lettre = avec_pdf(college_a)
    with lettre.pdf.storage.open(lettre.pdf.name, "wb") as fichier:
        fichier.write(b"%PDF-1.7 autre chose")
    _, archive = telecharger(dane_toulouse)
    (ligne,) = index_de(archive)
    assert ligne["Contrôle du fichier"] == "présent, empreinte différente de celle du scellement"
    assert archive.read(ligne["Fichier"]) == b"%PDF-1.7 autre chose"


def test_noms_lisibles_et_uniques(dane_toulouse, college_a):
    college_a.nom = "Collège Saint-Exupéry / Annexe (ULIS)"
    college_a.save()
    premiere, avenant = avec_pdf(college_a), avec_pdf(college_a)
    _, archive = telecharger(dane_toulouse)
    assert pdf_de(archive) == {
        f"{ANNEE}/031/{college_a.uai}-college-saint-exupery-annexe-ulis-{lettre.code_verification}.pdf"
        for lettre in (premiere, avenant)
    }


def test_l_index_ne_contient_aucune_formule(dane_toulouse, college_a):
    college_a.nom = '=HYPERLINK("https://ailleurs.example")'
    college_a.save()
    agent = UtilisateurFactory(first_name="+Jean", last_name="-Dupont")
    avec_pdf(college_a, designations=[DesignationFactory(etablissement=college_a, agent=agent, validee=True)])
    _, archive = telecharger(dane_toulouse)
    (ligne,) = index_de(archive)
    assert ligne["Établissement"] == '\'=HYPERLINK("https://ailleurs.example")'
    assert ligne["RUPN"] == "'+Jean -Dupont"
    (nom,) = pdf_de(archive)
    assert nom.startswith(f"{ANNEE}/031/{college_a.uai}-hyperlinkhttpsailleursexample-")


# Flux : rien n'est lu avant l'itération, les fichiers par morceaux, un nombre de requêtes borné


def test_le_flux_est_paresseux_et_lit_les_fichiers_par_morceaux(college_a, monkeypatch, django_assert_num_queries):
    octets = bytes(range(256)) * 40  # 10 Kio
    avec_pdf(college_a, octets=octets)
    monkeypatch.setattr(lettres_zip, "TAILLE_MORCEAU", 1024)
    with django_assert_num_queries(0):
        flux = flux_zip_lettres(LettreMission.objects.all())
    morceaux = list(flux)
    assert len(morceaux) > len(octets) // 1024, "chaque morceau lu part aussitôt dans le flux"
    assert max(len(morceau) for morceau in morceaux) <= 1024 + 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(morceaux)))
    assert archive.read(archive.namelist()[0]) == octets


def _requetes_du_flux(django_assert_max_num_queries, maximum, **options):
    with django_assert_max_num_queries(maximum) as requetes:
        for _ in flux_zip_lettres(LettreMission.objects.exclude(pdf=""), **options):
            pass
    return len(requetes)


def test_nombre_de_requetes_borne(college_a, college_tarn, django_assert_max_num_queries):
    for etablissement in (college_a, college_tarn):
        avec_pdf(etablissement)
    peu = _requetes_du_flux(django_assert_max_num_queries, 2)  # les lettres, leurs désignations
    for etablissement in (college_a, college_tarn) * 3:
        avec_pdf(
            etablissement,
            designations=[DesignationFactory(etablissement=etablissement, validee=True) for _ in range(2)],
        )
    assert _requetes_du_flux(django_assert_max_num_queries, 2) == peu, "pas de requête par lettre"
    # Les lettres en une requête lue par lots, et les désignations de chaque lot (8 lettres, 4 lots).
    assert _requetes_du_flux(django_assert_max_num_queries, 5, taille_lot=2) == 5


def test_nombre_de_requetes_de_la_vue(dane_toulouse, college_a, django_assert_max_num_queries):
    for _ in range(5):
        avec_pdf(college_a)
    client = client_de(dane_toulouse)
    # Session, rôle, filtres, l'existence d'une lettre, puis les lettres et leurs désignations : 9, fixe.
    with django_assert_max_num_queries(9):
        reponse = client.get(ZIP, {"annee": ANNEE})
        b"".join(reponse.streaming_content)
