"""Matrice d'accès : chaque URL est publique, personnelle (toute personne connectée) ou
couverte ici pour chaque persona. Hors du rôle : 403 ; hors du périmètre : 404.

Le méta-test parcourt le résolveur d'URL : une URL nouvelle qui n'est dans aucune
liste fait échouer la suite (à la manière de Zulip).
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lettres.models import ModeleLettre
from rupn.comptes.models import Invitation, Role
from rupn.territoires.models import ImportAnnuaire
from tests.conftest import client_de

# Pages ouvertes sans connexion (revue à chaque ajout).
PUBLIQUES = {
    "accueil",
    "mentions_legales",
    "donnees_personnelles",
    "accessibilite",
    "plan_du_site",
    "comptes:invitation_accepter",
    "missions:designation_repondre",
    "lettres:verification",
    "lettres:verification_code",
    "account_login",
    "account_logout",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_confirm_login_code",
    "account_email_verification_sent",
    "account_inactive",
    "mfa_authenticate",
    "proconnect_login",
    "proconnect_callback",
    "proconnect_logout_callback",
    "socialaccount_login_cancelled",
    "socialaccount_signup",
}

# Pages de la personne connectée elle-même (compte, mot de passe, double authentification).
PERSONNELLES = {
    "account_change_password",
    "account_set_password",
    "account_email",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_generate_recovery_codes",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "socialaccount_connections",
    "socialaccount_login_error",
    "comptes:role_choisir",
    "missions:mes_designations",
    "lettres:mes_lettres",
}

PERSONAS = [
    "anonyme",
    "chef_a",
    "adjoint_a",
    "rupn_a",
    "chef_b",
    "dane_toulouse",
    "dane_montpellier",
    "correspondant_31",
    "national",
]


@dataclass
class Cas:
    nom: str
    attentes: dict  # persona → code HTTP attendu ; "login" = renvoi vers la connexion
    objet: str | None = None  # fixture qui fournit l'argument de l'URL
    methode: str = "get"
    args: list = field(default_factory=list)


ACADEMIQUES_OK = {"dane_toulouse": 200, "dane_montpellier": 200, "correspondant_31": 200, "national": 200}
ETABLISSEMENT_REFUSE = {"chef_a": 403, "adjoint_a": 403, "rupn_a": 403, "chef_b": 403}
DANE_SEULEMENT = {
    **ETABLISSEMENT_REFUSE,
    "dane_toulouse": 200,
    "dane_montpellier": 200,
    "correspondant_31": 403,
    "national": 403,
}
DIRECTION_SEULEMENT = {
    "chef_a": 200,
    "adjoint_a": 200,
    "rupn_a": 403,
    "chef_b": 200,
    "dane_toulouse": 403,
    "dane_montpellier": 403,
    "correspondant_31": 403,
    "national": 403,
}
# Une désignation du collège A : sa direction, son académie, son correspondant, le national.
DESIGNATION_A = {
    "chef_a": 200,
    "adjoint_a": 200,
    "rupn_a": 404,
    "chef_b": 404,
    "dane_toulouse": 200,
    "dane_montpellier": 404,
    "correspondant_31": 200,
    "national": 200,
}
# Une action de la direction du collège A sur une de ses désignations.
GESTION_DESIGNATION_A = {
    "chef_a": 302,
    "adjoint_a": 302,
    "rupn_a": 403,
    "chef_b": 404,
    "dane_toulouse": 403,
    "dane_montpellier": 403,
    "correspondant_31": 403,
    "national": 403,
}
# Ce que seule la personne désignée (rupn_a) fait : les autres ne voient pas la désignation.
PERSONNE_DESIGNEE = {persona: 404 for persona in PERSONAS if persona != "anonyme"}
# Les pages du journal d'activités : au RUPN seul (les autres rôles n'ont pas la page).
RUPN_SEULEMENT = {**{persona: 403 for persona in PERSONAS if persona != "anonyme"}, "rupn_a": 200}

# Le compte-rendu d'une participation du collège A : son RUPN, sa direction, son académie.
COMPTE_RENDU_A = {**DESIGNATION_A, "rupn_a": 200}
# La saisie de cette participation : son RUPN seulement ; 403 pour qui la voit sans la remplir.
SAISIE_A = {
    "chef_a": 403,
    "adjoint_a": 403,
    "rupn_a": 200,
    "chef_b": 404,
    "dane_toulouse": 403,
    "dane_montpellier": 404,
    "correspondant_31": 403,
    "national": 403,
}

INVITANTS = {
    "chef_a": 200,
    "adjoint_a": 200,
    "rupn_a": 403,
    "chef_b": 200,
    "dane_toulouse": 200,
    "dane_montpellier": 200,
    "correspondant_31": 403,
    "national": 200,
}

# L'enquête de fin d'année de Toulouse : sa DANE la construit ; le correspondant et le national la lisent.
ENQUETE_LECTURE = {
    **ETABLISSEMENT_REFUSE,
    "dane_toulouse": 200,
    "dane_montpellier": 404,
    "correspondant_31": 200,
    "national": 200,
}
ENQUETE_ECRITURE = {**ENQUETE_LECTURE, "correspondant_31": 403, "national": 403}

CAS = [
    Cas("territoires:etablissement_liste", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}),
    Cas("territoires:etablissement_export", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}, args=["csv"]),
    Cas(
        "territoires:etablissement_detail",
        {
            "chef_a": 200,
            "adjoint_a": 200,
            "rupn_a": 200,
            "chef_b": 404,
            "dane_toulouse": 200,
            "dane_montpellier": 404,
            "correspondant_31": 200,
            "national": 200,
        },
        objet="college_a",
    ),
    Cas("territoires:import_liste", DANE_SEULEMENT),
    Cas("territoires:academie_parametres", DANE_SEULEMENT),
    Cas(
        "territoires:import_apercu",
        {**DANE_SEULEMENT, "dane_montpellier": 404},
        objet="depot_toulouse",
    ),
    Cas(
        "territoires:import_avancement",
        {**DANE_SEULEMENT, "dane_montpellier": 404},
        objet="depot_toulouse",
    ),
    Cas(
        "territoires:import_confirmer",
        {**DANE_SEULEMENT, "dane_toulouse": 302, "dane_montpellier": 404},
        objet="depot_toulouse",
        methode="post",
    ),
    Cas(
        "territoires:import_abandonner",
        {**DANE_SEULEMENT, "dane_toulouse": 302, "dane_montpellier": 404},
        objet="depot_toulouse",
        methode="post",
    ),
    Cas("missions:designation_liste", DIRECTION_SEULEMENT),
    Cas("missions:designation_creer", DIRECTION_SEULEMENT),
    Cas("missions:designation_renouveler", DIRECTION_SEULEMENT),
    Cas("missions:designation_detail", DESIGNATION_A, objet="designation_a"),
    Cas("missions:designation_detail", {**DESIGNATION_A, "rupn_a": 200}, objet="designation_de_rupn_a"),
    Cas("missions:designation_annuler", GESTION_DESIGNATION_A, objet="designation_a", methode="post"),
    Cas(
        "missions:designation_terminer",
        {**GESTION_DESIGNATION_A, "chef_a": 200, "adjoint_a": 200},
        objet="designation_validee_a",
    ),
    Cas(
        "missions:designation_accepter",
        {**PERSONNE_DESIGNEE, "rupn_a": 302},
        objet="designation_de_rupn_a",
        methode="post",
    ),
    Cas("missions:designation_refuser", {**PERSONNE_DESIGNEE, "rupn_a": 200}, objet="designation_de_rupn_a"),
    # Journal d'activités : une entrée de rupn_a (collège A), et une d'un autre RUPN du même collège.
    Cas("missions:journal", RUPN_SEULEMENT),
    Cas("missions:journal_creer", RUPN_SEULEMENT),
    Cas("missions:journal_export", RUPN_SEULEMENT),
    Cas("missions:journal_modifier", RUPN_SEULEMENT, objet="activite_a"),
    Cas("missions:journal_supprimer", RUPN_SEULEMENT, objet="activite_a"),
    Cas("missions:journal_supprimer", {**RUPN_SEULEMENT, "rupn_a": 302}, objet="activite_a", methode="post"),
    Cas("missions:journal_modifier", {**RUPN_SEULEMENT, "rupn_a": 404}, objet="activite_d_un_autre_rupn"),
    Cas(
        "missions:journal_supprimer",
        {**RUPN_SEULEMENT, "rupn_a": 404},
        objet="activite_d_un_autre_rupn",
        methode="post",
    ),
    Cas("missions:academie_designations", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}),
    Cas("missions:designation_export", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}, args=["designations", "csv"]),
    Cas("missions:designation_export", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}, args=["echeancier", "xlsx"]),
    Cas(
        "missions:designations_valider",
        {**DANE_SEULEMENT, "dane_toulouse": 302, "dane_montpellier": 302},
        methode="post",
    ),
    Cas("missions:couverture", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}),
    Cas(
        "missions:couverture_relancer",
        {**DANE_SEULEMENT, "dane_toulouse": 302, "dane_montpellier": 302},
        methode="post",
    ),
    Cas("missions:enveloppe_liste", DANE_SEULEMENT),
    Cas("missions:enveloppe_modifier", {**DANE_SEULEMENT, "dane_montpellier": 404}, objet="college_a"),
    Cas("missions:taux_parametres", DANE_SEULEMENT),
    Cas("lettres:modele", DANE_SEULEMENT),
    # Un envoi vide : le formulaire revient avec ses erreurs, rien n'est enregistré.
    Cas("lettres:modele", DANE_SEULEMENT, methode="post"),
    # Une version du modèle de Toulouse : sa DANE, et le national en lecture seule.
    Cas(
        "lettres:modele_version",
        {**DANE_SEULEMENT, "dane_montpellier": 404, "national": 200},
        objet="modele_toulouse",
    ),
    # Une lettre (brouillon) du collège A dont rupn_a est le RUPN ; les actions sont postées sans données.
    Cas("lettres:lettre_liste", DIRECTION_SEULEMENT),
    Cas("lettres:lettre_creer", DIRECTION_SEULEMENT),
    Cas("lettres:lettre_detail", {**DESIGNATION_A, "rupn_a": 200}, objet="lettre_a"),
    Cas("lettres:lettre_modifier", {**GESTION_DESIGNATION_A, "chef_a": 200, "adjoint_a": 200}, objet="lettre_a"),
    Cas("lettres:lettre_envoyer", GESTION_DESIGNATION_A, objet="lettre_a", methode="post"),
    Cas(
        "lettres:lettre_commenter",
        {**GESTION_DESIGNATION_A, "rupn_a": 302, "dane_montpellier": 404},
        objet="lettre_a",
        methode="post",
    ),
    Cas(
        "lettres:lettre_approuver",
        {**{persona: 403 for persona in PERSONAS if persona != "anonyme"}, "rupn_a": 302},
        objet="lettre_a",
        methode="post",
    ),
    Cas(
        "lettres:lettre_signer",
        {
            **DESIGNATION_A,
            "chef_a": 302,
            "adjoint_a": 302,
            "rupn_a": 302,
            "dane_toulouse": 403,
            "correspondant_31": 403,
            "national": 403,
        },
        objet="lettre_a",
    ),
    # Une lettre scellée du collège A (son PDF est un fichier factice : le sceau n'est pas en cause ici).
    Cas("lettres:lettre_pdf", {**DESIGNATION_A, "rupn_a": 200}, objet="lettre_scellee_a"),
    Cas("lettres:lettre_annuler", {**GESTION_DESIGNATION_A, "chef_a": 200, "adjoint_a": 200}, objet="lettre_scellee_a"),
    Cas("lettres:lettre_avenant", GESTION_DESIGNATION_A, objet="lettre_scellee_a", methode="post"),
    Cas("lettres:academie_lettres", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}),
    Cas("lettres:lettre_export", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}),
    # Sans lettre scellée dans le périmètre, l'archive renvoie à la liste ; son contenu : tests/lettres/test_zip.py.
    Cas("lettres:lettre_zip", {**ETABLISSEMENT_REFUSE, **dict.fromkeys(ACADEMIQUES_OK, 302)}),
    Cas("comptes:invitation_liste", INVITANTS),
    Cas("comptes:invitation_creer", INVITANTS),
    Cas(
        "comptes:invitation_annuler",
        {
            "chef_a": 302,
            "adjoint_a": 302,
            "rupn_a": 403,
            "chef_b": 404,
            "dane_toulouse": 302,
            "dane_montpellier": 404,
            "correspondant_31": 403,
            "national": 302,
        },
        objet="invitation_a",
        methode="post",
    ),
    # Enquête de fin d'année : la participation envoyée de rupn_a (collège A). Le compte-rendu se lit dans le
    # périmètre ; la saisie n'est qu'au RUPN : 403 pour la direction et l'académie, qui voient la participation.
    Cas("enquetes:mes_enquetes", {**{persona: 403 for persona in PERSONAS if persona != "anonyme"}, "rupn_a": 200}),
    Cas("enquetes:participation_detail", COMPTE_RENDU_A, objet="participation_envoyee_a"),
    Cas("enquetes:compte_rendu_pdf", COMPTE_RENDU_A, objet="participation_envoyee_a"),
    Cas("enquetes:participation_etape", SAISIE_A, objet="participation_envoyee_a", args=[1]),
    Cas(
        "enquetes:participation_etape",
        {**SAISIE_A, "rupn_a": 302},
        objet="participation_envoyee_a",
        args=[1],
        methode="post",
    ),
    Cas("enquetes:participation_recapitulatif", SAISIE_A, objet="participation_envoyee_a"),
    Cas(
        "enquetes:participation_soumettre",
        {**SAISIE_A, "rupn_a": 302},
        objet="participation_envoyee_a",
        methode="post",
    ),
    Cas(
        "enquetes:prendre_connaissance",
        {**SAISIE_A, "chef_a": 302, "adjoint_a": 302, "rupn_a": 403},
        objet="participation_envoyee_a",
        methode="post",
    ),
    Cas("enquetes:comptes_rendus", DIRECTION_SEULEMENT),
    # Construction de l'enquête de Toulouse et sa campagne (les actions postées sans données).
    Cas("enquetes:enquete_liste", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}),
    Cas("enquetes:enquete_creer", DANE_SEULEMENT),
    Cas("enquetes:enquete_detail", ENQUETE_LECTURE, objet="enquete_de_toulouse"),
    Cas("enquetes:enquete_apercu", ENQUETE_LECTURE, objet="enquete_de_toulouse"),
    Cas("enquetes:participation_liste", ENQUETE_LECTURE, objet="enquete_de_toulouse"),
    Cas("enquetes:enquete_modifier", ENQUETE_ECRITURE, objet="enquete_de_toulouse"),
    Cas(
        "enquetes:enquete_modifier",
        {**ENQUETE_ECRITURE, "dane_toulouse": 400},
        objet="enquete_de_toulouse",
        methode="post",
    ),
    Cas("enquetes:section_creer", ENQUETE_ECRITURE, objet="enquete_de_toulouse"),
    Cas("enquetes:section_modifier", ENQUETE_ECRITURE, objet="section_de_l_enquete"),
    Cas("enquetes:question_creer", ENQUETE_ECRITURE, objet="enquete_de_toulouse"),
    Cas("enquetes:question_modifier", ENQUETE_ECRITURE, objet="question_de_l_enquete"),
    Cas("enquetes:question_supprimer", ENQUETE_ECRITURE, objet="question_de_l_enquete"),
    Cas(
        "enquetes:question_supprimer",
        {**ENQUETE_ECRITURE, "dane_toulouse": 302},
        objet="question_de_l_enquete",
        methode="post",
    ),
    Cas("enquetes:campagne_lancer", ENQUETE_ECRITURE, objet="enquete_de_toulouse"),
    Cas(
        "enquetes:campagne_lancer",
        {**ENQUETE_ECRITURE, "dane_toulouse": 302},
        objet="enquete_de_toulouse",
        methode="post",
    ),
    Cas(
        "enquetes:participations_relancer",
        {**ENQUETE_ECRITURE, "dane_toulouse": 302},
        objet="enquete_de_toulouse",
        methode="post",
    ),
    Cas("enquetes:participation_rouvrir", ENQUETE_ECRITURE, objet="participation_envoyee_a"),
    Cas(
        "enquetes:participation_rouvrir",
        {**ENQUETE_ECRITURE, "dane_toulouse": 302},
        objet="participation_envoyee_a",
        methode="post",
    ),
    Cas("enquetes:enquete_analyse", ENQUETE_LECTURE, objet="enquete_de_toulouse"),
    Cas("enquetes:reponses_export", ENQUETE_LECTURE, objet="enquete_de_toulouse", args=["csv"]),
    Cas("enquetes:reponses_export", ENQUETE_LECTURE, objet="enquete_de_toulouse", args=["xlsx"]),
    # Grille de maturité numérique : celle de son établissement (direction, RUPN) ; la distribution à l'académie.
    Cas(
        "maturite:grille",
        {"chef_a": 200, "adjoint_a": 200, "rupn_a": 200, "chef_b": 200, **dict.fromkeys(ACADEMIQUES_OK, 403)},
    ),
    Cas("maturite:academie", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}),
    # Pilotage : tableaux de bord et listes de l'académie (relances : la DANE) ; page d'un établissement.
    Cas("pilotage:tableau_de_bord", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}),
    Cas("pilotage:evolution", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}),
    Cas("pilotage:etablissements", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}),
    Cas("pilotage:export", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}, args=["ventilation", "csv"]),
    Cas("pilotage:export", {**ETABLISSEMENT_REFUSE, **ACADEMIQUES_OK}, args=["etablissements", "xlsx"]),
    Cas(
        "pilotage:relancer",
        {**DANE_SEULEMENT, "dane_toulouse": 302, "dane_montpellier": 302},
        methode="post",
    ),
    Cas("pilotage:fiche", {**DESIGNATION_A, "rupn_a": 403}, objet="college_a"),
    Cas("pilotage:mon_etablissement", DIRECTION_SEULEMENT),
    # Un item posté sans données pour le collège A : 400 (item inconnu) pour qui le remplit, 404 hors périmètre.
    Cas(
        "maturite:item_enregistrer",
        {
            "chef_a": 400,
            "adjoint_a": 400,
            "rupn_a": 400,
            "chef_b": 404,
            **dict.fromkeys(ACADEMIQUES_OK, 403),
        },
        objet="college_a",
        methode="post",
    ),
    Cas("maturite:grille_modifier", DANE_SEULEMENT),
    # Un envoi vide : chaque libellé manque, le formulaire revient avec ses erreurs, rien n'est enregistré.
    Cas("maturite:grille_modifier", {**DANE_SEULEMENT, "dane_toulouse": 400, "dane_montpellier": 400}, methode="post"),
    # La version 1 de la grille de sa propre académie.
    Cas("maturite:grille_version", DANE_SEULEMENT, args=[1]),
]


@pytest.fixture
def depot_toulouse(dane_toulouse, tmp_path):
    from django.core.files.base import ContentFile

    depot = ImportAnnuaire(
        academie=dane_toulouse.roles.get().academie,
        nom_fichier="annuaire.csv",
        empreinte="0" * 64,
        auteur=dane_toulouse,
    )
    depot.fichier.save("annuaire.csv", ContentFile(b"identifiant_de_l_etablissement\n"), save=False)
    depot.save()
    return depot


@pytest.fixture
def lettre_a(college_a, rupn_a):
    from tests.factories import DesignationFactory, LettreMissionFactory

    designation = DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee_courante(), acceptee=True)
    return LettreMissionFactory(etablissement=college_a, annee=designation.annee, designations=[designation])


@pytest.fixture
def lettre_scellee_a(lettre_a):
    from django.core.files.base import ContentFile

    lettre_a.pdf.save("factice.pdf", ContentFile(b"%PDF-1.7 factice"), save=False)
    lettre_a.statut = "scellee"
    lettre_a.save()
    return lettre_a


@pytest.fixture
def modele_toulouse(db):
    from tests.factories import academie

    return ModeleLettre.objects.courant(academie("16"))


@pytest.fixture
def invitation_a(chef_a, college_a):
    return Invitation.objects.create(
        email="invite@rupn.example",
        type_role=Role.Type.RUPN,
        etablissement=college_a,
        academie=college_a.academie,
        invite_par=chef_a,
    )


@pytest.fixture
def designation_a(college_a):
    from tests.factories import DesignationFactory

    return DesignationFactory(etablissement=college_a, annee=annee_courante())


@pytest.fixture
def designation_de_rupn_a(college_a, rupn_a):
    from tests.factories import DesignationFactory

    return DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee_courante())


@pytest.fixture
def activite_a(college_a, rupn_a):
    """Une entrée du journal de rupn_a, sur sa désignation validée du collège A pour l'année en cours."""
    from tests.factories import DesignationFactory
    from tests.missions.factories import ActiviteFactory

    designation = DesignationFactory(etablissement=college_a, agent=rupn_a, annee=annee_courante(), validee=True)
    return ActiviteFactory(designation=designation)


@pytest.fixture
def activite_d_un_autre_rupn(college_a):
    from tests.missions.factories import ActiviteFactory

    return ActiviteFactory(designation__etablissement=college_a)


@pytest.fixture
def designation_validee_a(college_a):
    from tests.factories import DesignationFactory

    return DesignationFactory(etablissement=college_a, annee=annee_courante(), validee=True)


@pytest.fixture
def participation_envoyee_a(college_a, rupn_a):
    from django.utils import timezone

    from enquetes import services
    from tests.factories import DesignationFactory, academie

    enquete = services.enquete_creer(academie=academie("16"), annee=annee_courante())
    enquete.ouverture, enquete.lancee_le = timezone.localdate(), timezone.now()
    enquete.save()
    DesignationFactory(etablissement=college_a, agent=rupn_a, annee=enquete.annee, acceptee=True)
    (participation,) = services.participations_creer(enquete)
    participation.statut, participation.soumise_le = "soumise", timezone.now()
    participation.save()
    return participation


@pytest.fixture
def enquete_de_toulouse(db):
    from enquetes import services
    from tests.factories import academie

    return services.enquete_creer(academie=academie("16"), annee=annee_courante())


@pytest.fixture
def section_de_l_enquete(enquete_de_toulouse):
    """Sections et questions s'adressent par leur clé : `_url` lit `.uuid`."""
    from types import SimpleNamespace

    return SimpleNamespace(uuid=enquete_de_toulouse.sections.first().pk)


@pytest.fixture
def question_de_l_enquete(enquete_de_toulouse):
    from types import SimpleNamespace

    return SimpleNamespace(uuid=enquete_de_toulouse.questions.get(code="discipline").pk)


def annee_courante():
    from rupn.territoires.models import AnneeScolaire

    return AnneeScolaire.objects.courante()


def _url(cas, request):
    args = list(cas.args)
    if cas.objet:
        objet = request.getfixturevalue(cas.objet)
        args.insert(0, objet.uuid)  # l'objet d'abord : …/<uuid>/etape/<rang>/
    return reverse(cas.nom, args=args)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("cas", CAS, ids=lambda cas: cas.nom)
def test_matrice_d_acces(cas, persona, request):
    # Toutes les personas existent : les objets des autres ne doivent jamais fuiter.
    utilisateurs = {nom: request.getfixturevalue(nom) for nom in PERSONAS if nom != "anonyme"}
    url = _url(cas, request)
    client = request.getfixturevalue("anonyme") if persona == "anonyme" else client_de(utilisateurs[persona])
    reponse = getattr(client, cas.methode)(url)
    if reponse.streaming:
        # Lue jusqu'au bout, une réponse fichier (PDF) referme son fichier. Pas de reponse.close() : il
        # fermerait la connexion à PostgreSQL au milieu de la transaction du test.
        b"".join(reponse.streaming_content)
    if persona == "anonyme":
        assert reponse.status_code == 302
        assert reponse["Location"].startswith(reverse("account_login"))
    else:
        assert reponse.status_code == cas.attentes[persona], f"{persona} sur {url}"
    if reponse.status_code in (403, 404):
        assert "fr-header" in reponse.content.decode(), "les pages d'erreur gardent le gabarit DSFR"


@pytest.mark.parametrize("nom", sorted(PERSONNELLES - {"comptes:role_choisir"}))
def test_pages_personnelles_refusent_les_anonymes(nom, anonyme):
    reponse = anonyme.get(reverse(nom))
    assert reponse.status_code == 302
    assert reverse("account_login") in reponse["Location"]


def test_changer_de_role_refuse_les_anonymes_et_un_role_d_autrui(anonyme, chef_a, chef_b):
    reponse = anonyme.post(reverse("comptes:role_choisir"), {"role": "x"})
    assert reponse.status_code == 302 and reverse("account_login") in reponse["Location"]
    role_de_b = chef_b.roles.get()
    reponse = client_de(chef_a).post(reverse("comptes:role_choisir"), {"role": str(role_de_b.uuid)})
    assert reponse.status_code == 404


def test_les_pages_d_administration_demandent_un_compte_administrateur(anonyme, chef_a):
    reponse = anonyme.get("/admin/")
    assert reponse.status_code == 302
    reponse = client_de(chef_a).get("/admin/")
    assert reponse.status_code == 302 and "login" in reponse["Location"]


def _noms_d_url(resolveur=None, espace=""):
    for motif in (resolveur or get_resolver()).url_patterns:
        if isinstance(motif, URLResolver):
            yield from _noms_d_url(motif, espace + (f"{motif.namespace}:" if motif.namespace else ""))
        elif isinstance(motif, URLPattern) and motif.name:
            yield espace + motif.name


def test_chaque_url_est_publique_personnelle_ou_dans_la_matrice():
    couvertes = PUBLIQUES | PERSONNELLES | {cas.nom for cas in CAS}
    oubliees = sorted(nom for nom in set(_noms_d_url()) if not nom.startswith("admin:") and nom not in couvertes)
    assert oubliees == [], f"URL sans test d'accès : {oubliees}"
    for cas in CAS:
        assert set(cas.attentes) == set(PERSONAS) - {"anonyme"}, f"{cas.nom} : une persona manque"


def test_la_liste_publique_ne_contient_que_des_url_existantes():
    assert PUBLIQUES <= set(_noms_d_url())
    assert PERSONNELLES <= set(_noms_d_url())


@pytest.mark.parametrize("nom", sorted(PUBLIQUES))
def test_les_pages_publiques_s_ouvrent_sans_connexion(nom, anonyme, db):
    motif = next(m for m in _motifs() if m[0] == nom)
    if motif[1]:
        pytest.skip(f"{nom} attend un paramètre ({', '.join(motif[1])}) : testée avec un jeton valide ailleurs")
    reponse = anonyme.get(reverse(nom))
    assert not (reponse.status_code == 302 and reponse["Location"].startswith(reverse("account_login") + "?next"))


def _motifs(resolveur=None, espace=""):
    """(nom, paramètres) de chaque URL nommée."""
    for motif in (resolveur or get_resolver()).url_patterns:
        if isinstance(motif, URLResolver):
            yield from _motifs(motif, espace + (f"{motif.namespace}:" if motif.namespace else ""))
        elif isinstance(motif, URLPattern) and motif.name:
            yield espace + motif.name, list(motif.pattern.regex.groupindex)
