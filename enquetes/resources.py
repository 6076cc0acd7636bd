"""Export des réponses à l'enquête (django-import-export) : une ligne par participation **envoyée**, une
colonne par code de question (questions masquées comprises : leurs réponses restent), dans l'ordre de
l'enquête.

Pourquoi pas les participations commencées : tant qu'elle n'est pas envoyée, une participation est un
brouillon que le RUPN peut encore changer et qu'il n'a pas remis ; ses réponses obligatoires peuvent
manquer. L'export reprend donc exactement ce que compte la page d'analyse (mêmes filtres, même
périmètre) ; qui a commencé sans envoyer se voit dans la liste des participations, pour une relance.
La colonne « État » dit « Envoyée » pour chaque ligne : elle garde au fichier la même forme si l'on y
ajoutait un jour d'autres états.

Valeurs : choix multiples joints par « ; », oui ou non en toutes lettres, notes et nombres en cellules
numériques (virgule décimale en CSV), textes tels quels ; aucune cellule ne devient une formule
(`ExportSansFormuleMixin`).
"""

from django.utils import timezone
from import_export import fields, resources

from enquetes.models import Question, Reponse, est_vide
from rupn.exports import ExportSansFormuleMixin

TITRE_EXPORT = "Réponses à l'enquête"
SEPARATEUR_CHOIX = "; "


def valeur_exportee(valeur):
    """La cellule d'une réponse : « a ; b » pour un choix multiple, « Oui » ou « Non », le nombre ou le texte."""
    if est_vide(valeur):
        return None
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, list):
        return SEPARATEUR_CHOIX.join(str(choix) for choix in valeur)
    if isinstance(valeur, int | float | str):
        return valeur
    return str(valeur)


class ReponsesExportResource(ExportSansFormuleMixin, resources.Resource):
    """Les colonnes de l'établissement et de la participation, puis une par question, nommée par son code.
    Les questions sont des champs ajoutés à l'instance (noms internes `question:<code>` : un code de
    question ne peut pas se confondre avec une colonne fixe)."""

    uai = fields.Field(attribute="designation__etablissement__uai", column_name="UAI")
    etablissement = fields.Field(attribute="designation__etablissement__nom", column_name="Établissement")
    departement = fields.Field(attribute="designation__etablissement__departement__code", column_name="Département")
    bassin = fields.Field(attribute="designation__etablissement__libelle_bassin", column_name="Bassin de formation")
    type = fields.Field(attribute="designation__etablissement__get_type_display", column_name="Type")
    secteur = fields.Field(attribute="designation__etablissement__get_secteur_display", column_name="Secteur")
    rupn = fields.Field(column_name="RUPN")
    etat = fields.Field(attribute="get_statut_display", column_name="État")
    envoyee_le = fields.Field(column_name="Envoyée le")

    class Meta:
        fields = ("uai", "etablissement", "departement", "bassin", "type", "secteur", "rupn", "etat", "envoyee_le")

    def __init__(self, questions, **kwargs):
        super().__init__(**kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"question:{question.code}"] = fields.Field(
                column_name=question.code, dehydrate_method=self._lecteur(question.pk)
            )

    def get_export_order(self):
        return (*self._meta.fields, *(f"question:{question.code}" for question in self.questions))

    @staticmethod
    def _lecteur(question_id):
        return lambda participation: valeur_exportee(participation.valeurs.get(question_id))

    def dehydrate_rupn(self, participation):
        return participation.designation.agent.nom_public

    def dehydrate_envoyee_le(self, participation):
        # Heure de Paris, à la seconde : un tableur ne lit pas les fuseaux horaires.
        if participation.soumise_le is None:
            return None
        return timezone.localtime(participation.soumise_le).replace(tzinfo=None, microsecond=0)


def _avec_valeurs(participations):
    """Les participations, chacune avec `valeurs` {question_id: valeur} : deux requêtes en tout."""
    liste = list(
        participations.select_related(
            "designation__agent", "designation__etablissement__departement", "designation__etablissement__bassin"
        ).order_by("designation__etablissement__nom", "designation__agent__last_name", "pk")
    )
    valeurs = {participation.pk: {} for participation in liste}
    lignes = Reponse.objects.filter(participation__in=participations.values("pk"), valeur__isnull=False).values_list(
        "participation_id", "question_id", "valeur"
    )
    for participation_id, question_id, valeur in lignes.iterator(chunk_size=2000):
        if participation_id in valeurs:
            valeurs[participation_id][question_id] = valeur
    for participation in liste:
        participation.valeurs = valeurs[participation.pk]
    return liste


def exporter(enquete, participations):
    """Le tableau (tablib.Dataset) des réponses des `participations` (déjà filtrées) à l'enquête."""
    questions = Question.objects.filter(enquete=enquete).order_by("section__ordre", "section_id", "ordre", "pk")
    return ReponsesExportResource(questions).export(_avec_valeurs(participations))
