from django.conf import settings
from django.db import models

from rupn.territoires.models import AnneeScolaire, Etablissement


class RelanceDirection(models.Model):
    """Un courriel du tableau de bord à la direction d'un établissement, pour un motif et une année : il n'en
    part pas d'autre pour le même motif avant RUPN_RELANCE_JOURS jours. (L'absence de RUPN a sa relance dans
    missions : `RelanceCouverture`.)"""

    class Motif(models.TextChoices):
        LETTRE = "lettre", "Lettre de mission non scellée"
        COMPTE_RENDU = "compte_rendu", "Compte-rendu du RUPN à lire"
        MATURITE = "maturite", "Grille de maturité à remplir"

    etablissement = models.ForeignKey(Etablissement, on_delete=models.CASCADE, related_name="+")
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    motif = models.CharField("motif", max_length=15, choices=Motif.choices)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    le = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "relance de la direction"
        verbose_name_plural = "relances de la direction"
        indexes = [models.Index(fields=["annee", "motif", "etablissement", "le"])]

    def __str__(self):
        return f"{self.get_motif_display()} — {self.etablissement} ({self.annee})"
