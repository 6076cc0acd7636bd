"""Vérification publique d'une lettre scellée : par son code (ou son code QR), ou par son PDF.

Ce qu'une page publique en dit : l'établissement, l'année, les signataires (nom, qualité, date), l'état
de la lettre (valide, annulée, remplacée par un avenant) ; pour un fichier, s'il a été modifié. Jamais
une adresse électronique : les signataires sont nommés par leur nom seul, et une adresse écrite dans le
motif d'une annulation est masquée.

Un fichier est contrôlé de deux façons : son SHA-256 contre l'empreinte enregistrée au scellement (qui
retrouve la lettre), et son sceau PAdES (`lettres.sceau.verifier_sceau`). Sans sceau configuré, seule
l'empreinte est contrôlée, et le verdict le dit.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch

from lettres.document import empreinte_fichier
from lettres.models import ALPHABET_CODE, LONGUEUR_CODE, LettreMission, Signature
from lettres.sceau import ResultatVerification, SceauIndisponible, sceau_configure, verifier_sceau

TAILLE_MAX = 10 * 1024 * 1024
STATUTS_PUBLICS = (
    LettreMission.Statut.SCELLEE,
    LettreMission.Statut.ANNULEE,
    LettreMission.Statut.REMPLACEE,
)
logger = logging.getLogger(__name__)
_ADRESSE = re.compile(r"[^\s@<>()\[\]]+@[^\s@<>()\[\]]+")


def masquer_adresses(texte):
    return _ADRESSE.sub("[adresse masquée]", texte)


class Etat:
    VALIDE = "valide"
    ANNULEE = "annulee"
    REMPLACEE = "remplacee"
    MODIFIEE = "modifiee"
    INCONNUE = "inconnue"


class CodeMalForme(ValueError):
    pass


def normaliser_code(saisie):
    """Le code tel qu'enregistré : majuscules, sans espaces ni tirets. Lève `CodeMalForme` (message en
    français) si ce n'est pas un code de 12 caractères de l'alphabet des codes."""
    code = re.sub(r"[\s\-‐‑–—]", "", saisie or "").upper()
    if not code:
        raise CodeMalForme("Saisissez le code de vérification imprimé au pied de la lettre.")
    if len(code) != LONGUEUR_CODE:
        raise CodeMalForme(
            f"Un code de vérification compte {LONGUEUR_CODE} caractères ; celui-ci en compte {len(code)}. "
            "Recopiez-le depuis le pied de la lettre."
        )
    if interdits := sorted({caractere for caractere in code if caractere not in ALPHABET_CODE}):
        raise CodeMalForme(
            f"Un code de vérification ne contient que des lettres (sans I ni O) et des chiffres de 2 à 9 : "
            f"« {''.join(interdits)} » n'en fait pas partie. Recopiez-le depuis le pied de la lettre."
        )
    return code


@dataclass(frozen=True)
class Signataire:
    """Ce qu'une page publique montre d'une signature : nom, qualité, date. Jamais l'adresse électronique."""

    nom: str
    qualite: str
    signe_le: datetime


@dataclass(frozen=True)
class Verdict:
    """`etat` : une valeur d'`Etat`. `lettre` : la lettre reconnue (None si aucune).

    Pour un fichier (`par_fichier`) : `sceau` est le résultat du contrôle du sceau, None si le sceau n'est
    pas configuré (seule l'empreinte a alors été contrôlée)."""

    etat: str
    lettre: LettreMission | None = None
    signataires: list = field(default_factory=list)
    par_fichier: bool = False
    sceau: ResultatVerification | None = None

    @property
    def sceau_controle(self):
        return self.sceau is not None

    @property
    def refus_sceau(self):
        """Pourquoi le sceau n'est pas valide (adresses électroniques masquées), ou ""."""
        if self.sceau is None or self.sceau.valide:
            return ""
        return masquer_adresses(self.sceau.motif_refus)

    @property
    def sceau_intact(self):
        return self.sceau is not None and self.sceau.intact

    @property
    def motif_annulation(self):
        """Le motif écrit par la direction, adresses électroniques masquées."""
        if self.lettre is None:
            return ""
        return masquer_adresses(self.lettre.motif_annulation)

    @property
    def avenant(self):
        """L'avenant scellé qui remplace la lettre (chargé avec elle), ou None."""
        if self.lettre is None:
            return None
        return self.lettre.avenant_scelle()


def _lettres_publiques():
    return (
        # Une lettre abandonnée avant d'être scellée n'a jamais existé pour le public.
        LettreMission.objects.filter(statut__in=STATUTS_PUBLICS, scellee_le__isnull=False)
        .select_related("etablissement__academie", "annee", "remplace")
        .prefetch_related(
            "avenants",
            Prefetch(
                "signatures",
                queryset=Signature.objects.filter(annulee_le__isnull=True)
                .select_related("signataire")
                .order_by("horodatage", "pk"),
            ),
        )
    )


def _signataires(lettre):
    return [
        Signataire(
            nom=signature.signataire.nom_public,
            qualite=signature.get_qualite_display(),
            signe_le=signature.horodatage,
        )
        for signature in lettre.signatures.all()
    ]


def _etat(lettre):
    return {
        LettreMission.Statut.SCELLEE: Etat.VALIDE,
        LettreMission.Statut.ANNULEE: Etat.ANNULEE,
        LettreMission.Statut.REMPLACEE: Etat.REMPLACEE,
    }[lettre.statut]


def verdict_pour_code(code):
    """Le verdict de la lettre scellée (ou annulée, remplacée) qui porte ce code normalisé ; None si aucune.
    Une lettre pas encore scellée a déjà un code, mais n'existe pas pour la page publique."""
    lettre = _lettres_publiques().filter(code_verification=code).first()
    if lettre is None:
        return None
    return Verdict(etat=_etat(lettre), lettre=lettre, signataires=_signataires(lettre))


def _controler_sceau(octets):
    """Le résultat de `verifier_sceau`, ou None si le sceau n'est pas configuré ou pas utilisable (l'erreur
    de configuration est journalisée : c'est à l'exploitation de la corriger, pas au visiteur)."""
    if not sceau_configure():
        return None
    try:
        return verifier_sceau(octets)
    except SceauIndisponible:
        logger.exception("Vérification publique : le sceau est configuré mais inutilisable")
        return None


def verdict_pour_fichier(octets):
    """Le verdict d'un PDF téléversé (octets déjà contrôlés : non vide, PDF, taille bornée).

    - Empreinte connue : l'état de la lettre (le fichier est celui que le service a scellé) ; le gabarit
      signale en plus un sceau qui n'est pas reconnu par le certificat actuel (`refus_sceau`).
    - Empreinte inconnue, sceau lisible mais qui ne couvre plus le fichier : modifiée.
    - Empreinte inconnue, sinon (sceau intact de l'académie ou d'un autre, pas de sceau, fichier
      illisible, sceau non configuré) : inconnue, non émise par ce service ; le gabarit dit pourquoi.
    """
    sceau = _controler_sceau(octets)
    lettre = _lettres_publiques().filter(empreinte_pdf=empreinte_fichier(octets)).first()
    if lettre is not None:
        return Verdict(
            etat=_etat(lettre), lettre=lettre, signataires=_signataires(lettre), par_fichier=True, sceau=sceau
        )
    if sceau is not None and not sceau.intact and sceau.signataire:
        # Le sceau se lit (on sait qui l'a apposé) mais ne couvre plus les octets du fichier.
        return Verdict(etat=Etat.MODIFIEE, par_fichier=True, sceau=sceau)
    return Verdict(etat=Etat.INCONNUE, par_fichier=True, sceau=sceau)
