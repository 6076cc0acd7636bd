"""Données de démonstration : les vrais établissements de l'académie de Toulouse, des
personnes fictives, une par rôle, des désignations de RUPN (designations.py), leurs lettres
de mission (lettres.py), le journal d'activités des personas RUPN (journal.py) et des grilles de
maturité numérique (maturite.py).
Idempotent : relancer ne crée rien de plus.

Les issues suivantes ajoutent leurs étapes à ETAPES (lettres, enquêtes…).
"""

from dataclasses import dataclass
from pathlib import Path

from allauth.account.models import EmailAddress
from django.db import transaction
from django.test.utils import override_settings

from rupn.comptes.models import Role, Utilisateur
from rupn.pilotage.demo import designations, journal, lettres, maturite
from rupn.territoires.annuaire import importer_annuaire
from rupn.territoires.imports import depot_en_ligne_de_commande
from rupn.territoires.models import Academie, AnneeScolaire, Departement, Etablissement

FICHIER_ANNUAIRE = Path(__file__).resolve().parent / "annuaire_toulouse_2024-11-26.csv"
CODE_ACADEMIE = "16"
MOT_DE_PASSE = "demo-rupn-2026"


@dataclass(frozen=True)
class Persona:
    email: str
    prenom: str
    nom: str
    roles: tuple  # (type, UAI de l'établissement ou None)
    administrateur: bool = False


PERSONAS = [
    Persona("admin@demo.rupn.example", "Nadia", "Benali", ((Role.Type.NATIONAL, None),), administrateur=True),
    Persona("dane@demo.rupn.example", "Claire", "Dumas", ((Role.Type.DANE, None),)),
    Persona("correspondant31@demo.rupn.example", "Luc", "Ferrand", ((Role.Type.CORRESPONDANT, None),)),
    Persona("chef@demo.rupn.example", "Hélène", "Roussel", ((Role.Type.CHEF, "A"),)),
    Persona("adjoint@demo.rupn.example", "Marc", "Lefèvre", ((Role.Type.ADJOINT, "A"),)),
    Persona("rupn@demo.rupn.example", "Julie", "Garnier", ((Role.Type.RUPN, "A"),)),
    Persona("chef.lycee@demo.rupn.example", "Paul", "Chevalier", ((Role.Type.CHEF, "B"),)),
    Persona("rupn.deux@demo.rupn.example", "Samir", "Haddad", ((Role.Type.RUPN, "A"), (Role.Type.RUPN, "B"))),
]


def etablissements_demo():
    """A : le premier collège public de Toulouse ; B : le premier lycée public de Toulouse."""
    toulouse = Etablissement.objects.filter(academie__code=CODE_ACADEMIE, commune="Toulouse", secteur="public")
    return {
        "A": toulouse.filter(type=Etablissement.Type.COLLEGE).order_by("uai").first(),
        "B": toulouse.filter(type=Etablissement.Type.LYCEE, etablissement_mere__isnull=True).order_by("uai").first(),
    }


def charger_etablissements(sortie):
    academie = Academie.objects.get(code=CODE_ACADEMIE)
    contenu = FICHIER_ANNUAIRE.read_bytes()
    # L'historique des imports ne garde que le premier chargement de la démonstration.
    depot = None if academie.imports.exists() else depot_en_ligne_de_commande(academie, FICHIER_ANNUAIRE, contenu)
    bilan = importer_annuaire(contenu, academie, simulation=False, depot=depot)
    sortie(f"Établissements de l'académie de Toulouse : {bilan.resume()}.")


def charger_personnes(sortie):
    etablissements = etablissements_demo()
    academie = Academie.objects.get(code=CODE_ACADEMIE)
    haute_garonne = Departement.objects.get(code="031")
    for persona in PERSONAS:
        utilisateur, cree = Utilisateur.objects.get_or_create(
            email=persona.email,
            defaults={
                "first_name": persona.prenom,
                "last_name": persona.nom,
                "is_staff": persona.administrateur,
                "is_superuser": persona.administrateur,
            },
        )
        if cree:
            utilisateur.set_password(MOT_DE_PASSE)
            utilisateur.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=utilisateur, email=persona.email, defaults={"verified": True, "primary": True}
        )
        for type_role, cle in persona.roles:
            etablissement = etablissements[cle] if cle else None
            # Des essais dans la démonstration (fin d'une mission, nouvelle désignation) ont pu terminer
            # ce rôle ou en ajouter un : on reprend le premier et on le rend de nouveau valide.
            role = (
                Role.objects.filter(utilisateur=utilisateur, type=type_role, etablissement=etablissement)
                .order_by("pk")
                .first()
            )
            if role is None:
                role = Role.objects.create(
                    utilisateur=utilisateur,
                    type=type_role,
                    etablissement=etablissement,
                    academie=None if type_role == Role.Type.NATIONAL else academie,
                )
            elif role.fin is not None:
                role.fin = None
                role.save(update_fields=["fin"])
            if type_role == Role.Type.CORRESPONDANT:
                role.departements.set([haute_garonne])
    sortie(f"Personnes fictives : {len(PERSONAS)} comptes de démonstration.")


def charger_annees(sortie):
    annee = AnneeScolaire.objects.courante()
    sortie(f"Année scolaire en cours : {annee}.")


def charger_designations(sortie):
    academie = Academie.objects.get(code=CODE_ACADEMIE)
    designations.charger(sortie, academie=academie, etablissements=etablissements_demo())


def charger_lettres(sortie):
    academie = Academie.objects.get(code=CODE_ACADEMIE)
    lettres.charger(
        sortie,
        academie=academie,
        etablissements=etablissements_demo(),
        directions=designations.DIRECTIONS_DES_PERSONAS,
    )


def charger_journal(sortie):
    journal.charger(sortie)


def charger_maturite(sortie):
    academie = Academie.objects.get(code=CODE_ACADEMIE)
    maturite.charger(sortie, academie=academie, etablissements=etablissements_demo())


ETAPES = [
    charger_etablissements,
    charger_personnes,
    charger_annees,
    charger_designations,
    charger_lettres,
    charger_journal,
    charger_maturite,
]


def charger(sortie=print):
    # Les services écrivent aux personnes désignées et aux directions, une fois la transaction
    # validée : gardés en mémoire, ces courriels fictifs n'encombrent pas la console.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        for etape in ETAPES:
            etape(sortie)


def comptes_a_afficher():
    """(adresse, rôles) de chaque compte de démonstration, pour l'aide à la connexion."""
    etablissements = etablissements_demo()
    lignes = []
    for persona in PERSONAS:
        roles = ", ".join(
            f"{Role.Type(type_role).label}" + (f" — {etablissements[cle].nom}" if cle else "")
            for type_role, cle in persona.roles
        )
        lignes.append((persona.email, roles))
    return lignes
