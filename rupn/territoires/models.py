import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rupn.territoires.validators import valider_uai


class Academie(models.Model):
    class Service(models.TextChoices):
        DANE = "DANE", "DANE"
        DRANE = "DRANE", "DRANE"
        SRANE = "SRANE", "SRANE"

    code = models.CharField("code", max_length=2, unique=True)
    nom = models.CharField("nom", max_length=100)
    region = models.CharField("région académique", max_length=100)
    libelle_service = models.CharField(
        "service du numérique",
        max_length=5,
        choices=Service.choices,
        default=Service.DANE,
    )
    premier_mois_paiement = models.PositiveSmallIntegerField(
        "premier mois de paiement des IMP",
        default=10,
        choices=[(10, "octobre"), (11, "novembre")],
        help_text="Mois du premier des neuf versements d'une IMP annuelle.",
    )

    class Meta:
        verbose_name = "académie"
        ordering = ["nom"]

    def __str__(self):
        return f"Académie de {self.nom}" if self.nom[0] not in "AEIOUÉ" else f"Académie d'{self.nom}"


class Departement(models.Model):
    code = models.CharField("code", max_length=3, unique=True, help_text="Code sur 3 caractères : 031, 02A.")
    nom = models.CharField("nom", max_length=100)
    academie = models.ForeignKey(Academie, on_delete=models.PROTECT, related_name="departements")
    prefixe_uai = models.CharField("préfixe des UAI", max_length=3, blank=True)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.nom} ({self.code})"


class Bassin(models.Model):
    code = models.CharField("code", max_length=10, unique=True)
    libelle = models.CharField("libellé", max_length=150)
    academie = models.ForeignKey(Academie, on_delete=models.PROTECT, related_name="bassins")

    class Meta:
        verbose_name = "bassin de formation"
        verbose_name_plural = "bassins de formation"
        ordering = ["libelle"]

    def __str__(self):
        return self.libelle


class EtablissementQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Les établissements que le rôle actif de l'utilisateur laisse voir."""
        role = getattr(user, "role_actif", None)
        if role is None:
            return self.none()
        return self.filter(role.filtre_etablissements())

    def ouverts(self):
        return self.filter(ouvert=True)

    def avec_donnees_liste(self):
        return self.select_related("departement", "bassin", "academie")


class Etablissement(models.Model):
    class Type(models.TextChoices):
        COLLEGE = "college", "Collège"
        LYCEE = "lycee", "Lycée"
        EREA = "erea", "EREA"

    class Secteur(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVE = "prive", "Privé sous contrat"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uai = models.CharField("UAI", max_length=8, unique=True, validators=[valider_uai])
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=10, choices=Type.choices)
    nature_code = models.CharField("code nature", max_length=3, blank=True)
    nature_libelle = models.CharField("nature", max_length=100, blank=True)
    secteur = models.CharField("secteur", max_length=10, choices=Secteur.choices)
    academie = models.ForeignKey(Academie, on_delete=models.PROTECT, related_name="etablissements")
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="etablissements")
    bassin = models.ForeignKey(
        Bassin,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="etablissements",
    )
    commune_code = models.CharField("code commune", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    etablissement_mere = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name="établissement de rattachement",
    )
    type_rattachement = models.CharField("type de rattachement", max_length=60, blank=True)
    ouvert = models.BooleanField("ouvert", default=True)
    date_ouverture = models.DateField("date d'ouverture", null=True, blank=True)
    date_fermeture = models.DateField("fermé le", null=True, blank=True)
    date_maj_annuaire = models.DateField("mise à jour dans l'annuaire", null=True, blank=True)

    objects = EtablissementQuerySet.as_manager()

    class Meta:
        verbose_name = "établissement"
        ordering = ["nom"]
        indexes = [
            models.Index(fields=["academie", "ouvert"]),
            models.Index(fields=["departement", "ouvert"]),
        ]

    def __str__(self):
        return f"{self.nom} ({self.uai})"

    def get_absolute_url(self):
        return reverse("territoires:etablissement_detail", args=[self.uuid])

    @property
    def libelle_bassin(self):
        return self.bassin.libelle if self.bassin_id else ""

    def clean(self):
        if self.departement_id and self.academie_id and self.departement.academie_id != self.academie_id:
            raise ValidationError({"departement": "Ce département n'appartient pas à l'académie de l'établissement."})
        if self.bassin_id and self.academie_id and self.bassin.academie_id != self.academie_id:
            raise ValidationError({"bassin": "Ce bassin n'appartient pas à l'académie de l'établissement."})


class AnneeScolaireQuerySet(models.QuerySet):
    def courante(self, jour=None):
        jour = jour or timezone.localdate()
        return self.filter(debut__lte=jour, fin__gte=jour).first()


class AnneeScolaire(models.Model):
    code = models.CharField("année scolaire", max_length=9, unique=True, help_text="Par exemple 2025-2026.")
    debut = models.DateField("début")
    fin = models.DateField("fin")

    objects = AnneeScolaireQuerySet.as_manager()

    class Meta:
        verbose_name = "année scolaire"
        verbose_name_plural = "années scolaires"
        ordering = ["-debut"]
        constraints = [models.CheckConstraint(condition=Q(fin__gt=models.F("debut")), name="annee_fin_apres_debut")]

    def __str__(self):
        return self.code

    def est_en_cours(self, jour=None):
        return self.debut <= (jour or timezone.localdate()) <= self.fin

    @classmethod
    def pour_rentree(cls, annee_rentree: int):
        """L'année scolaire qui commence en septembre de `annee_rentree` (créée au besoin)."""
        annee, _ = cls.objects.get_or_create(
            code=f"{annee_rentree}-{annee_rentree + 1}",
            defaults={
                "debut": datetime.date(annee_rentree, 9, 1),
                "fin": datetime.date(annee_rentree + 1, 8, 31),
            },
        )
        return annee


def chemin_fichier_import(instance, nom_fichier):
    return f"imports/annuaire/{instance.uuid}.csv"


class ImportAnnuaire(models.Model):
    """Un fichier de l'annuaire déposé par la DANE : analyse, aperçu, puis confirmation.

    L'analyse et l'import s'exécutent en arrière-plan ; `avancement` et `etape` les suivent.
    """

    class Statut(models.TextChoices):
        ANALYSE = "analyse", "Analyse en cours"
        APERCU = "apercu", "Aperçu à confirmer"
        IMPORT = "import", "Import en cours"
        IMPORTE = "importe", "Importé"
        ECHEC = "echec", "Fichier refusé"
        ABANDONNE = "abandonne", "Abandonné"

    EN_COURS = {Statut.ANALYSE, Statut.IMPORT}
    # Sans nouvelle d'une opération depuis ce délai, le processus qui la portait s'est arrêté.
    DELAI_INTERRUPTION = datetime.timedelta(minutes=15)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academie = models.ForeignKey(Academie, on_delete=models.CASCADE, related_name="imports")
    fichier = models.FileField(
        "fichier", upload_to=chemin_fichier_import, blank=True, help_text="Conservé pour les dépôts faits en ligne."
    )
    nom_fichier = models.CharField("nom du fichier", max_length=255)
    empreinte = models.CharField("empreinte SHA-256", max_length=64)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide pour un import fait en ligne de commande.",
    )
    cree_le = models.DateTimeField("déposé le", auto_now_add=True)
    maj_le = models.DateTimeField("mis à jour le", auto_now=True)
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.APERCU)
    avancement = models.PositiveSmallIntegerField("avancement (%)", default=0)
    etape = models.CharField("étape en cours", max_length=200, blank=True)
    erreur = models.TextField("motif du refus ou de l'échec", blank=True)
    importe_le = models.DateTimeField("importé le", null=True, blank=True)
    bilan = models.JSONField("bilan", default=dict, blank=True)

    class Meta:
        verbose_name = "import de l'annuaire"
        verbose_name_plural = "imports de l'annuaire"
        ordering = ["-cree_le"]

    def __str__(self):
        return f"{self.nom_fichier} ({self.get_statut_display()})"

    @property
    def en_cours(self):
        return self.statut in self.EN_COURS and not self.interrompu

    @property
    def interrompu(self):
        return self.statut in self.EN_COURS and timezone.now() - self.maj_le > self.DELAI_INTERRUPTION
