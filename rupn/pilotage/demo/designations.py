"""Désignations de démonstration, pour l'année scolaire en cours et la précédente.

- Les personas : Julie Garnier (collège A) et Samir Haddad (collège A et lycée B) l'an dernier,
  Samir dans le lycée B cette année ; rien encore cette année dans le collège A, que le chef de
  la démonstration peut renouveler ou pourvoir.
- Une quarantaine d'autres établissements de l'académie, choisis par UAI, avec une direction et
  des RUPN fictifs (adresses @demo.rupn.example, sans mot de passe utilisable) dans des états
  variés : la DANE y voit une couverture partielle, des désignations à valider, un échéancier.
- Une enveloppe d'IMP par établissement et par année, dont une dépassée.

Tout passe par les services de missions/services.py, comme dans l'application. Une désignation
déjà présente (même établissement, même année, même personne) n'est pas recréée, ni une
enveloppe déjà fixée : relancer ne crée rien de plus.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from missions.models import Designation, Enveloppe, TauxIMP
from missions.services import (
    designation_accepter,
    designation_proposer,
    designation_refuser,
    designation_terminer,
    designations_valider,
    enveloppe_fixer,
)
from rupn.comptes.models import Role, Utilisateur
from rupn.courriels import url_du_site
from rupn.territoires.models import AnneeScolaire, Etablissement

Statut = Designation.Statut

DOMAINE = "demo.rupn.example"
NOMBRE_ETABLISSEMENTS = 40
PAS_ENVELOPPE = Decimal("1250")
# Une mission terminée en cours d'année l'est le 31 octobre ; la suivante commence le 1er novembre.
FIN_AVANT_REMPLACEMENT = (10, 31)


@dataclass(frozen=True)
class Mission:
    """Une désignation prévue dans un établissement de démonstration."""

    personne: int  # la 1re, la 2e… personne désignée dans l'établissement
    statut: str  # l'état où la mener
    precedente: bool = False  # dans l'année scolaire précédente plutôt qu'en cours
    taux: str | None = None  # montant annuel ; à défaut, celui de l'établissement
    heures_allegement: Decimal | None = None  # un allègement de service au lieu d'une IMP
    remplace: int | None = None  # la personne dont elle prend la suite, le lendemain de sa fin de mission


ALLEGEMENT = Decimal("2")
PROFILS = {
    "reconduite": (Mission(1, Statut.VALIDEE, precedente=True), Mission(1, Statut.VALIDEE)),
    "a_valider": (Mission(1, Statut.VALIDEE, precedente=True), Mission(1, Statut.ACCEPTEE)),
    "en_attente": (Mission(1, Statut.VALIDEE, precedente=True), Mission(1, Statut.PROPOSEE)),
    "refusee": (Mission(1, Statut.VALIDEE, precedente=True), Mission(1, Statut.REFUSEE)),
    "remplacement": (
        Mission(1, Statut.VALIDEE, precedente=True),
        Mission(1, Statut.TERMINEE),
        Mission(2, Statut.VALIDEE, remplace=1),
    ),
    "deux_rupn": (
        Mission(1, Statut.VALIDEE, precedente=True),
        Mission(1, Statut.VALIDEE),
        Mission(2, Statut.ACCEPTEE, taux="625"),
    ),
    "allegement": (
        Mission(1, Statut.VALIDEE, precedente=True, heures_allegement=ALLEGEMENT),
        Mission(1, Statut.VALIDEE, heures_allegement=ALLEGEMENT),
    ),
    "non_reconduite": (Mission(1, Statut.VALIDEE, precedente=True),),
    "nouvelle": (Mission(1, Statut.VALIDEE),),
    "refus_puis_proposition": (Mission(1, Statut.REFUSEE), Mission(2, Statut.PROPOSEE)),
}
# Profil de chaque établissement, à tour de rôle dans l'ordre des UAI.
SUCCESSION_DES_PROFILS = [
    "reconduite",
    "a_valider",
    "reconduite",
    "en_attente",
    "remplacement",
    "reconduite",
    "deux_rupn",
    "refusee",
    "reconduite",
    "non_reconduite",
    "nouvelle",
    "a_valider",
    "allegement",
    "reconduite",
    "refus_puis_proposition",
    "en_attente",
    "reconduite",
    "a_valider",
    "non_reconduite",
    "nouvelle",
]
# Taux de chaque établissement, à tour de rôle : 1 250 € le plus souvent, comme le taux de référence.
SUCCESSION_DES_TAUX = ["1250", "625", "1250", "2500", "1250", "3750", "1250", "625", "2500", "312.50"]
# Le premier établissement de ce profil reçoit une enveloppe inférieure à ce qu'il engage.
PROFIL_ENVELOPPE_DEPASSEE = "deux_rupn"

# Les personas : (adresse, établissement de démonstration, année précédente ?, taux).
DESIGNATIONS_DES_PERSONAS = [
    ("rupn@demo.rupn.example", "A", True, "1250"),
    ("rupn.deux@demo.rupn.example", "A", True, "625"),
    ("rupn.deux@demo.rupn.example", "B", True, "2500"),
    ("rupn.deux@demo.rupn.example", "B", False, "2500"),
]
DIRECTIONS_DES_PERSONAS = {"A": "chef@demo.rupn.example", "B": "chef.lycee@demo.rupn.example"}
DANE = "dane@demo.rupn.example"

MOTIFS_DE_REFUS = [
    "Je coordonne le pôle sciences cette année : je n'aurai pas le temps nécessaire.",
    "Je suis à temps partiel cette année ; je préfère laisser la mission à un collègue.",
]
MOTIF_DE_FIN = "Mutation en cours d'année."

PRENOMS = [
    "Amandine", "Bastien", "Camille", "Damien", "Élodie", "Fabien", "Gaëlle", "Hugo",
    "Inès", "Jérôme", "Karine", "Laurent", "Manon", "Nicolas", "Océane", "Pierre",
    "Quentin", "Romane", "Sébastien", "Thomas", "Ursule", "Valentin", "Yasmine", "Zoé",
]  # fmt: skip
NOMS = [
    "Arnaud", "Baron", "Carrère", "Delmas", "Escande", "Faure", "Gimenez", "Guiraud",
    "Lacombe", "Lafont", "Marty", "Mercadier", "Nogaret", "Olivier", "Pujol", "Rouquette",
    "Sabatier", "Salvat", "Teisseire", "Vidal", "Azéma", "Bousquet", "Cazals", "Fabre", "Maurel",
]  # fmt: skip


def _nom_fictif(numero):
    """Prénom et nom distincts pour chaque numéro jusqu'à 600 (24 et 25 sont premiers entre eux) :
    les RUPN ont les numéros 1 à 120, les directions 200 à 239."""
    return {"first_name": PRENOMS[numero % len(PRENOMS)], "last_name": NOMS[numero % len(NOMS)]}


def etablissements_fictifs(academie, exclus):
    """Une quarantaine d'établissements de l'académie, répartis sur la liste ordonnée par UAI."""
    candidats = list(
        Etablissement.objects.filter(academie=academie, ouvert=True, etablissement_mere__isnull=True)
        .exclude(pk__in=[etablissement.pk for etablissement in exclus])
        .order_by("uai")
    )
    pas = max(1, len(candidats) // NOMBRE_ETABLISSEMENTS)
    return candidats[::pas][:NOMBRE_ETABLISSEMENTS]


class Chargement:
    """Crée les désignations et les enveloppes manquantes, et compte ce qu'il fait."""

    def __init__(self, academie, precedente, courante):
        self.academie = academie
        self.annees = {True: precedente, False: courante}  # année précédente ? → année scolaire
        self.dane = Utilisateur.objects.get(email=DANE)
        self.creees = 0
        self.presentes = 0
        self.enveloppes = 0

    def taux(self, annee, montant):
        autorises = TauxIMP.objects.autorises(self.academie, annee)
        # Si la DANE de la démonstration a retiré ce taux, on prend le premier qu'elle autorise.
        return autorises.filter(montant=Decimal(montant)).first() or autorises.first()

    def designer(self, *, etablissement, annee, email, par, statut, nouvel_agent=None, remplace=None, **reconnaissance):
        """Propose la désignation si elle n'existe pas, puis la mène à `statut` par les services."""
        existante = Designation.objects.filter(etablissement=etablissement, annee=annee, agent__email=email).first()
        if existante:
            self.presentes += 1
            return existante
        designation = Designation(
            etablissement=etablissement,
            annee=annee,
            agent=Utilisateur.objects.filter(email=email).first(),
            remplace=remplace,
            debut=remplace.fin + datetime.timedelta(days=1) if remplace else annee.debut,
            fin=annee.fin,
            **reconnaissance,
        )
        designation = designation_proposer(
            designation=designation,
            par=par,
            url_absolue=url_du_site,
            nouvel_agent=None if designation.agent_id else {"email": email, **nouvel_agent},
        )
        self.creees += 1
        if statut == Statut.REFUSEE:
            motif = MOTIFS_DE_REFUS[self.creees % len(MOTIFS_DE_REFUS)]
            return designation_refuser(
                designation=designation, par=designation.agent, motif=motif, url_absolue=url_du_site
            )
        if statut == Statut.PROPOSEE:
            return designation
        designation = designation_accepter(designation=designation, par=designation.agent, url_absolue=url_du_site)
        if statut == Statut.ACCEPTEE:
            return designation
        designations_valider(designations=[designation], par=self.dane, url_absolue=url_du_site)
        if statut == Statut.TERMINEE:
            fin = datetime.date(annee.debut.year, *FIN_AVANT_REMPLACEMENT)
            return designation_terminer(designation=designation, par=par, fin=fin, motif=MOTIF_DE_FIN)
        return designation

    def designer_les_personas(self, etablissements):
        directions = {cle: Utilisateur.objects.get(email=email) for cle, email in DIRECTIONS_DES_PERSONAS.items()}
        for email, cle, precedente, montant in DESIGNATIONS_DES_PERSONAS:
            annee = self.annees[precedente]
            self.designer(
                etablissement=etablissements[cle],
                annee=annee,
                email=email,
                par=directions[cle],
                statut=Statut.VALIDEE,
                taux=self.taux(annee, montant),
            )

    def direction_fictive(self, etablissement, numero):
        """Le chef d'établissement fictif, qui propose les désignations."""
        email = f"direction.{etablissement.uai.lower()}@{DOMAINE}"
        chef = Utilisateur.objects.filter(email=email).first() or Utilisateur.objects.create_user(
            email, None, **_nom_fictif(numero)
        )
        Role.objects.get_or_create(
            utilisateur=chef,
            type=Role.Type.CHEF,
            etablissement=etablissement,
            defaults={"academie": self.academie, "debut": self.annees[True].debut},
        )
        return chef

    def designer_dans(self, etablissement, rang):
        profil = PROFILS[SUCCESSION_DES_PROFILS[rang % len(SUCCESSION_DES_PROFILS)]]
        chef = self.direction_fictive(etablissement, numero=200 + rang)
        montant = SUCCESSION_DES_TAUX[rang % len(SUCCESSION_DES_TAUX)]
        par_personne = {}  # (année précédente ?, personne) → désignation
        for mission in profil:
            annee = self.annees[mission.precedente]
            par_personne[mission.precedente, mission.personne] = self.designer(
                etablissement=etablissement,
                annee=annee,
                email=f"rupn.{etablissement.uai.lower()}.{mission.personne}@{DOMAINE}",
                par=chef,
                statut=mission.statut,
                nouvel_agent=_nom_fictif(3 * rang + mission.personne),
                taux=None if mission.heures_allegement else self.taux(annee, mission.taux or montant),
                heures_allegement=mission.heures_allegement,
                remplace=par_personne[mission.precedente, mission.remplace] if mission.remplace else None,
            )

    def fixer_enveloppes(self, etablissements, depassee):
        """Une enveloppe par année, arrondie au multiple de 1 250 € au-dessus de ce que
        l'établissement engage (au moins 1 250 €) ; celle de `depassee` cette année, 1 250 € en dessous."""
        for etablissement in etablissements:
            engage = {
                precedente: Designation.objects.filter(etablissement=etablissement, annee=annee)
                .engagees()
                .aggregate(total=Sum("montant"))["total"]
                or 0
                for precedente, annee in self.annees.items()
            }
            # La même enveloppe les deux années : le chef peut reconduire ce qu'il engageait l'an dernier.
            montant = PAS_ENVELOPPE * max(1, math.ceil(max(engage.values()) / PAS_ENVELOPPE))
            for precedente, annee in self.annees.items():
                if Enveloppe.objects.filter(etablissement=etablissement, annee=annee).exists():
                    continue
                depasse = etablissement == depassee and not precedente
                enveloppe_fixer(
                    etablissement=etablissement,
                    annee=annee,
                    montant=montant - PAS_ENVELOPPE if depasse else montant,
                )
                self.enveloppes += 1


def charger(sortie, *, academie, etablissements):
    """`etablissements` : les établissements A et B des personas ({"A": …, "B": …})."""
    aujourd_hui = timezone.localdate()
    # Les migrations créent les années jusqu'en 2027-2028 ; au-delà, l'année en cours est créée ici.
    courante = AnneeScolaire.objects.courante(aujourd_hui) or AnneeScolaire.pour_rentree(
        aujourd_hui.year if aujourd_hui.month >= 9 else aujourd_hui.year - 1
    )
    precedente = AnneeScolaire.pour_rentree(courante.debut.year - 1)
    chargement = Chargement(academie, precedente, courante)
    chargement.designer_les_personas(etablissements)
    fictifs = etablissements_fictifs(academie, exclus=etablissements.values())
    for rang, etablissement in enumerate(fictifs):
        chargement.designer_dans(etablissement, rang)
    depassee = fictifs[SUCCESSION_DES_PROFILS.index(PROFIL_ENVELOPPE_DEPASSEE)]
    chargement.fixer_enveloppes([*etablissements.values(), *fictifs], depassee)
    sortie(
        f"Désignations ({precedente} et {courante}, {len(fictifs) + len(etablissements)} établissements) : "
        f"{chargement.creees} créées, {chargement.presentes} déjà présentes ; "
        f"enveloppes d'IMP : {chargement.enveloppes} fixées."
    )
