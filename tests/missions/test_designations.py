"""Désigner, répondre, mettre fin, remplacer, renouveler : règles, écritures et pages de la direction."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from missions import services
from missions.models import Designation, Enveloppe, TauxIMP, Transition
from rupn.comptes.models import Role, Utilisateur
from tests.conftest import client_de
from tests.factories import (
    DesignationFactory,
    EtablissementFactory,
    RoleFactory,
    UtilisateurFactory,
    academie,
    annee,
    taux,
)

# Les tests sont écrits pour l'année 2025-2026 et décalés sur l'année scolaire en cours : on ne
# désigne que pour l'année en cours ou la suivante, et on ne répond plus à une mission passée.
_AUJOURD_HUI = datetime.date.today()
DECALAGE = _AUJOURD_HUI.year - (_AUJOURD_HUI.month < 9) - 2025


def D(annee_, mois, jour):
    return datetime.date(annee_ + DECALAGE, mois, jour)


def iso(texte):
    annee_, mois, jour = map(int, texte.split("-"))
    return D(annee_, mois, jour).isoformat()


def code(texte):
    return "-".join(str(int(partie) + DECALAGE) for partie in texte.split("-"))


def une_designation(**champs):
    """Une désignation de l'année scolaire en cours (2025-2026 avant décalage)."""
    champs.setdefault("annee", annee(code("2025-2026")))
    return DesignationFactory(**champs)


URL_CREER = reverse("missions:designation_creer")


@pytest.fixture
def annee_en_cours():
    return annee(code("2025-2026"))


@pytest.fixture
def enseignant_a(college_a):
    """Une enseignante déjà connue du collège A (rôle RUPN d'une année passée)."""
    personne = UtilisateurFactory(email="enseignante.a@ac-toulouse.fr", first_name="Inès", last_name="Moreau")
    RoleFactory(
        utilisateur=personne, type=Role.Type.RUPN, etablissement=college_a, debut=D(2023, 9, 1), fin=D(2024, 8, 31)
    )
    return personne


def _proposer(client, donnees, annee_code=None):
    valeurs = {"debut": iso("2025-09-01"), "fin": iso("2026-08-31"), "taux": taux(1250).pk}
    valeurs.update(donnees)
    valeurs = {cle: valeur for cle, valeur in valeurs.items() if valeur is not None}
    return client.post(f"{URL_CREER}?annee={annee_code or code('2025-2026')}", valeurs)


def _url_absolue(chemin):
    return "http://testserver" + chemin


# --- Proposer ---------------------------------------------------------------------------------


def test_le_chef_designe_deux_rupn_a_des_taux_differents(
    chef_a, college_a, enseignant_a, annee_en_cours, django_capture_on_commit_callbacks
):
    client = client_de(chef_a)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _proposer(client, {"personne": enseignant_a.pk})
        assert reponse.status_code == 302
        reponse = _proposer(
            client,
            {"email": "Nouveau.Prof@AC-toulouse.fr", "first_name": "Léo", "last_name": "Martin", "taux": taux(625).pk},
        )
        assert reponse.status_code == 302
    designations = Designation.objects.filter(etablissement=college_a).order_by("montant")
    assert [(d.agent.email, d.montant, d.statut) for d in designations] == [
        ("nouveau.prof@ac-toulouse.fr", Decimal("625.00"), "proposee"),
        ("enseignante.a@ac-toulouse.fr", Decimal("1250.00"), "proposee"),
    ]
    nouveau = Utilisateur.objects.get(email="nouveau.prof@ac-toulouse.fr")
    assert not nouveau.has_usable_password() and nouveau.get_full_name() == "Léo Martin"
    assert sorted(m.to[0] for m in mail.outbox) == ["enseignante.a@ac-toulouse.fr", "nouveau.prof@ac-toulouse.fr"]
    lien = reverse("missions:designation_repondre", args=[designations[0].jeton])
    assert any(lien in m.body for m in mail.outbox)
    assert all(d.transitions.get().vers == "proposee" and d.transitions.get().par == chef_a for d in designations)


def test_une_personne_peut_etre_rupn_dans_deux_etablissements(chef_a, chef_b, college_b, annee_en_cours):
    personne = UtilisateurFactory(email="deux.ecoles@ac-toulouse.fr")
    une_designation(etablissement=college_b, agent=personne)
    reponse = _proposer(client_de(chef_a), {"email": personne.email, "first_name": "Autre", "last_name": "Nom"})
    assert reponse.status_code == 302
    assert personne.designations.count() == 2
    personne.refresh_from_db()
    assert personne.last_name != "Nom", "un compte existant garde ses nom et prénom"


@pytest.mark.parametrize(
    ("donnees", "champ", "message"),
    [
        ({"heures_allegement": "2"}, "heures_allegement", "jamais les deux"),
        ({"taux": None}, "taux", "Choisissez la reconnaissance"),
        ({"debut": iso("2025-08-01")}, "debut", f"dans l'année scolaire {code('2025-2026')}"),
        ({"fin": iso("2026-09-30")}, "fin", f"dans l'année scolaire {code('2025-2026')}"),
        ({"debut": iso("2026-03-01"), "fin": iso("2026-01-31")}, "fin", "précède son début"),
        ({"taux": None, "heures_allegement": "-1"}, "heures_allegement", "nombre positif"),
        ({"personne": None}, "personne", "Choisissez la personne"),
        ({"avis_conseil_pedagogique": iso("2026-09-15")}, "avis_conseil_pedagogique", "précède la fin de la mission"),
        ({"personne": None, "email": "inconnu@ac-toulouse.fr"}, "last_name", "prénom et le nom"),
        ({"email": "inconnu@ac-toulouse.fr"}, "email", "pas les deux"),
        ({"personne": None, "email": "pas-une-adresse"}, "email", "adresse de courriel valide"),
    ],
)
def test_une_saisie_fautive_est_refusee_en_francais_et_rien_n_est_enregistre(
    chef_a, enseignant_a, annee_en_cours, donnees, champ, message
):
    reponse = _proposer(client_de(chef_a), {"personne": enseignant_a.pk, **donnees})
    assert reponse.status_code == 200
    assert message in " ".join(reponse.context["form"].errors[champ])
    assert not Designation.objects.exists()
    assert not Utilisateur.objects.filter(email="inconnu@ac-toulouse.fr").exists()


def test_un_taux_non_autorise_par_l_academie_est_refuse(chef_a, college_a, enseignant_a, annee_en_cours):
    academie("16").taux_imp.remove(taux(3750))
    reponse = _proposer(client_de(chef_a), {"personne": enseignant_a.pk, "taux": taux(3750).pk})
    assert "taux" in reponse.context["form"].errors
    assert not Designation.objects.exists()
    # Le service refuse aussi, sans passer par le formulaire.
    designation = Designation(
        etablissement=college_a,
        annee=annee_en_cours,
        agent=enseignant_a,
        taux=taux(3750),
        debut=D(2025, 9, 1),
        fin=D(2026, 8, 31),
    )
    with pytest.raises(Exception, match="pas autorisé"):
        services.designation_proposer(designation=designation, par=chef_a, url_absolue=_url_absolue)


def test_la_meme_personne_deux_fois_la_meme_annee_est_refusee(chef_a, college_a, enseignant_a, annee_en_cours):
    une_designation(etablissement=college_a, agent=enseignant_a)
    reponse = _proposer(client_de(chef_a), {"personne": enseignant_a.pk, "taux": taux(625).pk})
    assert "déjà désigné(e) dans cet établissement" in " ".join(reponse.context["form"].non_field_errors())
    assert Designation.objects.count() == 1


def test_apres_un_refus_la_personne_peut_etre_proposee_de_nouveau(chef_a, college_a, enseignant_a, annee_en_cours):
    une_designation(etablissement=college_a, agent=enseignant_a, refusee=True)
    assert _proposer(client_de(chef_a), {"personne": enseignant_a.pk}).status_code == 302


def test_la_personne_d_un_autre_etablissement_n_est_pas_dans_la_liste(chef_a, college_b, annee_en_cours):
    autre = UtilisateurFactory()
    RoleFactory(utilisateur=autre, type=Role.Type.RUPN, etablissement=college_b)
    reponse = _proposer(client_de(chef_a), {"personne": autre.pk})
    assert "pas connue dans votre établissement" in " ".join(reponse.context["form"].errors["personne"])
    assert not Designation.objects.exists()


def test_un_etablissement_ferme_ne_designe_plus(chef_a, college_a, enseignant_a, annee_en_cours):
    college_a.ouvert = False
    college_a.save()
    reponse = _proposer(client_de(chef_a), {"personne": enseignant_a.pk})
    assert "fermé" in " ".join(reponse.context["form"].non_field_errors())
    assert not Designation.objects.exists()


def test_un_etablissement_prive_n_a_pas_d_avis_du_conseil_d_administration(annee_en_cours):
    prive = EtablissementFactory(prive=True)
    chef = RoleFactory(type=Role.Type.CHEF, etablissement=prive).utilisateur
    client = client_de(chef)
    reponse = client.get(f"{URL_CREER}?annee={code('2025-2026')}")
    assert "avis_conseil_administration" not in reponse.context["form"].fields
    designation = Designation(
        etablissement=prive,
        annee=annee_en_cours,
        agent=UtilisateurFactory(),
        taux=taux(1250),
        debut=D(2025, 9, 1),
        fin=D(2026, 8, 31),
        avis_conseil_administration=D(2025, 9, 20),
    )
    with pytest.raises(Exception, match="pas de conseil d'administration"):
        services.designation_proposer(designation=designation, par=chef, url_absolue=_url_absolue)
    assert not Designation.objects.exists()


def test_une_annee_inconnue_repond_404(chef_a):
    assert client_de(chef_a).get(f"{URL_CREER}?annee=1999-2000").status_code == 404


# --- Répondre ---------------------------------------------------------------------------------


def test_la_personne_accepte_par_le_lien_du_courriel_et_choisit_son_mot_de_passe(
    chef_a, college_a, anonyme, annee_en_cours, django_capture_on_commit_callbacks
):
    nouveau = Utilisateur.objects.create_user("nouveau@ac-toulouse.fr", None, first_name="Léo", last_name="Martin")
    designation = une_designation(etablissement=college_a, agent=nouveau, cree_par=chef_a)
    url = reverse("missions:designation_repondre", args=[designation.jeton])
    page = anonyme.get(url)
    assert page.status_code == 200 and "Choisissez un mot de passe" in page.content.decode()
    reponse = anonyme.post(url, {"action": "accepter", "mot_de_passe": "court", "confirmation": "court"})
    assert reponse.status_code == 400
    designation.refresh_from_db()
    assert designation.statut == "proposee"
    with django_capture_on_commit_callbacks(execute=True):
        reponse = anonyme.post(
            url,
            {
                "action": "accepter",
                "mot_de_passe": "Un-mot-de-passe-solide-42",
                "confirmation": "Un-mot-de-passe-solide-42",
            },
        )
    assert reponse.status_code == 302
    designation.refresh_from_db()
    nouveau.refresh_from_db()
    assert designation.statut == "acceptee"
    assert nouveau.check_password("Un-mot-de-passe-solide-42")
    assert nouveau.emailaddress_set.get().verified
    role = Role.objects.get(utilisateur=nouveau, type=Role.Type.RUPN, etablissement=college_a)
    assert (role.debut, role.fin) == (D(2025, 9, 1), D(2026, 8, 31))
    assert [m.to for m in mail.outbox] == [["chef.a@rupn.example"]]
    assert "a acceptée sa désignation" in mail.outbox[0].subject
    transition = designation.transitions.get(vers="acceptee")
    assert (transition.de, transition.par) == ("proposee", nouveau)
    # Le lien ne sert qu'une fois : il affiche ensuite l'état.
    assert "acceptée" in anonyme.get(url).content.decode()
    assert anonyme.post(url, {"action": "refuser", "motif": "non"}).status_code == 400
    designation.refresh_from_db()
    assert designation.statut == "acceptee"


def test_la_personne_refuse_avec_un_motif(
    chef_a, college_a, anonyme, annee_en_cours, django_capture_on_commit_callbacks
):
    designation = une_designation(etablissement=college_a, cree_par=chef_a)
    url = reverse("missions:designation_repondre", args=[designation.jeton])
    assert anonyme.post(url, {"action": "refuser", "motif": "  "}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        anonyme.post(url, {"action": "refuser", "motif": "Je pars en formation cette année."})
    designation.refresh_from_db()
    assert (designation.statut, designation.motif_refus) == ("refusee", "Je pars en formation cette année.")
    assert "Je pars en formation" in mail.outbox[0].body
    assert not Role.objects.filter(utilisateur=designation.agent).exists()


def test_le_lien_ouvert_par_une_autre_personne_connectee_ne_repond_pas(chef_b, college_a, annee_en_cours):
    designation = une_designation(etablissement=college_a)
    url = reverse("missions:designation_repondre", args=[designation.jeton])
    client = client_de(chef_b)
    assert "autre personne" in client.get(url).content.decode()
    client.post(url, {"action": "refuser", "motif": "non"})
    designation.refresh_from_db()
    assert designation.statut == "proposee"


def test_un_jeton_inconnu_repond_404(anonyme, db):
    assert anonyme.get(reverse("missions:designation_repondre", args=["inconnu"])).status_code == 404


def test_la_personne_connectee_repond_depuis_sa_page(rupn_a, college_a, annee_en_cours):
    designation = une_designation(etablissement=college_a, agent=rupn_a)
    client = client_de(rupn_a)
    page = client.get(reverse("missions:mes_designations"))
    assert "attend votre réponse" in page.content.decode()
    assert "J'accepte la mission" in client.get(designation.get_absolute_url()).content.decode()
    client.post(reverse("missions:designation_accepter", args=[designation.uuid]))
    designation.refresh_from_db()
    assert designation.statut == "acceptee"
    autre = une_designation(etablissement=college_a, agent=rupn_a, annee=annee(code("2026-2027")))
    reponse = client.post(reverse("missions:designation_refuser", args=[autre.uuid]), {"motif": ""})
    assert reponse.status_code == 400 and "Indiquez le motif" in reponse.content.decode()
    client.post(reverse("missions:designation_refuser", args=[autre.uuid]), {"motif": "Trop de charge."})
    autre.refresh_from_db()
    assert autre.statut == "refusee"


def test_un_double_clic_n_accepte_qu_une_fois(rupn_a, college_a, annee_en_cours):
    designation = une_designation(etablissement=college_a, agent=rupn_a)
    client = client_de(rupn_a)
    url = reverse("missions:designation_accepter", args=[designation.uuid])
    client.post(url)
    client.post(url)
    assert designation.transitions.filter(vers="acceptee").count() == 1


# --- Mettre fin, remplacer --------------------------------------------------------------------


def test_un_remplacement_en_cours_d_annee_partage_l_indemnite_au_prorata(
    chef_a, college_a, enseignant_a, annee_en_cours
):
    designation = une_designation(etablissement=college_a, agent=enseignant_a, validee=True)
    client = client_de(chef_a)
    reponse = client.post(
        reverse("missions:designation_terminer", args=[designation.uuid]),
        {"fin": iso("2026-01-31"), "motif": "Mutation", "remplacer": "on"},
    )
    assert reponse.status_code == 302 and f"remplace={designation.uuid}" in reponse["Location"]
    designation.refresh_from_db()
    assert (designation.statut, designation.fin, designation.nb_mois, designation.montant) == (
        "terminee",
        D(2026, 1, 31),
        5,
        Decimal("520.83"),
    )
    assert "Mutation" in designation.transitions.get(vers="terminee").commentaire
    formulaire = client.get(reponse["Location"]).context["form"]
    assert formulaire.initial["debut"] == D(2026, 2, 1)
    client.post(
        reponse["Location"],
        {
            "email": "remplacant@ac-toulouse.fr",
            "first_name": "Zoé",
            "last_name": "Petit",
            "debut": iso("2026-02-01"),
            "fin": iso("2026-08-31"),
            "taux": taux(1250).pk,
        },
    )
    remplacant = Designation.objects.get(agent__email="remplacant@ac-toulouse.fr")
    assert remplacant.remplace == designation
    assert (remplacant.nb_mois, remplacant.montant) == (7, Decimal("729.17"))
    assert designation.montant + remplacant.montant == Decimal("1250.00")


def test_on_ne_met_pas_fin_apres_la_fin_ni_avant_le_debut(chef_a, college_a, annee_en_cours):
    designation = une_designation(etablissement=college_a, validee=True, debut=D(2025, 10, 1))
    url = reverse("missions:designation_terminer", args=[designation.uuid])
    for fin, message in ((iso("2026-08-31"), "antérieure"), (iso("2025-09-15"), "postérieure")):
        reponse = client_de(chef_a).post(url, {"fin": fin})
        assert message in " ".join(reponse.context["form"].errors["fin"])
    designation.refresh_from_db()
    assert designation.statut == "validee"


def test_une_designation_proposee_peut_etre_annulee_pas_une_validee(chef_a, college_a, annee_en_cours):
    proposee = une_designation(etablissement=college_a)
    validee = une_designation(etablissement=college_a, validee=True)
    client = client_de(chef_a)
    client.post(reverse("missions:designation_annuler", args=[proposee.uuid]))
    client.post(reverse("missions:designation_annuler", args=[validee.uuid]))
    proposee.refresh_from_db()
    validee.refresh_from_db()
    assert (proposee.statut, validee.statut) == ("annulee", "validee")
    # La personne ne peut plus accepter une désignation annulée.
    reponse = client_de(proposee.agent).post(reverse("missions:designation_accepter", args=[proposee.uuid]))
    proposee.refresh_from_db()
    assert reponse.status_code == 302 and proposee.statut == "annulee"


def _roles_rupn(personne):
    return list(
        Role.objects.filter(utilisateur=personne, type=Role.Type.RUPN).order_by("debut").values_list("debut", "fin")
    )


def test_le_role_rupn_suit_les_missions_acceptees(college_a, dane_toulouse, annee_en_cours):
    chef = RoleFactory(type=Role.Type.CHEF, etablissement=college_a).utilisateur
    designation = une_designation(etablissement=college_a)
    personne = designation.agent
    services.designation_accepter(designation=designation, par=personne, url_absolue=_url_absolue)
    assert _roles_rupn(personne) == [(D(2025, 9, 1), D(2026, 8, 31))]
    # L'an prochain est déjà accepté : un seul rôle couvre les deux années qui se suivent.
    suivante = une_designation(etablissement=college_a, agent=personne, annee=annee(code("2026-2027")))
    services.designation_accepter(designation=suivante, par=personne, url_absolue=_url_absolue)
    assert _roles_rupn(personne) == [(D(2025, 9, 1), D(2027, 8, 31))]
    # Fin de la mission de cette année en janvier : le rôle s'arrête en janvier et reprend l'an prochain.
    services.designations_valider(designations=[designation], par=dane_toulouse, url_absolue=_url_absolue)
    services.designation_terminer(designation=designation, par=chef, fin=D(2026, 1, 31))
    assert _roles_rupn(personne) == [(D(2025, 9, 1), D(2026, 1, 31)), (D(2026, 9, 1), D(2027, 8, 31))]
    # L'an prochain annulé : plus de rôle pour cette période.
    services.designation_annuler(designation=suivante, par=chef, url_absolue=_url_absolue)
    assert _roles_rupn(personne) == [(D(2025, 9, 1), D(2026, 1, 31))]


def test_on_ne_met_fin_qu_a_une_designation_validee(chef_a, college_a, annee_en_cours):
    acceptee = une_designation(etablissement=college_a, acceptee=True)
    reponse = client_de(chef_a).post(
        reverse("missions:designation_terminer", args=[acceptee.uuid]), {"fin": iso("2026-01-31")}
    )
    acceptee.refresh_from_db()
    assert reponse.status_code == 302 and acceptee.statut == "acceptee"
    assert "doit d'abord être validée" in client_de(chef_a).get(acceptee.get_absolute_url()).content.decode()


def test_l_annulation_est_ecrite_a_la_personne_avec_son_motif(
    chef_a, college_a, annee_en_cours, django_capture_on_commit_callbacks
):
    proposee = une_designation(etablissement=college_a)
    with django_capture_on_commit_callbacks(execute=True):
        client_de(chef_a).post(
            reverse("missions:designation_annuler", args=[proposee.uuid]), {"motif": "Erreur de personne."}
        )
    assert mail.outbox[0].to == [proposee.agent.email] and "Erreur de personne." in mail.outbox[0].body
    assert proposee.transitions.get(vers="annulee").commentaire == "Erreur de personne."


def test_la_dane_ne_valide_pas_sa_propre_designation(dane_toulouse, college_a, annee_en_cours):
    sienne = une_designation(etablissement=college_a, agent=dane_toulouse, acceptee=True)
    dane_toulouse.role_actif = dane_toulouse.roles.get()
    assert not sienne.peut_valider(dane_toulouse)
    assert services.designations_valider(designations=[sienne], par=dane_toulouse, url_absolue=_url_absolue) == 0
    sienne.refresh_from_db()
    assert sienne.statut == "acceptee"


def test_un_personnel_de_direction_n_est_pas_designe(chef_a, chef_b, annee_en_cours):
    reponse = _proposer(client_de(chef_a), {"email": chef_b.email, "first_name": "B", "last_name": "Chef"})
    assert "personnel de direction" in " ".join(reponse.context["form"].non_field_errors())
    assert not Designation.objects.exists()


def test_on_ne_designe_pas_pour_une_annee_passee(chef_a, college_a, enseignant_a, annee_en_cours):
    passee = code("2024-2025")
    annee(passee)
    assert client_de(chef_a).get(f"{URL_CREER}?annee={passee}").status_code == 404
    assert _proposer(client_de(chef_a), {"personne": enseignant_a.pk}, annee_code=passee).status_code == 404
    liste = client_de(chef_a).get(reverse("missions:designation_liste") + f"?annee={passee}")
    assert "close aux nouvelles désignations" in liste.content.decode()


def test_apres_la_reponse_le_lien_ne_montre_plus_que_l_etat(anonyme, college_a, annee_en_cours):
    mission = une_designation(etablissement=college_a, acceptee=True)
    page = anonyme.get(reverse("missions:designation_repondre", args=[mission.jeton])).content.decode()
    assert "acceptée" in page and mission.etablissement.nom not in page and str(mission.agent) not in page


@pytest.mark.parametrize(
    ("remplacee", "debut", "message"),
    [
        ("validee", "2026-02-01", "qu'une mission terminée"),
        ("terminee", "2026-01-15", "commence après"),
        ("deja_remplacee", "2026-02-01", "a déjà une personne qui la remplace"),
    ],
)
def test_les_regles_du_remplacement(chef_a, college_a, annee_en_cours, remplacee, debut, message):
    mission = une_designation(etablissement=college_a, validee=True)
    if remplacee != "validee":
        Designation.objects.filter(pk=mission.pk).update(statut="terminee", fin=D(2026, 1, 31))
    if remplacee == "deja_remplacee":
        une_designation(etablissement=college_a, remplace=mission, debut=D(2026, 2, 1))
    reponse = client_de(chef_a).post(
        f"{URL_CREER}?annee={code('2025-2026')}&remplace={mission.uuid}",
        {
            "email": "remplacant@ac-toulouse.fr",
            "first_name": "Zoé",
            "last_name": "Petit",
            "debut": iso(debut),
            "fin": iso("2026-08-31"),
            "taux": taux(1250).pk,
        },
    )
    assert message in " ".join(e for erreurs in reponse.context["form"].errors.values() for e in erreurs)
    assert not Designation.objects.filter(agent__email="remplacant@ac-toulouse.fr").exists()


def test_un_allegement_de_plus_de_18_heures_est_refuse(chef_a, enseignant_a, annee_en_cours):
    reponse = _proposer(client_de(chef_a), {"personne": enseignant_a.pk, "taux": None, "heures_allegement": "19"})
    assert "au plus 18" in " ".join(reponse.context["form"].errors["heures_allegement"])


def test_l_echeancier_de_la_fiche_vient_du_montant_enregistre(chef_a, college_a, annee_en_cours):
    mission = une_designation(etablissement=college_a, premier_mois_paiement=11)
    TauxIMP.objects.filter(pk=mission.taux_id).update(montant=999)  # une erreur de saisie corrigée ensuite
    college_a.academie.premier_mois_paiement = 10
    college_a.academie.save()
    lignes = client_de(chef_a).get(mission.get_absolute_url()).context["lignes"]
    assert sum(ligne.montant for ligne in lignes) == Decimal("1250.00") and lignes[0].mois.month == 11


# --- Renouveler -------------------------------------------------------------------------------


def test_renouveler_propose_de_nouveau_les_designations_de_l_an_dernier(
    chef_a, college_a, annee_en_cours, django_capture_on_commit_callbacks
):
    annee_2026 = annee(code("2026-2027"))
    validee = une_designation(etablissement=college_a, validee=True)
    allegement = une_designation(etablissement=college_a, acceptee=True, allegement=True)
    une_designation(etablissement=college_a, refusee=True)
    url = f"{reverse('missions:designation_renouveler')}?annee={code('2026-2027')}"
    client = client_de(chef_a)
    assert len(client.get(url).context["candidates"]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url, {"designations": [str(validee.uuid), str(allegement.uuid)]})
    assert reponse.status_code == 302
    nouvelles = sorted(Designation.objects.filter(annee=annee_2026), key=lambda d: d.taux_id is not None)
    assert [(d.agent, d.statut, d.taux, d.heures_allegement, d.debut) for d in nouvelles] == [
        (allegement.agent, "proposee", None, Decimal("2.0"), annee_2026.debut),
        (validee.agent, "proposee", taux(1250), None, annee_2026.debut),
    ]
    assert len(mail.outbox) == 2
    assert client.get(url).context["candidates"] == []


def test_le_renouvellement_est_tout_ou_rien(chef_a, college_a, annee_en_cours):
    annee(code("2026-2027"))
    premiere = une_designation(etablissement=college_a, validee=True, taux=taux(625))
    seconde = une_designation(etablissement=college_a, validee=True, taux=taux(3750))
    academie("16").taux_imp.remove(taux(3750))
    reponse = client_de(chef_a).post(
        f"{reverse('missions:designation_renouveler')}?annee={code('2026-2027')}",
        {"designations": [str(premiere.uuid), str(seconde.uuid)]},
    )
    assert reponse.status_code == 400
    assert "Aucune désignation n'a été renouvelée" in reponse.context["erreur"]
    assert not Designation.objects.filter(annee__code=code("2026-2027")).exists()


# --- Liste de l'établissement et enveloppe ----------------------------------------------------


def test_la_liste_signale_le_depassement_de_l_enveloppe(chef_a, college_a, college_b, annee_en_cours):
    une_designation(etablissement=college_a, validee=True, taux=taux(2500))
    une_designation(etablissement=college_a, taux=taux(1250))
    une_designation(etablissement=college_a, refusee=True, taux=taux(3750))
    une_designation(etablissement=college_b, taux=taux(3750))
    Enveloppe.objects.create(etablissement=college_a, annee=annee_en_cours, montant=3000)
    reponse = client_de(chef_a).get(reverse("missions:designation_liste") + f"?annee={code('2025-2026')}")
    assert reponse.context["engage"] == Decimal("3750.00")
    assert reponse.context["depassement"] is True
    assert "Enveloppe dépassée" in reponse.content.decode()
    assert len(reponse.context["designations"]) == 3


def test_la_fiche_montre_l_echeancier_et_l_historique(chef_a, college_a, annee_en_cours):
    designation = une_designation(etablissement=college_a, cree_par=chef_a)
    Transition.objects.create(designation=designation, vers="proposee", par=chef_a)
    reponse = client_de(chef_a).get(designation.get_absolute_url())
    lignes = reponse.context["lignes"]
    assert len(lignes) == 9 and sum(ligne.montant for ligne in lignes) == Decimal("1250.00")
    assert lignes[0].mois == D(2025, 10, 1)
    contenu = reponse.content.decode()
    assert f"Octobre {2025 + DECALAGE}" in contenu and str(chef_a) in contenu


def test_les_taux_de_l_arrete_de_2015_sont_en_base_et_dates(db):
    montants = sorted(TauxIMP.objects.en_vigueur(datetime.date(2025, 9, 1)).values_list("montant", flat=True))
    assert montants == [Decimal("312.50"), Decimal("625"), Decimal("1250"), Decimal("2500"), Decimal("3750")]
    assert not TauxIMP.objects.en_vigueur(datetime.date(2014, 9, 1)).exists()
    assert taux(312.5).montant_affiche == "312,50 €" and taux(1250).montant_affiche == "1\u202f250 €"


def test_les_courriels_texte_ne_sont_pas_echappes(
    chef_a, enseignant_a, college_a, annee_en_cours, django_capture_on_commit_callbacks
):
    college_a.nom = "Collège de l'Hérault"
    college_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        _proposer(client_de(chef_a), {"personne": enseignant_a.pk})
    assert "Collège de l'Hérault" in mail.outbox[0].body and "&#x27;" not in mail.outbox[0].body


def test_l_allegement_s_affiche_en_heures_a_la_francaise(college_a, annee_en_cours):
    designation = une_designation(etablissement=college_a, allegement=True, heures_allegement=Decimal("1.5"))
    designation.refresh_from_db()
    assert designation.reconnaissance == "allègement de service de 1,5 h par semaine"
    designation.heures_allegement = Decimal("2.0")
    assert designation.reconnaissance == "allègement de service de 2 h par semaine"
