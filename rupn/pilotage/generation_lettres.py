"""Étape « lettres » des données synthétiques (`generation.py`) : des lettres de mission dans tous les états.

Pour chaque académie et chaque année, les désignations acceptées (acceptées, validées ou terminées) de chaque
établissement synthétique sont regroupées dans une lettre, rédigée par le chef à partir du modèle courant de
l'académie (`ModeleLettre.objects.courant`, qui crée au besoin le modèle par défaut : il reste ensuite) :
- années passées : presque toutes signées et scellées ; quelques-unes annulées après leur scellement (la
  moitié suivies d'une nouvelle lettre scellée), quelques-unes remplacées par un avenant scellé ; quelques
  établissements sans lettre ;
- année en cours : brouillons, en relecture (approuvées par une partie des RUPN), à signer (approuvées par
  tous, signées par une partie), scellées, et une part d'établissements sans lettre.

Chaque lettre est dans l'état où les services (`lettres/services.py`, `lettres/signatures.py`) l'auraient
menée : contenu de la démonstration (`contenu_de_demonstration`), approbations de la révision courante, puis
signature de chaque RUPN pour accord et du chef, sur l'empreinte exacte du contenu (`empreinte_contenu`), avec
le texte de consentement des services. Les dates suivent les avis du conseil pédagogique et ne dépassent
jamais le début du jour de la génération.

Pas de PDF : le rendre et le sceller prend 0,3 s par lettre, plus de quatre heures à l'échelle 1. Une lettre
scellée synthétique a donc `pdf` et `empreinte_pdf` vides : ce qui lit les PDF (archive ZIP, commande
`verifier_lettres`, vérification d'un fichier) ne prend que les lettres qui en ont un.

Les fonctions de `generation.py` s'importent à l'appel : `generation.py` importe ce module pour sa liste d'étapes.
"""

import datetime
import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import reset_queries
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from lettres.document import empreinte_contenu
from lettres.models import ALPHABET_CODE, LONGUEUR_CODE, Approbation, LettreMission, ModeleLettre, Signature
from lettres.services import contenu_depuis_modele
from lettres.signatures import texte_consentement
from missions.models import Designation
from rupn.comptes.models import Role
from rupn.pilotage.demo.lettres import contenu_de_demonstration
from rupn.territoires.models import Academie, AnneeScolaire

Statut = LettreMission.Statut
Qualite = Signature.Qualite
Methode = Signature.Methode

# Le sort de la lettre d'un établissement qui a des désignations acceptées dans l'année, et son poids
# (None : pas de lettre). Annulée : scellée puis annulée ; remplacée : scellée puis remplacée par un avenant.
SORTS_ANNEE_PASSEE = ((Statut.SCELLEE, Statut.ANNULEE, Statut.REMPLACEE, None), (88, 3, 5, 4))
SORTS_ANNEE_EN_COURS = (
    (Statut.BROUILLON, Statut.RELECTURE, Statut.SIGNATURE, Statut.SCELLEE, None),
    (20, 15, 10, 35, 20),
)
PART_NOUVELLE_APRES_ANNULATION = 0.5
# Un brouillon de révision 1 est tel que créé : aucune mission encore retenue.
REVISIONS_BROUILLON = (1, 1, 2, 3)
METHODES = {
    Qualite.RUPN: ((Methode.MOT_DE_PASSE, Methode.PROCONNECT, Methode.DOUBLE_AUTHENTIFICATION), (45, 45, 10)),
    Qualite.CHEF: ((Methode.DOUBLE_AUTHENTIFICATION, Methode.PROCONNECT), (60, 40)),
}
NAVIGATEURS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
]
# Réseaux réservés à la documentation (RFC 5737) : des adresses visiblement fictives.
RESEAUX = ("192.0.2", "198.51.100", "203.0.113")
MOTIFS_ANNULATION = [
    "La période de la mission était erronée.",
    "Le RUPN a quitté l'établissement en cours d'année.",
    "Les missions ont été revues avec le conseil pédagogique.",
]


@dataclass
class _Plan:
    """Une lettre à écrire (dates comprises), ce qu'elle couvre et ce qui lui est arrivé."""

    lettre: LettreMission
    designations: list
    rupn: list
    chef: int
    approbations: list = field(default_factory=list)  # [(RUPN, horodatage)]
    signatures: list = field(default_factory=list)  # [(signataire, qualité, horodatage)]


class _Redaction:
    """Les lettres d'une académie, menées à leur état : `lettres`, puis `avenants` (écrits après ce qu'ils remplacent).
    UUID et codes de vérification sont tirés de `aleatoire`, les codes hors de `codes_pris`."""

    def __init__(self, aleatoire, borne, modele, uuid_aleatoire, codes_pris):
        self.aleatoire, self.borne, self.modele = aleatoire, borne, modele
        self.uuid_aleatoire, self.codes_pris = uuid_aleatoire, codes_pris
        self.fuseau = borne.tzinfo  # celui de la borne, une fois pour toutes (plus de 300 000 dates à l'échelle 1)
        # Deux contenus partagés par les lettres de l'académie : tel que créé, ou rédigé comme la démonstration.
        self.contenus = {
            False: contenu_depuis_modele(modele.contenu),
            True: contenu_de_demonstration(LettreMission(contenu=contenu_depuis_modele(modele.contenu))),
        }
        self.lettres, self.avenants = [], []
        self.sans_lettre_cette_annee = 0

    def _le(self, jour, minutes=0):
        """Le `jour` à 8 h, plus `minutes`."""
        return datetime.datetime.combine(jour, datetime.time(8), tzinfo=self.fuseau) + datetime.timedelta(
            minutes=minutes
        )

    def _apres(self, instant, jours):
        """Un instant en journée (8 h – 18 h), de jours[0] à jours[1] jours après `instant`, jamais avant lui ni
        après la borne."""
        jour = instant.astimezone(self.fuseau).date() + datetime.timedelta(days=self.aleatoire.randint(*jours))
        return min(max(self._le(jour, self.aleatoire.randrange(600)), instant), self.borne)

    def etablissement(self, etablissement, annee, designations, chef, en_cours):
        """Les lettres de l'établissement pour l'année ; `designations` : [(pk, agent, statut, date de l'avis)]."""
        sorts, poids = SORTS_ANNEE_EN_COURS if en_cours else SORTS_ANNEE_PASSEE
        sort = self.aleatoire.choices(sorts, poids)[0]
        if sort is None:
            self.sans_lettre_cette_annee += en_cours
            return
        avis = max(jour for *_, jour in designations)
        depuis = self._le(avis)
        etat = Statut.SCELLEE if sort in (Statut.ANNULEE, Statut.REMPLACEE) else sort
        plan = self._lettre(etablissement, annee, designations, chef, etat, depuis)
        couvertes = [d for d in designations if d[2] in Designation.STATUTS_EN_POSTE]
        if sort == Statut.ANNULEE:
            lettre = plan.lettre
            lettre.statut = Statut.ANNULEE
            lettre.annulee_le = lettre.modifiee_le = self._apres(lettre.scellee_le, (10, 200))
            lettre.annulee_par_id = chef
            lettre.motif_annulation = self.aleatoire.choice(MOTIFS_ANNULATION)
            if couvertes and self.aleatoire.random() < PART_NOUVELLE_APRES_ANNULATION:
                self._lettre(etablissement, annee, couvertes, chef, Statut.SCELLEE, lettre.annulee_le)
        elif sort == Statut.REMPLACEE and couvertes:
            depuis = self._apres(plan.lettre.scellee_le, (30, 200))
            avenant = self._lettre(etablissement, annee, couvertes, chef, Statut.SCELLEE, depuis, plan.lettre)
            plan.lettre.statut = Statut.REMPLACEE
            plan.lettre.modifiee_le = avenant.lettre.modifiee_le

    def _lettre(self, etablissement, annee, designations, chef, etat, depuis, remplace=None):
        code = ""
        while not code or code in self.codes_pris:
            code = "".join(self.aleatoire.choice(ALPHABET_CODE) for _ in range(LONGUEUR_CODE))
        self.codes_pris.add(code)
        lettre = LettreMission(
            uuid=self.uuid_aleatoire(self.aleatoire),
            code_verification=code,
            etablissement=etablissement,
            annee=annee,
            modele=self.modele,
            cree_par_id=chef,
            cree_le=self._apres(depuis, (1, 15)),
            remplace=remplace,
        )
        rupn = list(dict.fromkeys(agent for _, agent, *_ in designations))
        plan = _Plan(lettre, [pk for pk, *_ in designations], rupn, chef)
        self._mener(plan, etat)
        (self.avenants if remplace else self.lettres).append(plan)
        return plan

    def _mener(self, plan, etat):
        """Révision, contenu, approbations, signatures et dates de la lettre menée du brouillon à `etat`."""
        lettre, rupn = plan.lettre, plan.rupn
        lettre.statut = etat
        if etat == Statut.BROUILLON:
            lettre.revision = self.aleatoire.choice(REVISIONS_BROUILLON)
            lettre.contenu = self.contenus[lettre.revision > 1]
            lettre.modifiee_le = lettre.cree_le if lettre.revision == 1 else self._apres(lettre.cree_le, (0, 10))
            return
        lettre.revision = self.aleatoire.randint(2, 4)
        lettre.contenu = self.contenus[True]
        envoi = lettre.modifiee_le = self._apres(lettre.cree_le, (1, 10))
        # En relecture : une partie des RUPN seulement a approuvé (tous, et la lettre serait à signer).
        approuvent = (
            rupn if etat != Statut.RELECTURE else self.aleatoire.sample(rupn, self.aleatoire.randrange(len(rupn)))
        )
        plan.approbations = [(personne, self._apres(envoi, (0, 7))) for personne in approuvent]
        if etat == Statut.RELECTURE:
            return
        instant = lettre.modifiee_le = max(horodatage for _, horodatage in plan.approbations)
        signent = rupn if etat != Statut.SIGNATURE else rupn[: self.aleatoire.randint(0, len(rupn))]
        for personne in signent:
            instant = self._apres(instant, (0, 5))
            plan.signatures.append((personne, Qualite.RUPN, instant))
        if etat == Statut.SIGNATURE:
            return
        instant = self._apres(instant, (0, 7))
        plan.signatures.append((plan.chef, Qualite.CHEF, instant))
        lettre.scellee_le = lettre.modifiee_le = instant  # la signature du chef scelle la lettre


@contextmanager
def _dates_donnees(*modeles):
    """Le temps d'un `bulk_create`, les champs `auto_now` et `auto_now_add` des `modeles` gardent la date donnée
    au lieu de prendre l'heure de l'écriture : la remettre ensuite par `bulk_update` prenait 50 s à l'échelle 1."""
    champs = [
        (champ, champ.auto_now, champ.auto_now_add)
        for modele in modeles
        for champ in modele._meta.concrete_fields
        if getattr(champ, "auto_now", False) or getattr(champ, "auto_now_add", False)
    ]
    for champ, _, _ in champs:
        champ.auto_now = champ.auto_now_add = False
    try:
        yield
    finally:
        for champ, auto_now, auto_now_add in champs:
            champ.auto_now, champ.auto_now_add = auto_now, auto_now_add


def _signatures(aleatoire, plan):
    """Les signatures du plan, sur l'empreinte du contenu de la lettre (désignations préchargées)."""
    lettre = plan.lettre
    empreinte = empreinte_contenu(lettre)
    textes = {qualite: texte_consentement(lettre, qualite) for qualite in {q for _, q, _ in plan.signatures}}
    signatures = []
    for signataire, qualite, horodatage in plan.signatures:
        methodes, poids = METHODES[qualite]
        signatures.append(
            Signature(
                lettre=lettre,
                signataire_id=signataire,
                qualite=qualite,
                horodatage=horodatage,
                methode_authentification=aleatoire.choices(methodes, poids)[0],
                adresse_ip=f"{aleatoire.choice(RESEAUX)}.{aleatoire.randint(1, 254)}",
                agent_utilisateur=aleatoire.choice(NAVIGATEURS),
                empreinte_contenu=empreinte,
                texte_consentement=textes[qualite],
            )
        )
    return signatures


LIBELLES = {
    Statut.BROUILLON: "lettres en brouillon",
    Statut.RELECTURE: "lettres en relecture",
    Statut.SIGNATURE: "lettres à signer",
    Statut.SCELLEE: "lettres scellées",
    Statut.ANNULEE: "lettres annulées",
    Statut.REMPLACEE: "lettres remplacées par un avenant",
}


def generer_lettres(contexte):
    """Les lettres de mission des établissements synthétiques, académie par académie, par lots : lettres,
    liens vers leurs désignations, approbations et signatures."""
    from rupn.pilotage.generation import (
        TAILLE_LOT,
        _creer_par_lots,
        designations_synthetiques,
        etablissements_synthetiques,
        utilisateurs_synthetiques,
        uuid_aleatoire,
    )

    aleatoire = contexte.aleatoire("lettres")
    annees = {annee.pk: annee for annee in (AnneeScolaire.pour_rentree(rentree) for rentree in contexte.rentrees)}
    en_cours = AnneeScolaire.pour_rentree(contexte.rentree_courante).pk
    # Jamais dans le futur, et la même borne pour deux générations du même jour.
    borne = timezone.make_aware(datetime.datetime.combine(contexte.jour, datetime.time()))
    chefs = dict(
        Role.objects.filter(type=Role.Type.CHEF, utilisateur__in=utilisateurs_synthetiques()).values_list(
            "etablissement_id", "utilisateur_id"
        )
    )
    codes_pris = set(LettreMission.objects.values_list("code_verification", flat=True))
    lien = LettreMission.designations.through
    # Ce que l'empreinte du contenu signé lit des désignations (`document.contenu_signe`), et rien de plus.
    designations_signees = Designation.objects.select_related("agent", "taux").only(
        "uuid", "debut", "fin", "heures_allegement", "agent__first_name", "agent__last_name", "taux__montant"
    )
    comptes = dict.fromkeys(["lettres de mission", *LIBELLES.values(), "approbations", "signatures"], 0)
    comptes["établissements sans lettre cette année"] = 0
    for academie in Academie.objects.order_by("code"):
        lignes = list(
            designations_synthetiques()
            .filter(etablissement__academie=academie, annee__in=annees, statut__in=Designation.STATUTS_ACCEPTES)
            .order_by("etablissement__uai", "annee__debut", "debut", "uuid")
            .values_list(
                "etablissement_id", "annee_id", "pk", "agent_id", "statut", "debut", "avis_conseil_pedagogique"
            )
        )
        if not lignes:
            continue
        etablissements = etablissements_synthetiques().filter(academie=academie).only("uai", "nom").in_bulk()
        redaction = _Redaction(aleatoire, borne, ModeleLettre.objects.courant(academie), uuid_aleatoire, codes_pris)
        for (etablissement_id, annee_id), groupe in itertools.groupby(lignes, key=lambda ligne: ligne[:2]):
            redaction.etablissement(
                etablissements[etablissement_id],
                annees[annee_id],
                [(pk, agent, statut, avis or debut) for _, _, pk, agent, statut, debut, avis in groupe],
                chefs[etablissement_id],
                en_cours=annee_id == en_cours,
            )
        plans = redaction.lettres + redaction.avenants
        approbations = [
            Approbation(lettre=plan.lettre, rupn_id=rupn, revision=plan.lettre.revision, cree_le=horodatage)
            for plan in plans
            for rupn, horodatage in plan.approbations
        ]
        with _dates_donnees(LettreMission, Approbation):
            _creer_par_lots(LettreMission, [plan.lettre for plan in redaction.lettres])
            _creer_par_lots(LettreMission, [plan.lettre for plan in redaction.avenants])  # après celles remplacées
            _creer_par_lots(Approbation, approbations)
        _creer_par_lots(
            lien, [lien(lettremission_id=p.lettre.pk, designation_id=d) for p in plans for d in p.designations]
        )

        signees, signatures = [plan for plan in plans if plan.signatures], []
        for debut in range(0, len(signees), TAILLE_LOT):
            lot = signees[debut : debut + TAILLE_LOT]
            prefetch_related_objects(
                [plan.lettre for plan in lot],
                Prefetch("designations", queryset=designations_signees),
            )
            for plan in lot:
                signatures += _signatures(aleatoire, plan)
        _creer_par_lots(Signature, signatures)

        comptes["lettres de mission"] += len(plans)
        for plan in plans:
            comptes[LIBELLES[plan.lettre.statut]] += 1
        comptes["approbations"] += len(approbations)
        comptes["signatures"] += len(signatures)
        comptes["établissements sans lettre cette année"] += redaction.sans_lettre_cette_annee
        contexte.progression(f"lettres : académie {academie.code} {academie.nom}, {len(plans)}")
        # Avec DEBUG, le journal des requêtes garderait chaque INSERT et ses 7 Ko de contenu par lettre (500 Mo).
        reset_queries()
    return comptes


def lettres_synthetiques():
    from rupn.pilotage.generation import etablissements_synthetiques

    return LettreMission.objects.filter(etablissement__in=etablissements_synthetiques())


def effacer_lettres():
    from rupn.pilotage.generation import effacer_en_masse

    return effacer_en_masse(lettres_synthetiques())
