"""Le modèle de lettre de mission de l'académie : modèle par défaut, versions immuables, saisie,
historique et aperçu, accès, requêtes."""

import copy

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lettres.modele_par_defaut import CODES_AXES, contenu_par_defaut, valider_contenu
from lettres.models import ModeleLettre, ModeleLettreQuerySet
from lettres.services import modele_enregistrer
from tests.conftest import client_de
from tests.factories import academie

pytestmark = pytest.mark.django_db

MODELE = reverse("lettres:modele")


def toulouse():
    return academie("16")


def modifie(contenu, **changements):
    """Une copie du contenu, avec des textes remplacés ou un axe modifié (`axe_2={"titre": …}`)."""
    contenu = copy.deepcopy(contenu)
    for cle, valeur in changements.items():
        if cle.startswith("axe_"):
            contenu["axes"][int(cle[4:]) - 1].update(valeur)
        else:
            contenu[cle] = valeur
    return contenu


def donnees_formulaire(contenu, depuis, commentaire="", **champs):
    """Ce qu'envoie le navigateur pour ce contenu : fins de ligne « \\r\\n », une ligne par mission."""
    donnees = {cle: contenu[cle].replace("\n", "\r\n") for cle in ("preambule", "moyens", "formation", "suivi")}
    for axe in contenu["axes"]:
        code = axe["code"]
        donnees[f"axe_{code}_titre"] = axe["titre"]
        donnees[f"axe_{code}_missions"] = "\r\n".join(axe["missions"])
        donnees[f"axe_{code}_indicateurs"] = "\r\n".join(axe["indicateurs"])
    return {**donnees, "commentaire": commentaire, "depuis": str(depuis), **champs}


def envoyer(utilisateur, **champs):
    """Le formulaire du modèle courant renvoyé par `utilisateur`, avec des champs changés."""
    courant = ModeleLettre.objects.courant(utilisateur.roles.get().academie)
    return client_de(utilisateur).post(MODELE, donnees_formulaire(courant.contenu, courant.version, **champs))


def messages_de(reponse):
    return [str(message) for message in reponse.context["messages"]]


# Le modèle par défaut


def test_le_modele_par_defaut_est_cree_a_la_premiere_lecture_et_une_seule_fois():
    assert not ModeleLettre.objects.filter(academie=toulouse()).exists()
    modele = ModeleLettre.objects.courant(toulouse())
    assert (modele.version, modele.cree_par, modele.commentaire) == (1, None, ModeleLettre.COMMENTAIRE_PAR_DEFAUT)
    assert ModeleLettre.objects.courant(toulouse()) == modele
    assert ModeleLettre.objects.filter(academie=toulouse()).count() == 1


def test_le_modele_par_defaut_est_valide_et_complet():
    contenu = ModeleLettre.objects.courant(toulouse()).contenu
    valider_contenu(contenu)
    assert [axe["code"] for axe in contenu["axes"]] == list(CODES_AXES)
    for axe in contenu["axes"]:
        assert axe["titre"].strip()
        assert 4 <= len(axe["missions"]) <= 6 and all(mission.strip() for mission in axe["missions"])
        assert 2 <= len(axe["indicateurs"]) <= 4 and all(indicateur.strip() for indicateur in axe["indicateurs"])
    for bloc in ("moyens", "formation", "suivi"):
        assert contenu[bloc].strip()
    preambule = contenu["preambule"]
    for fait in ("n° 2015-475", "n° 2015-058", "avec l'accord de l'enseignant", "maintenance", "administrateur"):
        assert fait in preambule
    assert "commission numérique" in contenu["axes"][0]["missions"][0]
    assert "trois ans" in contenu["formation"]


def test_le_modele_par_defaut_nomme_le_service_de_l_academie():
    montpellier = academie("11")
    montpellier.libelle_service = "DRANE"
    montpellier.save()
    contenu = ModeleLettre.objects.courant(montpellier).contenu
    assert "plan de formation de la DRANE" in contenu["formation"]
    assert "DANE" not in contenu["formation"].replace("DRANE", "")


# La forme du contenu


@pytest.mark.parametrize(
    ("changement", "cle", "message"),
    [
        (lambda c: c.pop("suivi"), "__all__", "mal formé"),
        (lambda c: c["axes"].pop(), "__all__", "exactement quatre axes"),
        (lambda c: c["axes"].reverse(), "__all__", "exactement quatre axes"),
        (lambda c: c["axes"][1].pop("indicateurs"), "__all__", "L'axe 2 est mal formé"),
        (lambda c: c["axes"][1].update(missions="une chaîne"), "__all__", "L'axe 2 est mal formé"),
        (lambda c: c.update(moyens=None), "moyens", "doit être un texte"),
        (lambda c: c.update(preambule=" "), "preambule", "Rédigez le préambule"),
        (lambda c: c.update(formation="x" * 4001), "formation", "Le bloc « Formation » compte 4\u202f001 caractères"),
        (lambda c: c["axes"][2].update(titre=""), "axe_3_titre", "Donnez un titre à l'axe 3."),
        (lambda c: c["axes"][0].update(missions=[]), "axe_1_missions", "Proposez au moins une mission"),
        (lambda c: c["axes"][0].update(missions=["a", " "]), "axe_1_missions", "Axe 1, mission 2 : la ligne est vide."),
        (lambda c: c["axes"][3].update(indicateurs=["x"] * 9), "axe_4_indicateurs", "9 indicateurs, 8 au plus"),
    ],
)
def test_un_contenu_mal_forme_est_refuse_en_francais(changement, cle, message):
    contenu = contenu_par_defaut()
    changement(contenu)
    with pytest.raises(ValidationError) as erreur:
        valider_contenu(contenu)
    assert any(message in texte for texte in erreur.value.message_dict[cle])


# Enregistrer une version


def test_enregistrer_cree_la_version_suivante_sans_toucher_aux_precedentes(dane_toulouse):
    v1 = ModeleLettre.objects.courant(toulouse())
    origine = copy.deepcopy(v1.contenu)
    contenu_v2 = modifie(v1.contenu, axe_2={"titre": "Accompagner les équipes pédagogiques"})
    v2, creee = modele_enregistrer(academie=toulouse(), contenu=contenu_v2, par=dane_toulouse, commentaire=" Axe 2 ")
    assert creee and (v2.version, v2.cree_par, v2.commentaire) == (2, dane_toulouse, "Axe 2")
    v3, _ = modele_enregistrer(academie=toulouse(), contenu=modifie(contenu_v2, suivi="Bilan."), par=dane_toulouse)
    assert v3.version == 3 and ModeleLettre.objects.courant(toulouse()) == v3
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.contenu == origine and v2.contenu == contenu_v2


def test_une_version_enregistree_ne_change_plus():
    v1 = ModeleLettre.objects.courant(toulouse())
    v1.commentaire = "Corrigé en douce"
    with pytest.raises(ValueError, match="ne change plus"):
        v1.save()
    v1.refresh_from_db()
    assert v1.commentaire == ModeleLettre.COMMENTAIRE_PAR_DEFAUT


def test_un_contenu_identique_ne_cree_pas_de_version(dane_toulouse):
    v1 = ModeleLettre.objects.courant(toulouse())
    modele, creee = modele_enregistrer(
        academie=toulouse(), contenu=copy.deepcopy(v1.contenu), par=dane_toulouse, commentaire="Rien"
    )
    assert (modele, creee) == (v1, False)
    assert ModeleLettre.objects.filter(academie=toulouse()).count() == 1


def test_une_version_depassee_n_ecrase_pas_celle_d_un_collegue(dane_toulouse):
    v1 = ModeleLettre.objects.courant(toulouse())
    modele_enregistrer(academie=toulouse(), contenu=modifie(v1.contenu, moyens="A."), par=dane_toulouse, depuis=1)
    with pytest.raises(ValidationError, match="La version 2 du modèle a été enregistrée"):
        modele_enregistrer(academie=toulouse(), contenu=modifie(v1.contenu, moyens="B."), par=dane_toulouse, depuis=1)
    assert ModeleLettre.objects.courant(toulouse()).contenu["moyens"] == "A."


def test_la_contrainte_d_unicite_donne_un_message_clair(dane_toulouse, monkeypatch):
    """Si le verrou n'a pas joué, deux enregistrements viseraient le même numéro : la base refuse le second."""
    v1 = ModeleLettre.objects.courant(toulouse())
    modele_enregistrer(academie=toulouse(), contenu=modifie(v1.contenu, moyens="A."), par=dane_toulouse)
    # Le second a lu la dernière version avant que le premier n'enregistre la sienne.
    monkeypatch.setattr(ModeleLettreQuerySet, "courant", lambda self, academie: v1)
    with pytest.raises(ValidationError, match="vient d'enregistrer la version 2"):
        modele_enregistrer(academie=toulouse(), contenu=modifie(v1.contenu, moyens="B."), par=dane_toulouse)
    assert ModeleLettre.objects.filter(academie=toulouse()).count() == 2


def test_un_contenu_invalide_n_enregistre_rien(dane_toulouse):
    v1 = ModeleLettre.objects.courant(toulouse())
    with pytest.raises(ValidationError):
        modele_enregistrer(academie=toulouse(), contenu=modifie(v1.contenu, axe_1={"titre": ""}), par=dane_toulouse)
    assert ModeleLettre.objects.filter(academie=toulouse()).count() == 1


# La page du modèle


def test_la_page_presente_le_modele_courant(dane_toulouse):
    reponse = client_de(dane_toulouse).get(MODELE)
    assert reponse.status_code == 200
    formulaire = reponse.context["form"]
    courant = ModeleLettre.objects.courant(toulouse())
    assert formulaire["axe_2_titre"].value() == courant.contenu["axes"][1]["titre"]
    assert formulaire["axe_1_missions"].value() == "\n".join(courant.contenu["axes"][0]["missions"])
    contenu = reponse.content.decode()
    assert "Enregistrer la version 2" in contenu
    assert f'<a class="fr-nav__link" href="{MODELE}" aria-current="page"' in contenu
    assert "Modèle de lettre de mission</a>" in contenu


def test_enregistrer_depuis_la_page(dane_toulouse):
    reponse = envoyer(
        dane_toulouse,
        axe_2_missions="\r\n- Animer un atelier par trimestre.\r\n\r\n•  Accueillir les nouveaux collègues.  \r\n",
        axe_2_indicateurs="",
        moyens="",
        commentaire="Axe 2 resserré",
    )
    assert reponse.status_code == 302
    v2 = ModeleLettre.objects.courant(toulouse())
    assert (v2.version, v2.cree_par, v2.commentaire) == (2, dane_toulouse, "Axe 2 resserré")
    axe_2 = v2.contenu["axes"][1]
    assert axe_2["missions"] == ["Animer un atelier par trimestre.", "Accueillir les nouveaux collègues."]
    assert axe_2["indicateurs"] == [] and v2.contenu["moyens"] == ""
    # Les autres parties sont reprises telles quelles (fins de ligne comprises).
    assert v2.contenu["preambule"] == contenu_par_defaut()["preambule"]
    assert messages_de(reponse.client.get(reponse["Location"])) == [
        "Version 2 enregistrée ; les lettres déjà rédigées gardent la version dont elles partent."
    ]


def test_renvoyer_le_modele_sans_changement_ne_cree_pas_de_version(dane_toulouse):
    reponse = envoyer(dane_toulouse, commentaire="Relu")
    assert reponse.status_code == 302
    assert ModeleLettre.objects.filter(academie=toulouse()).count() == 1
    message = messages_de(reponse.client.get(reponse["Location"]))[0]
    assert message.startswith("Le modèle n'a pas changé : la version 1 reste en vigueur")


LIGNE_301 = "x" * 301


@pytest.mark.parametrize(
    ("champs", "champ_en_erreur", "message"),
    [
        ({"preambule": "  "}, "preambule", "Rédigez le préambule"),
        ({"preambule": "p" * 4001}, "preambule", "Le préambule compte 4\u202f001 caractères : 4\u202f000 au plus."),
        ({"axe_2_titre": ""}, "axe_2_titre", "Donnez un titre à l'axe 2."),
        ({"axe_1_titre": "t" * 201}, "axe_1_titre", "Le titre de l'axe 1 compte 201 caractères : 200 au plus."),
        ({"axe_3_missions": "\r\n \r\n"}, "axe_3_missions", "Proposez au moins une mission pour l'axe 3"),
        (
            {"axe_3_missions": f"Une mission.\r\n{LIGNE_301}"},
            "axe_3_missions",
            "Axe 3, mission 2 : 301 caractères, 300 au plus ; raccourcissez-la ou scindez-la en deux lignes.",
        ),
        ({"axe_1_missions": "\r\n".join(["m"] * 13)}, "axe_1_missions", "Axe 1 : 13 missions, 12 au plus."),
        ({"axe_4_indicateurs": "Taux\r\nTaux"}, "axe_4_indicateurs", "« Taux » figure deux fois parmi les indicateurs"),
        ({"suivi": "s" * 4001}, "suivi", "Le bloc « Suivi de l'activité » compte 4\u202f001 caractères"),
        ({"commentaire": "c" * 201}, "commentaire", "au plus 200 caractères"),
    ],
)
def test_une_saisie_erronee_est_signalee_en_francais_et_rien_n_est_enregistre(
    dane_toulouse, champs, champ_en_erreur, message
):
    reponse = envoyer(dane_toulouse, **champs)
    assert reponse.status_code == 200
    erreurs = reponse.context["form"].errors
    assert list(erreurs) == [champ_en_erreur]
    assert any(message in erreur for erreur in erreurs[champ_en_erreur])
    assert "Le modèle n'est pas enregistré" in reponse.content.decode()
    assert ModeleLettre.objects.filter(academie=toulouse()).count() == 1


def test_deux_personnes_modifient_le_modele_en_meme_temps(dane_toulouse):
    collegue = ModeleLettre.objects.courant(toulouse())
    client = client_de(dane_toulouse)
    # La page est ouverte sur la version 1 ; un collègue enregistre la version 2 entre-temps.
    donnees = donnees_formulaire(collegue.contenu, 1, axe_1_titre="Mon titre")
    modele_enregistrer(academie=toulouse(), contenu=modifie(collegue.contenu, suivi="Bilan."), par=dane_toulouse)
    reponse = client.post(MODELE, donnees)
    assert reponse.status_code == 200
    assert "La version 2 du modèle a été enregistrée" in reponse.context["form"].non_field_errors()[0]
    contenu = reponse.content.decode()
    assert 'value="Mon titre"' in contenu and 'name="depuis" value="2"' in contenu
    assert ModeleLettre.objects.filter(academie=toulouse()).count() == 2
    # Une fois la version 2 relue, le nouvel envoi passe.
    assert client.post(MODELE, {**donnees, "depuis": "2"}).status_code == 302
    v3 = ModeleLettre.objects.courant(toulouse())
    assert (v3.version, v3.contenu["axes"][0]["titre"]) == (3, "Mon titre")


# Historique et aperçu


@pytest.fixture
def deux_versions(dane_toulouse):
    v1 = ModeleLettre.objects.courant(toulouse())
    contenu = modifie(
        v1.contenu,
        axe_4={"titre": "Administrer l'ENT par délégation", "indicateurs": []},
        formation="",
        moyens="Une heure par semaine.\nUn ordinateur portable.",
    )
    v2, _ = modele_enregistrer(academie=toulouse(), contenu=contenu, par=dane_toulouse, commentaire="Axe 4 revu")
    return v1, v2


def test_l_historique_liste_les_versions(dane_toulouse, deux_versions):
    v1, v2 = deux_versions
    reponse = client_de(dane_toulouse).get(MODELE)
    assert list(reponse.context["versions"]) == [v2, v1]
    contenu = reponse.content.decode()
    for attendu in (
        f'href="{v1.get_absolute_url()}">Version 1</a>',
        f'href="{v2.get_absolute_url()}">Version 2</a>',
        str(dane_toulouse),
        "Axe 4 revu",
        "Modèle proposé par défaut",
        "Enregistrer la version 3",
    ):
        assert attendu in contenu


def test_l_apercu_d_une_version_la_presente_comme_a_un_chef_d_etablissement(dane_toulouse, deux_versions):
    v1, v2 = deux_versions
    reponse = client_de(dane_toulouse).get(v2.get_absolute_url())
    assert reponse.status_code == 200 and reponse.context["est_courante"]
    contenu = reponse.content.decode()
    assert "Axe 4 — Administrer l&#x27;ENT par délégation" in contenu
    for mission in v2.contenu["axes"][0]["missions"] + v2.contenu["axes"][0]["indicateurs"]:
        assert f"<li>{mission}</li>".replace("'", "&#x27;") in contenu
    assert "<p>Une heure par semaine.</p><p>Un ordinateur portable.</p>" in contenu
    # Un bloc vide et les indicateurs d'un axe qui n'en a pas ne sont pas annoncés.
    assert "Formation</h3>" not in contenu
    assert contenu.count("Indicateurs suggérés") == 3
    assert "<form" not in contenu.split('id="contenu"')[1]

    ancienne = client_de(dane_toulouse).get(v1.get_absolute_url())
    assert not ancienne.context["est_courante"]
    assert "Remplacée par une version plus récente" in ancienne.content.decode()
    assert "Formation</h3>" in ancienne.content.decode()


def test_le_national_lit_une_version_sans_lien_vers_la_modification(national, deux_versions):
    reponse = client_de(national).get(deux_versions[1].get_absolute_url())
    assert reponse.status_code == 200
    assert MODELE not in reponse.content.decode()


# Accès


def test_une_dane_ne_voit_jamais_le_modele_d_une_autre_academie(dane_toulouse, dane_montpellier, deux_versions):
    for version in deux_versions:
        assert client_de(dane_montpellier).get(version.get_absolute_url()).status_code == 404
    reponse = client_de(dane_montpellier).get(MODELE)
    assert reponse.context["courant"].academie == academie("11")
    assert [version.academie_id for version in reponse.context["versions"]] == [academie("11").pk]
    assert "Axe 4 revu" not in reponse.content.decode()
    # Son enregistrement fait la version 2 de Montpellier, sans toucher à Toulouse.
    assert envoyer(dane_montpellier, axe_1_titre="Piloter").status_code == 302
    assert ModeleLettre.objects.courant(academie("11")).version == 2
    assert ModeleLettre.objects.courant(toulouse()) == deux_versions[1]


@pytest.mark.parametrize("persona", ["chef_a", "adjoint_a", "rupn_a", "correspondant_31"])
def test_les_autres_roles_n_ont_pas_acces_au_modele(persona, request, deux_versions):
    client = client_de(request.getfixturevalue(persona))
    assert client.get(MODELE).status_code == 403
    assert client.post(MODELE, {}).status_code == 403
    assert client.get(deux_versions[1].get_absolute_url()).status_code == 403
    assert ModeleLettre.objects.count() == 2


def test_l_administration_montre_les_versions_en_lecture_seule(rf):
    modele_admin = admin.site._registry[ModeleLettre]
    requete = rf.get("/admin/")
    assert not modele_admin.has_add_permission(requete)
    assert not modele_admin.has_change_permission(requete)
    assert not modele_admin.has_delete_permission(requete)


# Requêtes


def _requetes(client, url):
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(url)
    assert reponse.status_code == 200
    return len(capture)


def test_la_page_du_modele_fait_un_nombre_borne_de_requetes(dane_toulouse, deux_versions):
    client = client_de(dane_toulouse)
    peu = _requetes(client, MODELE)
    contenu = deux_versions[1].contenu
    for rang in range(10):
        modele_enregistrer(academie=toulouse(), contenu=modifie(contenu, suivi=f"Bilan {rang}."), par=dane_toulouse)
    assert _requetes(client, MODELE) == peu <= 15
    assert _requetes(client, deux_versions[0].get_absolute_url()) <= 15
