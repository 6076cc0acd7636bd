"""Un jeu de réponses à grande échelle pour l'analyse et l'export, créé par lots (bulk_create) : l'enquête de
Toulouse de l'année (37 questions par défaut + 3 = 40), 1 000 participations dont 900 envoyées, chacune avec
ses réponses tirées d'un aléa fixe ; l'enquête de l'an dernier (mêmes codes) ; des lignes plantées ailleurs.

Le jeu garde les valeurs qu'il a écrites : les tests refont les calculs de leur côté, sans passer par
enquetes/analyse.py.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from enquetes import services
from enquetes.models import Participation, Question, Reponse
from missions.models import Designation
from rupn.comptes.models import Utilisateur
from rupn.territoires.models import AnneeScolaire, Bassin, Departement, Etablissement
from tests.factories import EtablissementFactory, academie, taux, uai_valide

ABSENTE = object()  # pas de ligne Reponse
SECRET_MONTPELLIER = "SECRET-MONTPELLIER"
QUESTIONS_EN_PLUS = [
    {"code": "usage_tablettes", "libelle": "Les tablettes sont-elles utilisées en classe ?", "type": "echelle"},
    {"code": "ateliers_parents", "libelle": "Combien d'ateliers pour les parents ?", "type": "nombre"},
    {
        "code": "outils_collaboratifs",
        "libelle": "Quels outils collaboratifs sont utilisés ?",
        "type": "choix_multiple",
        "options": ["Pad", "Tableur partagé", "Mur collaboratif", "=Formule piégée"],
    },
]
MASQUEE_AVEC_REPONSES = "discipline"
MASQUEE_SANS_REPONSE = "veille_partagee"
TYPE_CHANGE = "formations_suivies"  # un nombre cette année, une échelle l'an dernier


def valeur_de(question, rang, graine=""):
    """La réponse de la participation `rang` à `question` : ABSENTE, None (réponse vidée) ou une valeur."""
    alea = random.Random(f"{graine}{question.code}/{rang}")
    if question.type in ("texte_court", "texte_long") and alea.random() < 0.3:
        return ABSENTE
    if not question.obligatoire and alea.random() < 0.1:
        return ABSENTE
    if alea.random() < 0.02:
        return None
    match question.type:
        case "choix_unique":
            return alea.choice(question.options)
        case "choix_multiple":
            return [option for option in question.options if alea.random() < 0.4] or None
        case "echelle":
            return alea.randint(1, 5)
        case "oui_non":
            return alea.random() < 0.6
        case "nombre":
            return alea.choice([alea.randint(0, 40), alea.randint(0, 40) + 0.5])
    return f"Réponse « {question.code} » n° {rang}"


@dataclass
class Jeu:
    enquete: object
    precedente: object
    questions: dict  # code → Question de l'enquête
    participations: list  # toutes celles de Toulouse, tous états (avec .etablissement)
    envoyees: list  # participations envoyées de Toulouse (avec .etablissement)
    commencees: list
    valeurs: dict = field(default_factory=dict)  # (participation.pk, code) → valeur (envoyées et commencées)
    valeurs_precedentes: dict = field(default_factory=dict)  # (participation.pk, code) → valeur
    envoyees_precedentes: list = field(default_factory=list)
    plantees: list = field(default_factory=list)  # participations hors périmètre (Montpellier)

    def reponses(self, code, garder=lambda etablissement: True, precedente=False):
        """Les valeurs non vides des participations envoyées dont l'établissement passe `garder`."""
        participations = self.envoyees_precedentes if precedente else self.envoyees
        valeurs = self.valeurs_precedentes if precedente else self.valeurs
        resultat = []
        for participation in participations:
            if garder(participation.etablissement):
                valeur = valeurs.get((participation.pk, code), ABSENTE)
                if valeur is not ABSENTE and valeur not in (None, "", []):
                    resultat.append(valeur)
        return resultat


def _etablissements(nombre, decalage):
    toulouse = academie("16")
    departements = list(Departement.objects.filter(academie=toulouse).order_by("code"))
    bassins = Bassin.objects.bulk_create(
        [Bassin(code=f"16J{decalage + rang:03d}", libelle=f"Bassin n° {rang}", academie=toulouse) for rang in range(4)]
    )
    types = [Etablissement.Type.COLLEGE, Etablissement.Type.LYCEE, Etablissement.Type.COLLEGE, Etablissement.Type.EREA]
    return Etablissement.objects.bulk_create(
        [
            Etablissement(
                uai=uai_valide(9_200_000 + decalage * 1000 + rang),
                nom=f"Établissement n° {rang}",
                type=types[rang % len(types)],
                secteur=Etablissement.Secteur.PRIVE if rang % 3 == 1 else Etablissement.Secteur.PUBLIC,
                academie=toulouse,
                departement=departements[rang % len(departements)],
                bassin=bassins[rang % len(bassins)] if rang % 10 else None,
                commune="Toulouse",
            )
            for rang in range(nombre)
        ]
    )


def _designations(etablissements, annee, nombre, prefixe):
    agents = Utilisateur.objects.bulk_create(
        [
            Utilisateur(email=f"{prefixe}{rang}@analyse.example", first_name="Camille", last_name=f"{prefixe}{rang}")
            for rang in range(nombre + 1)
        ]
    )
    chef, *agents = agents
    imp = taux(1250)
    return Designation.objects.bulk_create(
        [
            Designation(
                etablissement=etablissements[rang % len(etablissements)],
                annee=annee,
                agent=agents[rang],
                statut="validee" if rang % 2 else "acceptee",
                taux=imp,
                debut=annee.debut,
                fin=annee.fin,
                nb_mois=12,
                montant=imp.montant,
                premier_mois_paiement=10,
                cree_par=chef,
            )
            for rang in range(nombre)
        ]
    )


def _participations(enquete, designations, statuts):
    debut = timezone.make_aware(datetime.datetime(enquete.annee.fin.year, 6, 1, 9))
    participations = Participation.objects.bulk_create(
        [
            Participation(
                enquete=enquete,
                designation=designation,
                statut=statut,
                soumise_le=debut + datetime.timedelta(minutes=rang) if statut == "soumise" else None,
            )
            for rang, (designation, statut) in enumerate(zip(designations, statuts, strict=True))
        ]
    )
    for participation, designation in zip(participations, designations, strict=True):
        participation.etablissement = designation.etablissement
    return participations


def _repondre(participations, questions, valeurs, graine=""):
    reponses = []
    for rang, participation in enumerate(participations):
        for question in questions:
            if question.code == MASQUEE_SANS_REPONSE:
                continue
            valeur = valeur_de(question, rang, graine)
            if valeur is ABSENTE:
                continue
            valeurs[(participation.pk, question.code)] = valeur
            reponses.append(Reponse(participation=participation, question=question, valeur=valeur))
    Reponse.objects.bulk_create(reponses, batch_size=2000)


def construire(*, envoyees=900, commencees=60, a_faire=40, etablissements=300, precedentes=80):
    annee = AnneeScolaire.objects.courante()
    toulouse = academie("16")
    annee_precedente = AnneeScolaire.pour_rentree(annee.debut.year - 1)

    precedente = services.enquete_creer(academie=toulouse, annee=annee_precedente)
    Question.objects.filter(enquete=precedente, code=TYPE_CHANGE).update(type="echelle")
    enquete = services.enquete_creer(academie=toulouse, annee=annee, depuis=precedente)
    # La copie a repris le type changé : cette année, la question redevient un nombre.
    Question.objects.filter(enquete=enquete, code=TYPE_CHANGE).update(type="nombre")
    derniere = enquete.sections.order_by("-ordre").first()
    Question.objects.bulk_create(
        [
            Question(enquete=enquete, section=derniere, ordre=100 + rang, **question)
            for rang, question in enumerate(QUESTIONS_EN_PLUS)
        ]
    )
    Question.objects.filter(enquete=enquete, code__in=[MASQUEE_AVEC_REPONSES, MASQUEE_SANS_REPONSE]).update(
        masquee=True
    )
    questions = {question.code: question for question in enquete.questions.all()}
    assert len(questions) == 40

    lieux = _etablissements(etablissements, 0)
    total = envoyees + commencees + a_faire
    statuts = ["soumise"] * envoyees + ["en_cours"] * commencees + ["a_faire"] * a_faire
    random.Random(5).shuffle(statuts)
    participations = _participations(enquete, _designations(lieux, annee, total, "rupn"), statuts)
    jeu = Jeu(
        enquete=enquete,
        precedente=precedente,
        questions=questions,
        participations=participations,
        envoyees=[p for p in participations if p.statut == "soumise"],
        commencees=[p for p in participations if p.statut == "en_cours"],
    )
    _repondre(jeu.envoyees + jeu.commencees, list(questions.values()), jeu.valeurs)

    # L'an dernier : moins de participations, mêmes établissements.
    statuts_avant = ["soumise"] * precedentes + ["en_cours"] * 10
    avant = _participations(
        precedente, _designations(lieux, annee_precedente, len(statuts_avant), "ancien"), statuts_avant
    )
    jeu.envoyees_precedentes = [p for p in avant if p.statut == "soumise"]
    _repondre(avant, list(precedente.questions.all()), jeu.valeurs_precedentes, graine="avant/")

    # Planté dans l'enquête de Toulouse : un établissement de Montpellier (impossible en pratique ; le
    # périmètre doit le laisser dehors quand même).
    herault = EtablissementFactory(nom=f"Collège {SECRET_MONTPELLIER}", departement=Departement.objects.get(code="034"))
    (plantee,) = _participations(enquete, _designations([herault], annee, 1, "herault"), ["soumise"])
    Reponse.objects.bulk_create(
        [
            Reponse(participation=plantee, question=questions["bilan_annee"], valeur=SECRET_MONTPELLIER),
            Reponse(participation=plantee, question=questions["anciennete_rupn"], valeur=99_999),
            Reponse(participation=plantee, question=questions["poursuite_mission"], valeur="Non"),
        ]
    )
    jeu.plantees.append(plantee)
    return jeu
