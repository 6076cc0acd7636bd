"""Rédaction et relecture des lettres de mission : créer, modifier (missions, indicateurs, modifications
simultanées), envoyer, commenter, approuver ; signatures annulées par une modification ; accès ; requêtes."""

import datetime
import html

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lettres import services
from lettres.forms_redaction import LettreForm
from lettres.models import Approbation, Commentaire, LettreMission, ModeleLettre, Signature
from rupn.comptes.models import Role
from rupn.navigation import menu_pour
from rupn.territoires.models import AnneeScolaire
from tests.conftest import client_de
from tests.factories import DesignationFactory, LettreMissionFactory, UtilisateurFactory
from tests.lettres.conftest import un_rupn

pytestmark = pytest.mark.django_db

CREER = reverse("lettres:lettre_creer")
BORNE = 15


def _url(nom, lettre):
    return reverse(f"lettres:{nom}", args=[lettre.uuid])


def _url_absolue(chemin):
    return "http://testserver" + chemin


def donnees(lettre, **changements):
    """Ce que renvoie le formulaire de la lettre tel qu'il s'affiche, avec des champs changés."""
    valeurs = {champ.html_name: champ.value() for champ in LettreForm(lettre=lettre)}
    return {**valeurs, **changements}


def retenir(lettre, **changements):
    """Les données du formulaire avec la mission 1 de l'axe 1 principale et la 2 secondaire."""
    return donnees(lettre, axe_1_mission_1="principale", axe_1_mission_2="secondaire", **changements)


def texte(reponse):
    """Le HTML de la réponse, entités décodées (« n'a » plutôt que « n'a »)."""
    return html.unescape(reponse.content.decode())


def messages_de(reponse):
    return [str(message) for message in reponse.context["messages"]]


def recharger(lettre):
    return LettreMission.objects.get(pk=lettre.pk)


# --- Créer --------------------------------------------------------------------------------------------


def test_la_direction_cree_la_lettre_des_designations_acceptees_ou_validees(chef_a, college_a, annee_en_cours):
    acceptee = DesignationFactory(etablissement=college_a, annee=annee_en_cours, acceptee=True)
    validee = DesignationFactory(etablissement=college_a, annee=annee_en_cours, validee=True)
    proposee = DesignationFactory(etablissement=college_a, annee=annee_en_cours)
    refusee = DesignationFactory(etablissement=college_a, annee=annee_en_cours, refusee=True)
    deja_couverte = DesignationFactory(etablissement=college_a, annee=annee_en_cours, validee=True)
    LettreMissionFactory(etablissement=college_a, annee=annee_en_cours, designations=[deja_couverte])
    lettre_annulee_de = DesignationFactory(etablissement=college_a, annee=annee_en_cours, acceptee=True)
    LettreMissionFactory(
        etablissement=college_a, annee=annee_en_cours, designations=[lettre_annulee_de], statut="annulee"
    )
    client = client_de(chef_a)

    page = texte(client.get(CREER))
    for designation in (acceptee, validee, lettre_annulee_de):
        assert str(designation.uuid) in page
    for designation in (proposee, refusee, deja_couverte):
        assert str(designation.uuid) not in page

    reponse = client.post(CREER, {"annee": annee_en_cours.code, "designations": [acceptee.uuid, validee.uuid]})
    lettre = LettreMission.objects.get(designations=acceptee)
    assert reponse.status_code == 302 and reponse["Location"] == _url("lettre_modifier", lettre)
    assert set(lettre.designations.all()) == {acceptee, validee}
    assert (lettre.etablissement, lettre.annee, lettre.statut, lettre.revision, lettre.cree_par) == (
        college_a,
        annee_en_cours,
        "brouillon",
        1,
        chef_a,
    )
    modele = ModeleLettre.objects.courant(college_a.academie)
    assert lettre.modele == modele
    for axe_lettre, axe_modele in zip(lettre.contenu["axes"], modele.contenu["axes"], strict=True):
        assert axe_lettre["missions"] == [
            {"texte": texte, "retenue": False, "principale": False} for texte in axe_modele["missions"]
        ]
        assert axe_lettre["indicateurs"] == axe_modele["indicateurs"] and axe_lettre["missions_propres"] == []
    assert lettre.contenu["preambule"] == modele.contenu["preambule"]
    assert mail.outbox == [], "un brouillon ne prévient encore personne"


def test_l_adjoint_cree_la_lettre_par_delegation(adjoint_a, designation_rupn_a):
    reponse = client_de(adjoint_a).post(CREER, {"designations": [designation_rupn_a.uuid]})
    assert reponse.status_code == 302
    assert LettreMission.objects.get().cree_par == adjoint_a


def test_la_lettre_part_de_la_derniere_version_du_modele(chef_a, college_a, designation_rupn_a):
    academie = college_a.academie
    premiere = ModeleLettre.objects.courant(academie)
    contenu = {**premiere.contenu, "moyens": "Un ordinateur portable prêté par la collectivité."}
    seconde, _ = services.modele_enregistrer(academie=academie, contenu=contenu, par=chef_a)
    client_de(chef_a).post(CREER, {"designations": [designation_rupn_a.uuid]})
    lettre = LettreMission.objects.get()
    assert lettre.modele == seconde and lettre.contenu["moyens"] == contenu["moyens"]


def test_l_annee_se_choisit_par_parametre(chef_a, college_a, annee_en_cours):
    precedente = AnneeScolaire.pour_rentree(annee_en_cours.debut.year - 1)
    ancienne = DesignationFactory(etablissement=college_a, annee=precedente, validee=True)
    assert str(ancienne.uuid) not in texte(client_de(chef_a).get(CREER))
    reponse = client_de(chef_a).get(f"{CREER}?annee={precedente.code}")
    assert str(ancienne.uuid) in texte(reponse)
    client_de(chef_a).post(CREER, {"annee": precedente.code, "designations": [ancienne.uuid]})
    assert LettreMission.objects.get().annee == precedente


def test_sans_designation_acceptee_la_page_renvoie_aux_designations(chef_a, college_a, annee_en_cours):
    DesignationFactory(etablissement=college_a, annee=annee_en_cours)  # proposée : pas encore d'accord
    reponse = client_de(chef_a).get(CREER)
    page = texte(reponse)
    assert reponse.status_code == 200
    assert f"Aucune désignation acceptée pour {annee_en_cours}" in page
    assert f"{reverse('missions:designation_liste')}?annee={annee_en_cours.code}" in page
    assert "Créer la lettre" not in page


def test_quand_chaque_designation_a_sa_lettre_la_page_le_dit(chef_a, lettre_a, annee_en_cours):
    page = texte(client_de(chef_a).get(CREER))
    assert f"Chaque désignation de {annee_en_cours} a déjà sa lettre" in page
    assert "Créer la lettre" not in page


def test_une_designation_d_une_autre_ecole_est_refusee(chef_a, designation_rupn_a, college_b, annee_en_cours):
    autre = DesignationFactory(etablissement=college_b, annee=annee_en_cours, acceptee=True)
    reponse = client_de(chef_a).post(CREER, {"designations": [designation_rupn_a.uuid, autre.uuid]})
    assert reponse.status_code == 400
    assert "n'attend plus de lettre" in texte(reponse)
    assert not LettreMission.objects.exists()


def test_rien_de_coche_rien_de_cree(chef_a, designation_rupn_a):
    reponse = client_de(chef_a).post(CREER, {"annee": designation_rupn_a.annee.code})
    assert reponse.status_code == 400
    assert "Cochez au moins une désignation" in texte(reponse)
    assert not LettreMission.objects.exists()


def test_une_designation_ne_prend_qu_une_lettre(chef_a, college_a, designation_rupn_a):
    services.lettre_creer(
        etablissement=college_a, annee=designation_rupn_a.annee, designations=[designation_rupn_a], par=chef_a
    )
    with pytest.raises(ValidationError, match="a déjà sa lettre"):
        services.lettre_creer(
            etablissement=college_a, annee=designation_rupn_a.annee, designations=[designation_rupn_a], par=chef_a
        )
    assert LettreMission.objects.count() == 1


# --- Modifier -------------------------------------------------------------------------------------------


def test_la_direction_choisit_les_missions_en_ajoute_et_arrete_les_indicateurs(chef_a, lettre_a):
    client = client_de(chef_a)
    assert client.get(_url("lettre_modifier", lettre_a)).status_code == 200
    reponse = client.post(
        _url("lettre_modifier", lettre_a),
        retenir(
            lettre_a,
            axe_2_mission_3="principale",
            axe_2_ajout_principales="Animer le club robotique.\r\n- Former les délégués au numérique.",
            axe_2_ajout_secondaires="Tenir la page numérique du site.",
            axe_1_indicateurs="Nombre de réunions préparées.\r\n\r\nCompte rendu présenté au conseil pédagogique.",
            axe_4_indicateurs="",
            moyens="Un ordinateur portable.\r\nUne heure de concertation par mois.",
            suivi="",
        ),
    )
    assert reponse.status_code == 302 and reponse["Location"] == _url("lettre_detail", lettre_a)
    lettre = recharger(lettre_a)
    assert lettre.revision == 2 and lettre.statut == "brouillon"
    axe_1, axe_2, _, axe_4 = lettre.contenu["axes"]
    assert [(m["retenue"], m["principale"]) for m in axe_1["missions"][:3]] == [
        (True, True),
        (True, False),
        (False, False),
    ]
    assert axe_2["missions_propres"] == [
        {"texte": "Animer le club robotique.", "principale": True},
        {"texte": "Former les délégués au numérique.", "principale": True},
        {"texte": "Tenir la page numérique du site.", "principale": False},
    ]
    assert axe_1["indicateurs"] == ["Nombre de réunions préparées.", "Compte rendu présenté au conseil pédagogique."]
    assert axe_4["indicateurs"] == []
    assert lettre.contenu["moyens"] == "Un ordinateur portable.\nUne heure de concertation par mois."
    assert lettre.contenu["preambule"] == lettre_a.contenu["preambule"]

    corps = lettre.corps()
    axes = {axe["code"]: axe for axe in corps["axes"]}
    assert axes["1"]["principales"] == [axe_1["missions"][0]["texte"]]
    assert axes["1"]["secondaires"] == [axe_1["missions"][1]["texte"]]
    assert axes["2"]["principales"] == [
        axe_2["missions"][2]["texte"],
        "Animer le club robotique.",
        "Former les délégués au numérique.",
    ]
    assert axes["2"]["secondaires"] == ["Tenir la page numérique du site."]
    assert "4" not in axes, "un axe sans mission ni indicateur n'apparaît pas dans la lettre"
    assert [titre for titre, _ in corps["blocs"]] == ["Moyens mis à disposition", "Formation"]
    assert messages_de(client.get(reponse["Location"]))[0] == "Lettre enregistrée (révision 2)."


def test_l_apercu_montre_ce_qui_a_ete_saisi(chef_a, lettre_a, designation_rupn_a):
    client = client_de(chef_a)
    client.post(
        _url("lettre_modifier", lettre_a),
        retenir(
            lettre_a,
            axe_3_ajout_secondaires="Recenser les tablettes en panne.",
            axe_1_indicateurs="Indicateur arrêté ensemble.",
            formation="Parcours M@gistère « Prise de fonction ».",
        ),
    )
    lettre = recharger(lettre_a)
    page = texte(client.get(_url("lettre_detail", lettre)))
    mission_1, mission_2, mission_3 = (m["texte"] for m in lettre.contenu["axes"][0]["missions"][:3])
    apercu = page[page.index('class="rupn-lettre"') :]
    principales = apercu.index("Missions principales")
    secondaires = apercu.index("Missions secondaires")
    assert principales < apercu.index(mission_1) < secondaires < apercu.index(mission_2)
    assert mission_3 not in apercu, "une mission non retenue n'est pas dans la lettre"
    for attendu in (
        "Recenser les tablettes en panne.",
        "Indicateur arrêté ensemble.",
        "Parcours M@gistère « Prise de fonction ».",
        str(designation_rupn_a.agent),
        "IMP de 1\u202f250 € par an",
        "(toute l'année scolaire)",
        str(lettre.etablissement.academie),
        lettre.etablissement.uai,
    ):
        assert attendu in apercu, attendu


def test_un_envoi_identique_ne_cree_pas_de_revision(chef_a, lettre_a):
    reponse = client_de(chef_a).post(_url("lettre_modifier", lettre_a), donnees(lettre_a), follow=True)
    assert messages_de(reponse) == ["Aucune modification : la lettre reste à la révision 1."]
    assert recharger(lettre_a).revision == 1


@pytest.mark.parametrize(
    ("changements", "champ", "message"),
    [
        ({"axe_2_ajout_principales": "x" * 301}, "axe_2_ajout_principales", "301 caractères, 300 au plus"),
        ({"axe_1_indicateurs": "A\r\nA"}, "axe_1_indicateurs", "« A » figure deux fois."),
        (
            {"axe_1_ajout_principales": "Même mission", "axe_1_ajout_secondaires": "Même mission"},
            "axe_1_ajout_secondaires",
            "à la fois principale et secondaire",
        ),
        ({"axe_3_indicateurs": "\r\n".join(f"I{n}" for n in range(9))}, "axe_3_indicateurs", "9 indicateurs, 8 au"),
        ({"moyens": "m" * 4001}, "moyens", "4001 caractères : 4000 au plus"),
        ({"axe_1_mission_1": "obligatoire"}, "axe_1_mission_1", "Sélectionnez un choix valide"),
    ],
)
def test_une_saisie_invalide_n_est_pas_enregistree(chef_a, lettre_a, changements, champ, message):
    reponse = client_de(chef_a).post(_url("lettre_modifier", lettre_a), donnees(lettre_a, **changements))
    assert reponse.status_code == 400
    assert any(message in erreur for erreur in reponse.context["form"].errors[champ]), reponse.context["form"].errors
    assert recharger(lettre_a).revision == 1


def test_une_mission_suggeree_ne_s_ajoute_pas_une_seconde_fois(chef_a, lettre_a):
    suggeree = lettre_a.contenu["axes"][1]["missions"][0]["texte"]
    reponse = client_de(chef_a).post(
        _url("lettre_modifier", lettre_a), donnees(lettre_a, axe_2_ajout_secondaires=suggeree)
    )
    assert reponse.status_code == 400
    assert "est déjà une mission suggérée de l'axe 2" in reponse.context["form"].errors["axe_2_ajout_secondaires"][0]


def test_le_preambule_et_les_missions_suggerees_restent_ceux_du_modele(chef_a, lettre_a):
    contenu = {**lettre_a.contenu, "preambule": "Un autre cadre."}
    with pytest.raises(ValidationError, match="viennent du modèle de l'académie"):
        services.lettre_modifier(lettre=lettre_a, contenu=contenu, revision=1, par=chef_a, url_absolue=_url_absolue)


def test_une_lettre_scellee_ne_se_modifie_plus(chef_a, lettre_a):
    LettreMission.objects.filter(pk=lettre_a.pk).update(statut="scellee")
    client = client_de(chef_a)
    reponse = client.get(_url("lettre_modifier", lettre_a), follow=True)
    assert messages_de(reponse) == ["Cette lettre est « signée et scellée » : elle ne se modifie plus."]
    reponse = client.post(_url("lettre_modifier", lettre_a), retenir(lettre_a))
    assert reponse.status_code == 302 and recharger(lettre_a).revision == 1


# --- Deux personnes modifient la même lettre ----------------------------------------------------------


def test_la_seconde_personne_ne_perd_rien_et_n_ecrase_rien(chef_a, adjoint_a, lettre_a):
    # Les deux ouvrent le formulaire de la révision 1 ; l'adjoint enregistre le premier.
    saisie_adjoint = retenir(lettre_a, moyens="Moyens selon l'adjoint.")
    saisie_chef = donnees(lettre_a, axe_4_mission_1="principale", moyens="Moyens selon le chef.")
    assert client_de(adjoint_a).post(_url("lettre_modifier", lettre_a), saisie_adjoint).status_code == 302

    reponse = client_de(chef_a).post(_url("lettre_modifier", lettre_a), saisie_chef)
    assert reponse.status_code == 409
    lettre = recharger(lettre_a)
    assert lettre.revision == 2 and lettre.contenu["moyens"] == "Moyens selon l'adjoint."
    page = texte(reponse)
    assert "Votre enregistrement n'a pas été fait" in page
    assert "votre saisie partait de la révision 1, la lettre en est à la révision 2" in page
    formulaire = reponse.context["form"]
    assert formulaire["moyens"].value() == "Moyens selon le chef."
    assert formulaire["axe_4_mission_1"].value() == "principale"
    assert formulaire["revision"].value() == "2", "la saisie part désormais de la révision actuelle"
    actuelle = page[page.index('id="titre-version-actuelle"') :]
    assert "Moyens selon l'adjoint." in actuelle and "Moyens selon le chef." not in actuelle

    # Le chef a relu la version actuelle : il renvoie sa saisie, qui part désormais de la révision 2.
    reponse = client_de(chef_a).post(_url("lettre_modifier", lettre_a), {**saisie_chef, "revision": "2"})
    assert reponse.status_code == 302
    lettre = recharger(lettre_a)
    assert lettre.revision == 3 and lettre.contenu["moyens"] == "Moyens selon le chef."


# --- Retour en brouillon et signatures annulées ----------------------------------------------------------


@pytest.mark.parametrize(("statut", "libelle"), [("relecture", "en relecture"), ("signature", "à signer")])
def test_modifier_une_lettre_envoyee_la_repasse_en_brouillon(chef_a, lettre_a, statut, libelle):
    LettreMission.objects.filter(pk=lettre_a.pk).update(statut=statut)
    client = client_de(chef_a)
    assert "l'enregistrer la repasse en brouillon" in texte(client.get(_url("lettre_modifier", lettre_a)))
    reponse = client.post(_url("lettre_modifier", lettre_a), retenir(lettre_a), follow=True)
    assert recharger(lettre_a).statut == "brouillon"
    assert f"Elle était « {libelle} » : elle repasse en brouillon." in messages_de(reponse)[1]


def _signature(lettre, signataire, qualite="rupn", **champs):
    return Signature.objects.create(
        lettre=lettre,
        signataire=signataire,
        qualite=qualite,
        horodatage=timezone.now() - datetime.timedelta(hours=1),
        methode_authentification="mot_de_passe",
        empreinte_contenu="0" * 64,
        texte_consentement="Je signe cette lettre pour accord.",
        **champs,
    )


def test_modifier_une_lettre_signee_annule_la_signature_et_previent_le_signataire(
    chef_a, rupn_a, lettre_a, django_capture_on_commit_callbacks
):
    LettreMission.objects.filter(pk=lettre_a.pk).update(statut="signature")
    signee = _signature(lettre_a, rupn_a)
    deja_annulee = _signature(lettre_a, UtilisateurFactory(), annulee_le=timezone.now() - datetime.timedelta(days=1))
    client = client_de(chef_a)
    page = texte(client.get(_url("lettre_modifier", lettre_a)))
    assert f"la signature de {rupn_a}" in page and "elle sera annulée et son signataire prévenu" in page

    # Un envoi sans changement n'annule rien.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("lettre_modifier", lettre_a), donnees(lettre_a))
    signee.refresh_from_db()
    assert signee.annulee_le is None and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(_url("lettre_modifier", lettre_a), retenir(lettre_a), follow=True)
    signee.refresh_from_db()
    assert signee.annulee_le is not None
    assert Signature.objects.get(pk=deja_annulee.pk).annulee_le == deja_annulee.annulee_le
    assert recharger(lettre_a).statut == "brouillon"
    assert [m.to for m in mail.outbox] == [[rupn_a.email]], "seul le signataire d'une signature en cours est prévenu"
    courriel = mail.outbox[0]
    assert "Votre signature est annulée" in courriel.subject
    assert str(chef_a) in courriel.body and _url_absolue(_url("lettre_detail", lettre_a)) in courriel.body
    assert f"Les signatures déjà données sont annulées ({rupn_a})" in messages_de(reponse)[-1]


# --- Envoyer en relecture -----------------------------------------------------------------------------------


def _envoyer(client, lettre, revision=None):
    return client.post(_url("lettre_envoyer", lettre), {"revision": revision or recharger(lettre).revision})


def test_la_direction_envoie_la_lettre_en_relecture_a_ses_rupn(
    chef_a, rupn_a, lettre_a, django_capture_on_commit_callbacks
):
    client = client_de(chef_a)
    client.post(_url("lettre_modifier", lettre_a), retenir(lettre_a))
    assert "Envoyer en relecture" in texte(client.get(_url("lettre_detail", lettre_a)))
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _envoyer(client, lettre_a)
        _envoyer(client, lettre_a)  # double clic
    assert reponse.status_code == 302
    assert recharger(lettre_a).statut == "relecture"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [rupn_a.email]
    assert "Relecture demandée" in mail.outbox[0].subject
    assert _url_absolue(_url("lettre_detail", lettre_a)) in mail.outbox[0].body
    assert "Envoyer en relecture" not in texte(client.get(_url("lettre_detail", lettre_a)))


def test_une_lettre_sans_mission_ne_part_pas_en_relecture(chef_a, lettre_a):
    reponse = _envoyer(client_de(chef_a), lettre_a)
    assert reponse.status_code == 302
    assert recharger(lettre_a).statut == "brouillon"
    assert mail.outbox == []


def test_on_n_envoie_pas_une_version_qu_on_n_a_pas_lue(chef_a, adjoint_a, lettre_a):
    client_de(adjoint_a).post(_url("lettre_modifier", lettre_a), retenir(lettre_a))
    client = client_de(chef_a)
    reponse = _envoyer(client, lettre_a, revision=1)
    assert "La lettre a été modifiée depuis que vous l'avez ouverte" in messages_de(client.get(reponse["Location"]))[0]
    assert recharger(lettre_a).statut == "brouillon"


# --- Commenter --------------------------------------------------------------------------------------------


def test_le_rupn_et_la_direction_echangent_dans_le_fil(
    chef_a, adjoint_a, rupn_a, lettre_a, django_capture_on_commit_callbacks
):
    LettreMission.objects.filter(pk=lettre_a.pk).update(statut="relecture")
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_de(rupn_a).post(_url("lettre_commenter", lettre_a), {"texte": "  Ajouter l'axe 3 ?\r\n"})
    assert reponse.status_code == 302 and reponse["Location"].endswith("#fil")
    commentaire = Commentaire.objects.get()
    assert (commentaire.auteur, commentaire.texte, commentaire.revision) == (rupn_a, "Ajouter l'axe 3 ?", 1)
    assert sorted(mail.outbox[0].to) == sorted([chef_a.email, adjoint_a.email])
    assert "Ajouter l'axe 3 ?" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_de(chef_a).post(_url("lettre_commenter", lettre_a), {"texte": "C'est fait."})
    assert sorted(mail.outbox[0].to) == sorted([adjoint_a.email, rupn_a.email])

    page = texte(client_de(rupn_a).get(_url("lettre_detail", lettre_a)))
    fil = page[page.index('id="fil"') :]
    assert fil.index("Ajouter l'axe 3 ?") < fil.index("C'est fait.")
    assert "Publier le commentaire" in fil


def test_un_commentaire_vide_n_est_pas_publie(rupn_a, lettre_a):
    reponse = client_de(rupn_a).post(_url("lettre_commenter", lettre_a), {"texte": "   "}, follow=True)
    assert messages_de(reponse) == ["Écrivez votre commentaire avant de l'envoyer."]
    assert not Commentaire.objects.exists()


def test_la_dane_lit_le_fil_sans_y_ecrire(dane_toulouse, lettre_a):
    page = texte(client_de(dane_toulouse).get(_url("lettre_detail", lettre_a)))
    assert "Publier le commentaire" not in page and "Modifier la lettre" not in page
    assert client_de(dane_toulouse).post(_url("lettre_commenter", lettre_a), {"texte": "Bien."}).status_code == 403


# --- Approuver ------------------------------------------------------------------------------------------


def _approuver(client, lettre, revision=None):
    return client.post(_url("lettre_approuver", lettre), {"revision": revision or recharger(lettre).revision})


def test_quand_chaque_rupn_a_approuve_la_lettre_est_a_signer(
    chef_a, adjoint_a, rupn_a, college_a, lettre_a, designation_rupn_a, django_capture_on_commit_callbacks
):
    second, designation = un_rupn(college_a, designation_rupn_a.annee)
    lettre_a.designations.add(designation)
    client_de(chef_a).post(_url("lettre_modifier", lettre_a), retenir(lettre_a))
    _envoyer(client_de(chef_a), lettre_a)
    mail.outbox.clear()

    page = texte(client_de(rupn_a).get(_url("lettre_detail", lettre_a)))
    assert "J'approuve cette version de la lettre" in page
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _approuver(client_de(rupn_a), lettre_a)
        _approuver(client_de(rupn_a), lettre_a)  # double clic
    assert Approbation.objects.filter(rupn=rupn_a).count() == 1
    assert recharger(lettre_a).statut == "relecture" and mail.outbox == []
    page = texte(client_de(rupn_a).get(reponse["Location"]))
    assert "J'approuve cette version" not in page
    assert f"Approuvée par 1 sur 2 : {rupn_a}" in page

    client = client_de(second)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _approuver(client, lettre_a)
    lettre = recharger(lettre_a)
    assert lettre.statut == "signature"
    assert [sorted(m.to) for m in mail.outbox] == [sorted([chef_a.email, adjoint_a.email, rupn_a.email, second.email])]
    assert "prête à signer" in mail.outbox[0].subject
    assert "Chaque RUPN l'a approuvée" in messages_de(client.get(reponse["Location"]))[0]


def test_une_approbation_ne_vaut_que_pour_la_version_lue(chef_a, rupn_a, lettre_a):
    client_de(chef_a).post(_url("lettre_modifier", lettre_a), retenir(lettre_a))
    _envoyer(client_de(chef_a), lettre_a)
    # La direction modifie et renvoie pendant que le RUPN lit la révision 2.
    client_de(chef_a).post(_url("lettre_modifier", lettre_a), retenir(recharger(lettre_a), suivi="Bilan en juin."))
    _envoyer(client_de(chef_a), lettre_a)
    assert recharger(lettre_a).revision == 3

    _approuver(client_de(rupn_a), lettre_a, revision=2)
    assert not Approbation.objects.exists() and recharger(lettre_a).statut == "relecture"
    _approuver(client_de(rupn_a), lettre_a)
    assert recharger(lettre_a).statut == "signature"

    # Une modification ensuite : l'approbation de la révision 3 ne compte plus.
    client_de(chef_a).post(_url("lettre_modifier", lettre_a), retenir(recharger(lettre_a), suivi="Bilan en mai."))
    _envoyer(client_de(chef_a), lettre_a)
    lettre = LettreMission.objects.prefetch_related("approbations", "designations").get(pk=lettre_a.pk)
    assert lettre.statut == "relecture" and lettre.approbations_courantes() == []
    rupn_a.role_actif = rupn_a.roles.get()
    assert lettre.peut_approuver(rupn_a)


def test_on_n_approuve_qu_une_lettre_en_relecture(rupn_a, lettre_a):
    client = client_de(rupn_a)
    reponse = _approuver(client, lettre_a)
    assert "elle n'attend pas votre approbation" in messages_de(client.get(reponse["Location"]))[0]
    assert not Approbation.objects.exists()


def test_seuls_les_rupn_de_la_lettre_l_approuvent(chef_a, lettre_a):
    LettreMission.objects.filter(pk=lettre_a.pk).update(statut="relecture")
    with pytest.raises(ValidationError, match="Seuls les RUPN"):
        services.lettre_approuver(lettre=lettre_a, revision=1, par=chef_a, url_absolue=_url_absolue)


# --- Accès ----------------------------------------------------------------------------------------------

# Une lettre du collège A en brouillon, dont rupn_a est le RUPN (POST sans données pour les actions).
# La matrice d'accès de chaque URL pour chaque persona est dans tests/test_acces.py ; ici, les cas
# qu'elle ne dit pas : le RUPN d'une autre lettre du même collège, l'autre académie, l'autre école.


@pytest.mark.parametrize(("nom", "methode"), [("lettre_detail", "get"), ("lettre_commenter", "post")])
def test_le_rupn_d_une_autre_lettre_ne_la_voit_pas(nom, methode, college_a, lettre_a, annee_en_cours):
    autre_rupn, designation = un_rupn(college_a, annee_en_cours)
    LettreMissionFactory(etablissement=college_a, annee=annee_en_cours, designations=[designation])
    assert getattr(client_de(autre_rupn), methode)(_url(nom, lettre_a)).status_code == 404


def test_la_dane_d_une_autre_academie_et_l_autre_ecole_ne_voient_pas_la_lettre(
    chef_b, dane_montpellier, lettre_a, college_herault
):
    for personne in (chef_b, dane_montpellier):
        assert client_de(personne).get(_url("lettre_detail", lettre_a)).status_code == 404
    lettre_herault = LettreMissionFactory(etablissement=college_herault)
    assert client_de(dane_montpellier).get(_url("lettre_detail", lettre_herault)).status_code == 200


def test_les_menus_menent_aux_lettres():
    assert ("Lettres de mission", reverse("lettres:lettre_liste")) in menu_pour(Role(type=Role.Type.CHEF))
    assert ("Lettres de mission", reverse("lettres:lettre_liste")) in menu_pour(Role(type=Role.Type.ADJOINT))
    assert ("Mes lettres de mission", reverse("lettres:mes_lettres")) in menu_pour(Role(type=Role.Type.RUPN))


# --- Requêtes -------------------------------------------------------------------------------------------


def _requetes(client, url):
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(url)
    assert reponse.status_code == 200
    return len(capture)


def test_la_page_d_une_lettre_fait_un_nombre_borne_de_requetes(chef_a, college_a, lettre_a, annee_en_cours):
    client = client_de(chef_a)
    LettreMission.objects.filter(pk=lettre_a.pk).update(statut="relecture")
    Commentaire.objects.create(lettre=lettre_a, auteur=chef_a, texte="Premier.", revision=1)
    peu = _requetes(client, _url("lettre_detail", lettre_a))
    for _ in range(4):
        personne, designation = un_rupn(college_a, annee_en_cours)
        lettre_a.designations.add(designation)
        Approbation.objects.create(lettre=lettre_a, rupn=personne, revision=1)
        Commentaire.objects.create(lettre=lettre_a, auteur=personne, texte="Lu.", revision=1)
    assert _requetes(client, _url("lettre_detail", lettre_a)) == peu <= BORNE
