"""Import de l'Annuaire de l'éducation : périmètre, tolérance, idempotence, fermetures, atomicité."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rupn.pilotage.demo import FICHIER_ANNUAIRE
from rupn.territoires import annuaire
from rupn.territoires.annuaire import AnnuaireInvalide, importer_annuaire
from rupn.territoires.models import Bassin, Etablissement, ImportAnnuaire
from tests.factories import academie

FICHIER_REEL = Path(__file__).resolve().parents[3] / "shared/data/fr-en-annuaire-education_occitanie_2024-11-26.csv"
CONTENU_TOULOUSE = FICHIER_ANNUAIRE.read_bytes()

pytestmark = pytest.mark.django_db


def lignes(contenu=CONTENU_TOULOUSE):
    """(en-tête, lignes) du fichier de démonstration, BOM retiré."""
    texte = contenu.decode("utf-8-sig")
    entete, *reste = texte.rstrip("\n").split("\n")
    return entete, reste


def fichier(entete, lignes_du_fichier, bom=True):
    texte = "\n".join([entete, *lignes_du_fichier]) + "\n"
    return (("\ufeff" if bom else "") + texte).encode()


def _importer(entete, reste, **options):
    return importer_annuaire(fichier(entete, reste), academie("16"), simulation=False, **options)


def indices_du_perimetre(entete, reste):
    """Les rangs (dans `reste`) des lignes retenues pour Toulouse."""
    colonnes = [annuaire.normaliser(nom) for nom in entete.split(";")]
    return [
        index
        for index, ligne in enumerate(reste)
        if annuaire.motif_hors_perimetre(dict(zip(colonnes, ligne.split(";"), strict=True)), academie("16")) is None
    ]


def remplacer_colonne(ligne, entete, colonne, valeur):
    cellules = ligne.split(";")
    cellules[entete.split(";").index(colonne)] = valeur
    return ";".join(cellules)


def test_le_fichier_de_toulouse_importe_tous_les_etablissements_du_perimetre():
    bilan = importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    # 581 lignes du périmètre : 579 établissements et 2 sites secondaires d'un même UAI.
    assert len(bilan.crees) == 579
    assert len(bilan.sites_secondaires) == 2
    assert bilan.rejetes == []
    assert Etablissement.objects.filter(academie__code="16", ouvert=True).count() == 579
    hors = dict(bilan.hors_perimetre)
    assert hors["privé hors contrat"] == 65
    assert hors["autre ministère de tutelle (agriculture)"] == 33
    assert Etablissement.objects.get(uai="0311131L").secteur == "prive"  # privé sous contrat d'association
    assert Bassin.objects.filter(academie__code="16").count() == 23


def test_chaque_etablissement_garde_son_bassin_et_les_sections_leur_lycee():
    importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    entete, reste = lignes()
    colonnes = entete.split(";")
    bassins_attendus = {}
    for ligne in reste:
        cellules = ligne.split(";")
        bassins_attendus[cellules[0]] = cellules[colonnes.index("code_bassin_formation")]
    for uai, bassin in Etablissement.objects.values_list("uai", "bassin__code"):
        assert (bassin or "") == bassins_attendus[uai]
    section = Etablissement.objects.exclude(etablissement_mere=None).select_related("etablissement_mere").first()
    assert section is not None
    assert section.etablissement_mere.academie_id == section.academie_id
    assert Etablissement.objects.exclude(etablissement_mere=None).count() >= 40


def test_reimporter_le_meme_fichier_ne_change_rien():
    importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    avant = list(Etablissement.objects.order_by("uai").values())
    bilan = importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    assert (len(bilan.crees), len(bilan.mis_a_jour), bilan.inchanges, len(bilan.fermes)) == (0, 0, 579, 0)
    assert list(Etablissement.objects.order_by("uai").values()) == avant


def test_le_nombre_de_requetes_ne_depend_pas_du_nombre_de_lignes():
    entete, reste = lignes()

    def requetes_hors_insertions(lignes_du_fichier):
        with CaptureQueriesContext(connection) as capture:
            importer_annuaire(fichier(entete, lignes_du_fichier), academie("16"), simulation=True)
        # Les INSERT par lots sont découpés selon la limite de paramètres de la base (999 sous SQLite).
        return [requete["sql"] for requete in capture if not requete["sql"].startswith("INSERT")]

    petit, grand = requetes_hors_insertions(reste[:150]), requetes_hors_insertions(reste)
    assert len(grand) <= 20
    # Seule différence permise : la mise à jour groupée des sections, absente d'un petit extrait sans section.
    assert len(grand) - len(petit) in (0, 1)


def test_la_simulation_n_ecrit_rien_mais_rend_le_bilan():
    bilan = importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=True)
    assert len(bilan.crees) == 579
    assert Etablissement.objects.count() == 0
    assert Bassin.objects.count() == 0


def test_entetes_en_minuscules_sans_bom_et_anciens_noms_de_colonnes():
    entete, reste = lignes()
    ancien = entete.lower().replace("code_postal", "Code postal").replace("identifiant_de_l_etablissement", "uai")
    bilan = importer_annuaire(fichier(ancien, reste, bom=False), academie("16"), simulation=False)
    assert len(bilan.crees) == 579


def test_un_export_ancien_sans_colonnes_recentes():
    """Export de 2023 : `etablissement_multi_lignes` au lieu de `multi_uai`, ni tutelle, ni état, ni contrat."""
    entete, reste = lignes()
    retirees = {"ministere_tutelle", "etat", "Code_type_contrat_prive", "date_maj_ligne", "code_bassin_formation"}
    colonnes = entete.split(";")
    gardees = [index for index, nom in enumerate(colonnes) if nom not in retirees]
    ancien = ";".join(colonnes[i] for i in gardees).replace("multi_uai", "etablissement_multi_lignes")
    lignes_anciennes = [";".join(ligne.split(";")[i] for i in gardees) for ligne in reste]
    bilan = importer_annuaire(fichier(ancien, lignes_anciennes), academie("16"), simulation=False)
    # Sans la colonne de tutelle, l'indicateur « lycée agricole » écarte les lycées agricoles.
    assert dict(bilan.hors_perimetre)["lycée agricole (ministère de l'agriculture)"] > 0
    assert len(bilan.sites_secondaires) == 2
    assert bilan.rejetes == []
    assert Etablissement.objects.filter(bassin__isnull=False).count() == 0
    assert len(bilan.crees) == 579


def test_un_fichier_sans_les_colonnes_attendues_est_refuse_en_francais():
    with pytest.raises(AnnuaireInvalide, match="colonnes manquantes identifiant_de_l_etablissement"):
        importer_annuaire(b"nom;commune\nA;B\n", academie("16"), simulation=False)
    with pytest.raises(AnnuaireInvalide, match="vide"):
        importer_annuaire(b"", academie("16"), simulation=False)


def test_un_fichier_d_une_autre_academie_est_refuse_sans_rien_fermer():
    importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    with pytest.raises(AnnuaireInvalide, match="aucun collège ni lycée de l'académie de Montpellier"):
        importer_annuaire(CONTENU_TOULOUSE, academie("11"), simulation=False)
    assert Etablissement.objects.filter(ouvert=True).count() == 579


def test_lignes_rejetees_avec_numero_et_motif_les_autres_importees():
    entete, reste = lignes()
    premiere, deuxieme, troisieme = indices_du_perimetre(entete, reste)[:3]
    uai = reste[premiere].split(";")[0]
    mauvaise_lettre = next(lettre for lettre in "ABC" if lettre != uai[7])
    reste[premiere] = remplacer_colonne(
        reste[premiere], entete, "Identifiant_de_l_etablissement", uai[:7] + mauvaise_lettre
    )
    reste[deuxieme] = remplacer_colonne(reste[deuxieme], entete, "Nom_etablissement", "")
    reste[troisieme] = ";".join(reste[troisieme].split(";")[:10])
    bilan = _importer(entete, reste)
    rejets = {rejet["ligne"]: rejet["raisons"] for rejet in bilan.rejetes}
    # Numéros de ligne du fichier : l'en-tête est la ligne 1.
    assert rejets == {
        premiere + 2: [f"L'UAI « {uai[:7]}{mauvaise_lettre} » a une lettre de contrôle erronée : {uai[7]} attendue."],
        deuxieme + 2: ["nom de l'établissement manquant"],
        troisieme + 2: ["ligne mal formée : 10 colonnes au lieu de 72"],
    }
    assert len(bilan.crees) == 576
    assert Etablissement.objects.count() == 576


def test_un_etablissement_absent_d_un_fichier_plus_recent_est_ferme_jamais_supprime():
    importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    entete, reste = lignes()
    retiree, uai_retire = None, None
    for index, ligne in enumerate(reste):
        if ";Public;" in ligne and ";Collège;" in ligne:
            retiree, uai_retire = index, ligne.split(";")[0]
            break
    bilan = _importer(entete, reste[:retiree] + reste[retiree + 1 :])
    assert [ferme["uai"] for ferme in bilan.fermes] == [uai_retire]
    ferme = Etablissement.objects.get(uai=uai_retire)
    assert not ferme.ouvert and ferme.date_fermeture is not None
    bilan = importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    assert [ligne["uai"] for ligne in bilan.mis_a_jour] == [uai_retire]
    assert Etablissement.objects.get(uai=uai_retire).ouvert


def test_une_modification_dans_l_annuaire_est_reportee():
    importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    entete, reste = lignes()
    rang = indices_du_perimetre(entete, reste)[0]
    uai = reste[rang].split(";")[0]
    reste[rang] = remplacer_colonne(reste[rang], entete, "Nom_etablissement", "Nouveau nom")
    bilan = _importer(entete, reste)
    assert [ligne["uai"] for ligne in bilan.mis_a_jour] == [uai]
    assert bilan.inchanges == 578
    assert Etablissement.objects.get(uai=uai).nom == "Nouveau nom"


def test_tout_ou_rien_une_erreur_pendant_l_ecriture_n_enregistre_rien(monkeypatch):
    def panne(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(annuaire, "_fermer_absents", panne)
    with pytest.raises(RuntimeError):
        importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    assert Etablissement.objects.count() == 0
    assert Bassin.objects.count() == 0


@pytest.mark.skipif(not FICHIER_REEL.exists(), reason="le fichier de référence ../shared/data est absent de ce poste")
def test_le_fichier_reel_d_occitanie_importe_toulouse_et_montpellier():
    contenu = FICHIER_REEL.read_bytes()
    toulouse = importer_annuaire(contenu, academie("16"), simulation=False)
    montpellier = importer_annuaire(contenu, academie("11"), simulation=False)
    assert toulouse.lignes_lues == montpellier.lignes_lues == 6240
    # 581 et 441 lignes du périmètre, dont 2 et 1 sites secondaires d'un même UAI.
    assert len(toulouse.crees) + len(toulouse.sites_secondaires) == 581
    assert len(montpellier.crees) + len(montpellier.sites_secondaires) == 441
    assert Bassin.objects.count() == 41
    sans_bassin = Etablissement.objects.filter(bassin=None).count()
    assert Etablissement.objects.count() - sans_bassin == 886 - 3  # 886 lignes avec bassin, moins 3 sites secondaires


def test_commande_importer_annuaire_affiche_une_ligne_de_bilan(tmp_path):
    chemin = tmp_path / "annuaire.csv"
    chemin.write_bytes(CONTENU_TOULOUSE)
    sortie, erreurs = StringIO(), StringIO()
    call_command("importer_annuaire", str(chemin), academie="16", dry_run=True, stdout=sortie, stderr=erreurs)
    assert sortie.getvalue().strip().splitlines() == [
        "Simulation (rien n'est enregistré) — créés : 579, mis à jour : 0, inchangés : 0, fermés : 0, "
        "rejetés : 0, hors périmètre : 99"
    ]
    assert Etablissement.objects.count() == 0
    assert not ImportAnnuaire.objects.exists(), "une simulation ne laisse pas de trace dans l'historique"
    call_command("importer_annuaire", str(chemin), academie="16", stdout=sortie, stderr=erreurs)
    assert Etablissement.objects.count() == 579
    depot = ImportAnnuaire.objects.get()
    assert (depot.statut, depot.auteur, depot.nom_fichier) == ("importe", None, "annuaire.csv")
    assert len(depot.bilan["crees"]) == 579
    assert "lecture" in erreurs.getvalue() or "écriture" in erreurs.getvalue()


def test_commande_importer_annuaire_refuse_une_academie_inconnue(tmp_path):
    chemin = tmp_path / "annuaire.csv"
    chemin.write_bytes(CONTENU_TOULOUSE)
    with pytest.raises(CommandError, match="Académie inconnue"):
        call_command("importer_annuaire", str(chemin), academie="99")
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("importer_annuaire", str(tmp_path / "absent.csv"), academie="16")


def test_une_ligne_rejetee_ne_ferme_pas_l_etablissement_deja_connu():
    importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    entete, reste = lignes()
    rang = indices_du_perimetre(entete, reste)[0]
    uai = reste[rang].split(";")[0]
    reste[rang] = remplacer_colonne(reste[rang], entete, "Nom_etablissement", "")
    bilan = _importer(entete, reste)
    assert [rejet["uai"] for rejet in bilan.rejetes] == [uai]
    assert bilan.fermes == []
    assert Etablissement.objects.get(uai=uai).ouvert


@pytest.mark.parametrize(
    ("colonne", "valeur", "raison"),
    [
        ("Code_departement", "", "département non renseigné"),
        ("Code_departement", "034", "département 034 absent de l'académie de Toulouse"),
        ("code_bassin_formation", "12345678901", "code de bassin « 12345678901 » trop long"),
        ("code_bassin_formation", "11011", "bassin 11011 rattaché à une autre académie"),
    ],
)
def test_departement_et_bassin_incoherents_sont_rejetes_avec_leur_motif(colonne, valeur, raison):
    from rupn.territoires.models import Bassin

    Bassin.objects.create(code="11011", libelle="CARCASSONNE", academie=academie("11"))
    entete, reste = lignes()
    rang = indices_du_perimetre(entete, reste)[0]
    reste[rang] = remplacer_colonne(reste[rang], entete, colonne, valeur)
    bilan = _importer(entete, reste)
    assert [(rejet["ligne"], rejet["raisons"]) for rejet in bilan.rejetes] == [(rang + 2, [raison])]
    assert len(bilan.crees) == 578


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"PK\x03\x04\x00\x00binaire", "fichier binaire"),
        (b"identifiant_de_l_etablissement;x\n" + b"\x81\x8d\x8f\x90", "Encodage illisible"),
    ],
)
def test_un_fichier_illisible_est_refuse_en_francais(contenu, message):
    with pytest.raises(AnnuaireInvalide, match=message):
        importer_annuaire(contenu, academie("16"), simulation=True)


def test_fermer_plus_de_dix_pour_cent_demande_confirmation():
    importer_annuaire(CONTENU_TOULOUSE, academie("16"), simulation=False)
    entete, reste = lignes()
    moitie = reste[: len(reste) // 2]
    with pytest.raises(AnnuaireInvalide, match="cet import fermerait .* établissements sur 579"):
        _importer(entete, moitie)
    assert Etablissement.objects.filter(ouvert=True).count() == 579, "rien n'a été fermé"
    simulation = importer_annuaire(fichier(entete, moitie), academie("16"), simulation=True)
    assert len(simulation.fermes) > 58
    bilan = _importer(entete, moitie, fermetures_confirmees=True)
    assert Etablissement.objects.filter(ouvert=False).count() == len(bilan.fermes) == len(simulation.fermes)


def test_etats_de_l_annuaire_et_reimport_d_un_etablissement_ferme():
    entete, reste = lignes()
    premier, second = indices_du_perimetre(entete, reste)[:2]
    uai_a_fermer, uai_ferme = reste[premier].split(";")[0], reste[second].split(";")[0]
    reste[premier] = remplacer_colonne(reste[premier], entete, "etat", "A FERMER")
    reste[second] = remplacer_colonne(reste[second], entete, "etat", "FERME")
    _importer(entete, reste)
    assert Etablissement.objects.get(uai=uai_a_fermer).ouvert
    ferme = Etablissement.objects.get(uai=uai_ferme)
    assert not ferme.ouvert and str(ferme.date_fermeture) == "2024-11-26"
    bilan = _importer(entete, reste)
    assert (len(bilan.mis_a_jour), len(bilan.fermes), bilan.inchanges) == (0, 0, 579)
