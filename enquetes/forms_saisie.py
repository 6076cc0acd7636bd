"""Lecture et contrôle des réponses d'une étape de l'enquête, question par question.

Chaque question se saisit dans un champ nommé d'après son code (`templates/enquetes/_question.html`) ;
le formulaire d'étape envoie aussi, pour chaque question affichée, un champ caché `_questions` portant son
code : une question ainsi annoncée mais absente de l'envoi (case décochée, bouton radio non choisi) est
une réponse vide. Un envoi partiel (enregistrement automatique d'un seul champ) ne touche que les questions
qu'il annonce ou qu'il contient : rien d'autre ne se perd.
"""

from decimal import Decimal, InvalidOperation

from enquetes.models import Question, est_vide

CHAMP_PRESENCE = "_questions"
LONGUEUR_TEXTE_COURT = 300
LONGUEUR_TEXTE_LONG = 5000
NOMBRE_MAX = Decimal(100_000)
VALEURS_OUI_NON = {"oui": True, "non": False}
ECHELLE = range(1, 6)

Type = Question.Type


def nom_du_champ(question):
    return question.code


class FormulaireEtape:
    """Les réponses envoyées pour les questions d'une étape.

    Après `is_valid()` : `valeurs` {question.pk: valeur à enregistrer} pour les questions envoyées et
    correctes, `erreurs` {question.pk: message}, `saisies` {question.pk: ce qu'il faut réafficher} (la
    valeur correcte, ou le texte tel que saisi quand il est refusé).
    """

    def __init__(self, questions, donnees):
        self.questions = list(questions)
        self.donnees = donnees
        self.valeurs = {}
        self.erreurs = {}
        self.saisies = {}
        self._verifie = False

    def questions_envoyees(self):
        annoncees = set(self.donnees.getlist(CHAMP_PRESENCE))
        return [q for q in self.questions if q.code in annoncees or nom_du_champ(q) in self.donnees]

    def is_valid(self):
        if not self._verifie:
            for question in self.questions_envoyees():
                brute = self._brute(question)
                try:
                    valeur = nettoyer(question, brute)
                except ValueError as erreur:
                    self.erreurs[question.pk] = str(erreur)
                    self.saisies[question.pk] = brute
                else:
                    self.valeurs[question.pk] = valeur
                    self.saisies[question.pk] = valeur
            self._verifie = True
        return not self.erreurs

    def _brute(self, question):
        nom = nom_du_champ(question)
        if question.type == Type.CHOIX_MULTIPLE:
            return [choix.strip() for choix in self.donnees.getlist(nom) if choix.strip()]
        return self.donnees.get(nom, "").replace("\r\n", "\n").strip()


def nettoyer(question, brute):
    """La valeur à enregistrer pour `brute` (texte, ou liste pour un choix multiple) ; None si vide.
    Lève ValueError avec un message en français pour une valeur refusée."""
    if est_vide(brute):
        return None
    match question.type:
        case Type.NOMBRE:
            return _nombre(brute)
        case Type.ECHELLE:
            if brute not in {str(note) for note in ECHELLE}:
                raise ValueError("Choisissez une note de 1 à 5.")
            return int(brute)
        case Type.OUI_NON:
            if brute not in VALEURS_OUI_NON:
                raise ValueError("Répondez par oui ou par non.")
            return VALEURS_OUI_NON[brute]
        case Type.CHOIX_UNIQUE:
            if brute not in question.options:
                raise ValueError(f"« {brute} » ne fait pas partie des choix proposés : choisissez-en un dans la liste.")
            return brute
        case Type.CHOIX_MULTIPLE:
            inconnus = [choix for choix in brute if choix not in question.options]
            if inconnus:
                raise ValueError(
                    "Ces choix ne font pas partie de la liste : " + ", ".join(f"« {c} »" for c in inconnus) + "."
                )
            return [option for option in question.options if option in brute]
        case Type.TEXTE_COURT:
            return _texte(brute, LONGUEUR_TEXTE_COURT)
        case Type.TEXTE_LONG:
            return _texte(brute, LONGUEUR_TEXTE_LONG)
    raise ValueError("Type de question inconnu.")


def _nombre(brute):
    texte = brute.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        nombre = Decimal(texte)
    except InvalidOperation:
        raise ValueError(f"« {brute} » n'est pas un nombre : saisissez par exemple 12 ou 2,5.") from None
    if not nombre.is_finite():
        raise ValueError(f"« {brute} » n'est pas un nombre : saisissez par exemple 12 ou 2,5.")
    if nombre < 0:
        raise ValueError("Saisissez un nombre positif ou nul.")
    if nombre > NOMBRE_MAX:
        raise ValueError("Ce nombre paraît trop grand : 100 000 au plus.")
    nombre = nombre.quantize(Decimal("0.01"))
    return int(nombre) if nombre == nombre.to_integral_value() else float(nombre)


def _texte(brute, maximum):
    if len(brute) > maximum:
        raise ValueError(f"Votre réponse compte {len(brute)} caractères : {maximum:_} au plus.".replace("_", "\u202f"))
    return brute
