import uuid

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse

from lettres.modele_par_defaut import contenu_par_defaut
from rupn.comptes.models import Role
from rupn.territoires.models import Academie


class ModeleLettreQuerySet(models.QuerySet):
    def visible_to(self, user):
        """DANE : les versions de son académie ; national : toutes ; les autres rôles : aucune."""
        role = getattr(user, "role_actif", None)
        if role is None:
            return self.none()
        if role.est_national:
            return self
        if role.type == Role.Type.DANE:
            return self.filter(academie_id=role.academie_id)
        return self.none()

    def courant(self, academie):
        """La dernière version du modèle de l'académie. Une académie qui n'en a pas encore reçoit la
        version 1, le modèle par défaut : un modèle raisonnable est là dès l'installation, sans action."""
        modele = self.filter(academie=academie).order_by("-version").first()
        if modele is not None:
            return modele
        try:
            with transaction.atomic():
                return self.create(
                    academie=academie,
                    version=1,
                    contenu=contenu_par_defaut(academie.libelle_service),
                    commentaire=ModeleLettre.COMMENTAIRE_PAR_DEFAUT,
                )
        except IntegrityError:
            # Deux premières lectures simultanées : l'autre a créé la version 1.
            return self.filter(academie=academie).order_by("-version").first()


class ModeleLettre(models.Model):
    """Une version du modèle de lettre de mission d'une académie. Une version enregistrée ne change
    plus : chaque modification enregistre la suivante, et une lettre garde la version dont elle part."""

    COMMENTAIRE_PAR_DEFAUT = "Modèle proposé par défaut"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academie = models.ForeignKey(
        Academie, on_delete=models.PROTECT, related_name="modeles_lettre", verbose_name="académie"
    )
    version = models.PositiveIntegerField("version")
    contenu = models.JSONField("contenu", help_text="Forme décrite dans lettres/modele_par_defaut.py.")
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistrée par",
        help_text="Vide pour le modèle par défaut.",
    )
    cree_le = models.DateTimeField("enregistrée le", auto_now_add=True)
    commentaire = models.CharField("commentaire de version", max_length=200, blank=True)

    objects = ModeleLettreQuerySet.as_manager()

    class Meta:
        verbose_name = "modèle de lettre de mission"
        verbose_name_plural = "modèles de lettre de mission"
        ordering = ["academie", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["academie", "version"], name="modele_lettre_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="modele_lettre_version_positive"),
        ]

    def __str__(self):
        return f"Modèle de lettre de mission — {self.academie}, version {self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Une version du modèle de lettre ne change plus : enregistrez la suivante.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("lettres:modele_version", args=[self.uuid])
