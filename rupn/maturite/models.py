from django.conf import settings
from django.db import IntegrityError, models, transaction

from rupn.maturite.grille_par_defaut import DOMAINES
from rupn.territoires.models import Academie, AnneeScolaire, Etablissement


class GrilleQuerySet(models.QuerySet):
    def courante(self, academie):
        """La dernière version de la grille de l'académie. Une académie qui n'en a pas encore reçoit la
        version 1, la grille par défaut (rupn/maturite/grille_par_defaut.py), sans action de la DANE."""
        grille = self.filter(academie=academie).order_by("-version").first()
        if grille is not None:
            return grille
        try:
            with transaction.atomic():
                grille = self.create(academie=academie, version=1)
                for ordre, (code, titre, items) in enumerate(DOMAINES, start=1):
                    domaine = Domaine.objects.create(grille=grille, code=code, titre=titre, ordre=ordre)
                    Item.objects.bulk_create(
                        Item(domaine=domaine, code=code_item, libelle=libelle, niveau=niveau, ordre=rang)
                        for rang, (code_item, niveau, libelle) in enumerate(items, start=1)
                    )
                return grille
        except IntegrityError:
            # Deux premières lectures simultanées : l'autre a créé la version 1.
            return self.filter(academie=academie).order_by("-version").first()


class Grille(models.Model):
    """Une version de la grille de maturité numérique d'une académie. Une version enregistrée ne change plus :
    une modification enregistrera la suivante ; les items gardent leur code d'une version à l'autre."""

    academie = models.ForeignKey(
        Academie, on_delete=models.PROTECT, related_name="grilles_maturite", verbose_name="académie"
    )
    version = models.PositiveIntegerField("version")
    cree_le = models.DateTimeField("enregistrée le", auto_now_add=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistrée par",
        help_text="Vide pour la grille par défaut.",
    )
    commentaire = models.CharField("commentaire de version", max_length=200, blank=True)

    objects = GrilleQuerySet.as_manager()

    class Meta:
        verbose_name = "grille de maturité numérique"
        verbose_name_plural = "grilles de maturité numérique"
        ordering = ["academie", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["academie", "version"], name="grille_maturite_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="grille_maturite_version_positive"),
        ]

    def __str__(self):
        return f"Grille de maturité numérique — {self.academie}, version {self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Une version de la grille ne change plus : enregistrez la suivante.")
        super().save(*args, **kwargs)


class Domaine(models.Model):
    grille = models.ForeignKey(Grille, on_delete=models.CASCADE, related_name="domaines", verbose_name="grille")
    code = models.SlugField("code", max_length=50)
    titre = models.CharField("titre", max_length=200)
    ordre = models.PositiveIntegerField("ordre")

    class Meta:
        verbose_name = "domaine"
        verbose_name_plural = "domaines"
        ordering = ["grille", "ordre"]
        constraints = [models.UniqueConstraint(fields=["grille", "code"], name="domaine_maturite_code_unique")]

    def __str__(self):
        return self.titre


class Item(models.Model):
    class Niveau(models.IntegerChoices):
        MINIMAL = 1, "Conditions minimales"
        REUSSITE = 2, "Conditions de réussite"
        AVANCE = 3, "Conditions avancées"

    domaine = models.ForeignKey(Domaine, on_delete=models.CASCADE, related_name="items", verbose_name="domaine")
    code = models.SlugField("code", max_length=50, help_text="Stable d'une version de la grille à l'autre.")
    libelle = models.CharField("libellé", max_length=300)
    niveau = models.PositiveSmallIntegerField("niveau", choices=Niveau.choices)
    ordre = models.PositiveIntegerField("ordre")

    class Meta:
        verbose_name = "item"
        verbose_name_plural = "items"
        ordering = ["domaine", "niveau", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["domaine", "code"], name="item_maturite_code_unique"),
            models.CheckConstraint(condition=models.Q(niveau__gte=1, niveau__lte=3), name="item_maturite_niveau"),
        ]

    def __str__(self):
        return self.libelle


class Positionnement(models.Model):
    """Où en est un établissement, une année, pour un item : enregistré item par item."""

    class Statut(models.TextChoices):
        NON_REALISE = "non_realise", "Non réalisé"
        EN_COURS = "en_cours", "En cours de réalisation"
        REALISE = "realise", "Réalisé"

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="positionnements", verbose_name="établissement"
    )
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+", verbose_name="année")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="positionnements", verbose_name="item")
    statut = models.CharField("statut", max_length=15, choices=Statut.choices)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="modifié par"
    )
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "positionnement"
        verbose_name_plural = "positionnements"
        constraints = [
            models.UniqueConstraint(fields=["etablissement", "annee", "item"], name="positionnement_unique"),
        ]

    def __str__(self):
        return f"{self.etablissement} — {self.annee} — {self.item.code} : {self.get_statut_display()}"


class NiveauDomaine(models.Model):
    """Le niveau atteint (0 à 3) par un établissement dans un domaine de la grille, une année : une ligne par
    domaine dès qu'un item est renseigné cette année-là. Dénormalisé pour les tableaux de bord, recalculé par
    `services.recalculer_niveaux` à chaque positionnement (règle en tête de services.py)."""

    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="niveaux_maturite", verbose_name="établissement"
    )
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+", verbose_name="année")
    domaine_code = models.SlugField("code du domaine", max_length=50)
    niveau = models.PositiveSmallIntegerField("niveau atteint")

    class Meta:
        verbose_name = "niveau atteint dans un domaine"
        verbose_name_plural = "niveaux atteints dans les domaines"
        constraints = [
            models.UniqueConstraint(fields=["etablissement", "annee", "domaine_code"], name="niveau_domaine_unique"),
            models.CheckConstraint(condition=models.Q(niveau__lte=3), name="niveau_domaine_0_a_3"),
        ]
        indexes = [models.Index(fields=["annee", "domaine_code", "niveau"], name="niveau_domaine_distribution")]

    def __str__(self):
        return f"{self.etablissement} — {self.annee} — {self.domaine_code} : niveau {self.niveau}"
