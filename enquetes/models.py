"""Enquête de fin d'année d'une académie : sections, questions au code stable d'une année à l'autre,
participations des RUPN (une par désignation acceptée de l'année) et leurs réponses.

L'enquête tient lieu de compte-rendu d'activité du RUPN à sa direction, qui en prend connaissance.
Une fois des réponses enregistrées, une question peut être masquée ou ajoutée, mais ni supprimée ni
changée de type (enquetes/construction.py) : aucune réponse ne se perd et les années restent comparables.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from rupn.comptes.models import Role
from rupn.territoires.models import Academie, AnneeScolaire, Etablissement


class EnqueteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """DANE et correspondant : les enquêtes de leur académie ; national : toutes ; les autres : aucune
        (un RUPN passe par sa participation)."""
        role = getattr(user, "role_actif", None)
        if role is None:
            return self.none()
        if role.est_national:
            return self
        if role.type in (Role.Type.DANE, Role.Type.CORRESPONDANT):
            return self.filter(academie_id=role.academie_id)
        return self.none()


class Enquete(models.Model):
    """L'enquête d'une académie pour une année scolaire, et sa campagne (ouverture, clôture)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academie = models.ForeignKey(Academie, on_delete=models.PROTECT, related_name="enquetes", verbose_name="académie")
    annee = models.ForeignKey(
        AnneeScolaire, on_delete=models.PROTECT, related_name="enquetes", verbose_name="année scolaire"
    )
    titre = models.CharField("titre", max_length=200)
    introduction = models.TextField("texte d'accueil", blank=True)
    ouverture = models.DateField("ouverture", null=True, blank=True)
    cloture = models.DateField("clôture", null=True, blank=True)
    lancee_le = models.DateTimeField(
        "campagne lancée le", null=True, blank=True, help_text="Invitations envoyées aux RUPN de l'année."
    )
    copie_de = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name="copiée de",
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = EnqueteQuerySet.as_manager()

    class Meta:
        verbose_name = "enquête de fin d'année"
        verbose_name_plural = "enquêtes de fin d'année"
        ordering = ["academie", "-annee__debut"]
        constraints = [
            models.UniqueConstraint(fields=["academie", "annee"], name="enquete_unique_par_academie_et_annee"),
            models.CheckConstraint(
                condition=models.Q(cloture__isnull=True)
                | models.Q(ouverture__isnull=True)
                | models.Q(cloture__gte=models.F("ouverture")),
                name="enquete_cloture_apres_ouverture",
            ),
        ]

    def __str__(self):
        return f"{self.titre} — {self.academie}, {self.annee}"

    def get_absolute_url(self):
        return reverse("enquetes:enquete_detail", args=[self.uuid])

    @property
    def lancee(self):
        return self.lancee_le is not None

    def ouverte(self, jour=None):
        """Les RUPN y répondent : campagne lancée, entre l'ouverture et la clôture (comprises)."""
        jour = jour or timezone.localdate()
        return self.lancee and (self.ouverture is None or self.ouverture <= jour) and not self.close(jour)

    def close(self, jour=None):
        jour = jour or timezone.localdate()
        return self.cloture is not None and jour > self.cloture


class Section(models.Model):
    """Une étape de l'enquête (une page du formulaire du RUPN)."""

    enquete = models.ForeignKey(Enquete, on_delete=models.CASCADE, related_name="sections")
    titre = models.CharField("titre", max_length=200)
    description = models.TextField("description", blank=True)
    ordre = models.PositiveIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "section"
        ordering = ["enquete", "ordre", "pk"]

    def __str__(self):
        return self.titre


_format_du_code = RegexValidator(
    r"^[a-z][a-z0-9_]{1,49}$",
    "Le code d'une question : des minuscules sans accent, chiffres et « _ », commençant par une lettre "
    "(2 à 50 caractères), par exemple « formations_animees ».",
)

# Le champ de saisie d'une question porte son code (enquetes/forms_saisie.py) : un code ne prend pas le nom
# d'un autre champ du formulaire d'étape (jeton CSRF, bouton « action », questions annoncées « _questions »,
# révision de l'étape), sinon sa réponse et ce champ se mélangeraient dans l'envoi.
CODES_RESERVES = frozenset({"action", "csrfmiddlewaretoken", "_questions", "revision"})


def code_valide(code):
    """Le validateur du code d'une question : son format, puis les noms réservés par le formulaire de saisie."""
    _format_du_code(code)
    if code in CODES_RESERVES:
        raise ValidationError(
            f"Le code « {code} » est réservé par le formulaire de saisie de l'enquête : choisissez-en un autre, "
            f"par exemple « {code}_rupn ».",
            code="reserve",
        )


class Question(models.Model):
    """Une question de l'enquête. Son `code` la suit d'une année à l'autre (copie de l'enquête, comparaison)."""

    class Type(models.TextChoices):
        CHOIX_UNIQUE = "choix_unique", "Choix unique"
        CHOIX_MULTIPLE = "choix_multiple", "Choix multiple"
        ECHELLE = "echelle", "Échelle de 1 à 5"
        OUI_NON = "oui_non", "Oui ou non"
        NOMBRE = "nombre", "Nombre"
        TEXTE_COURT = "texte_court", "Texte court"
        TEXTE_LONG = "texte_long", "Texte long"

    TYPES_A_OPTIONS = {Type.CHOIX_UNIQUE, Type.CHOIX_MULTIPLE}

    enquete = models.ForeignKey(Enquete, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="questions")
    code = models.CharField("code", max_length=50, validators=[code_valide])
    libelle = models.CharField("question", max_length=500)
    aide = models.CharField("aide", max_length=500, blank=True)
    type = models.CharField("type", max_length=20, choices=Type.choices)
    options = models.JSONField("choix proposés", default=list, blank=True, help_text="Pour les questions à choix.")
    obligatoire = models.BooleanField("réponse obligatoire", default=False)
    masquee = models.BooleanField(
        "masquée", default=False, help_text="Une question masquée n'est plus posée ; ses réponses restent."
    )
    prerempli = models.CharField(
        "préremplie depuis",
        max_length=40,
        blank=True,
        help_text="Ce que le service sait déjà (journal d'activités, lettre de mission) : voir "
        "enquetes/preremplissage.py.",
    )
    ordre = models.PositiveIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "question"
        ordering = ["section__ordre", "ordre", "pk"]
        constraints = [models.UniqueConstraint(fields=["enquete", "code"], name="question_code_unique_par_enquete")]

    def __str__(self):
        return f"{self.code} — {self.libelle}"


class ParticipationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """RUPN : les siennes ; direction : celles des désignations de son établissement ; DANE, correspondant,
        national : leur périmètre."""
        role = getattr(user, "role_actif", None)
        if role is None:
            return self.none()
        if role.type == Role.Type.RUPN:
            return self.filter(designation__agent=user)
        return self.filter(designation__etablissement__in=Etablissement.objects.filter(role.filtre_etablissements()))


class Participation(models.Model):
    """La réponse d'un RUPN à l'enquête, pour une de ses désignations de l'année : son compte-rendu."""

    class Statut(models.TextChoices):
        A_FAIRE = "a_faire", "À remplir"
        EN_COURS = "en_cours", "Commencée"
        SOUMISE = "soumise", "Envoyée"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enquete = models.ForeignKey(Enquete, on_delete=models.PROTECT, related_name="participations")
    designation = models.OneToOneField(
        "missions.Designation", on_delete=models.PROTECT, related_name="participation", verbose_name="désignation"
    )
    statut = models.CharField("état", max_length=10, choices=Statut.choices, default=Statut.A_FAIRE)
    soumise_le = models.DateTimeField("envoyée le", null=True, blank=True)
    rouverte = models.BooleanField(
        "rouverte par la DANE", default=False, help_text="Modifiable après la clôture, jusqu'au prochain envoi."
    )
    relancee_le = models.DateTimeField("dernière relance", null=True, blank=True)
    invitee_le = models.DateTimeField("invitation envoyée le", null=True, blank=True)
    lue_le = models.DateTimeField("prise de connaissance le", null=True, blank=True)
    lue_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prise de connaissance par",
    )
    commentaire_direction = models.TextField("commentaire de la direction", blank=True)
    compte_rendu = models.JSONField(
        "compte-rendu envoyé",
        null=True,
        blank=True,
        editable=False,
        help_text="Le compte-rendu figé à l'envoi (enquetes.saisie.donnees_compte_rendu) : ce que la direction lit.",
    )
    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = "participation"
        ordering = ["enquete", "designation__etablissement__nom", "pk"]
        indexes = [models.Index(fields=["enquete", "statut"])]

    def __str__(self):
        return f"{self.designation.agent} — {self.enquete}"

    def get_absolute_url(self):
        return reverse("enquetes:participation_detail", args=[self.uuid])

    def modifiable(self, jour=None):
        """Le RUPN peut encore écrire : pas envoyée, désignation toujours acceptée (ni annulée ni refusée), et
        campagne ouverte (ou participation rouverte)."""
        from enquetes.services import est_due

        if self.statut == self.Statut.SOUMISE or not est_due(self):
            return False
        return self.rouverte or self.enquete.ouverte(jour)


def est_vide(valeur):
    """Une réponse sans valeur : rien, texte vide ou aucun choix coché."""
    return valeur is None or valeur == "" or valeur == []


class Reponse(models.Model):
    """La réponse à une question. `valeur` : texte, nombre, booléen, ou liste de choix."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="reponses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="reponses")
    valeur = models.JSONField("valeur", null=True, blank=True)
    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "réponse"
        constraints = [models.UniqueConstraint(fields=["participation", "question"], name="une_reponse_par_question")]

    def __str__(self):
        return f"{self.question.code} = {self.valeur!r}"
