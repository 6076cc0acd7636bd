import datetime
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rupn.territoires.models import Academie, Departement, Etablissement


class UtilisateurManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **champs):
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        utilisateur = self.model(email=self.normalize_email(email).lower(), **champs)
        utilisateur.set_password(password)
        utilisateur.save(using=self._db)
        return utilisateur

    def create_superuser(self, email, password=None, **champs):
        champs.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **champs)


class Utilisateur(AbstractBaseUser, PermissionsMixin):
    """Une personne, identifiée par son adresse électronique."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    is_active = models.BooleanField("actif", default=True)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UtilisateurManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def nom_public(self):
        """Le nom tel qu'un document ou une page publique le montre : jamais l'adresse électronique."""
        return self.get_full_name() or "Nom non renseigné"

    def get_short_name(self):
        return self.first_name or self.email


class RoleQuerySet(models.QuerySet):
    def valides(self, jour=None):
        jour = jour or timezone.localdate()
        return self.filter(Q(fin__isnull=True) | Q(fin__gte=jour), debut__lte=jour)

    def adresses_de_la_direction(self, etablissement):
        """Adresses du chef d'établissement et de ses adjoints en fonction."""
        return list(
            self.valides()
            .filter(etablissement=etablissement, type__in=Role.TYPES_DIRECTION)
            .values_list("utilisateur__email", flat=True)
        )


class Role(models.Model):
    """Ce qu'une personne fait, où, et pendant quelle période."""

    class Type(models.TextChoices):
        CHEF = "chef", "Chef d'établissement"
        ADJOINT = "adjoint", "Adjoint (par délégation)"
        RUPN = "rupn", "RUPN"
        DANE = "dane", "Personnel de la DANE"
        CORRESPONDANT = "correspondant", "Correspondant départemental"
        NATIONAL = "national", "Administrateur national"

    TYPES_ETABLISSEMENT = {Type.CHEF, Type.ADJOINT, Type.RUPN}
    TYPES_DIRECTION = {Type.CHEF, Type.ADJOINT}
    TYPES_ACADEMIQUES = {Type.DANE, Type.CORRESPONDANT, Type.NATIONAL}

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    type = models.CharField("rôle", max_length=15, choices=Type.choices)
    etablissement = models.ForeignKey(
        Etablissement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
    )
    academie = models.ForeignKey(Academie, on_delete=models.PROTECT, null=True, blank=True, related_name="roles")
    departements = models.ManyToManyField(Departement, blank=True, related_name="correspondants")
    debut = models.DateField("valable du", default=timezone.localdate)
    fin = models.DateField("valable jusqu'au", null=True, blank=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = "rôle"
        ordering = ["type", "debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__isnull=True) | Q(fin__gte=models.F("debut")),
                name="role_fin_apres_debut",
            )
        ]

    def __str__(self):
        return f"{self.libelle} — {self.perimetre}"

    @property
    def libelle(self):
        """Le rôle tel qu'on le nomme dans l'académie : « Personnel de la DRANE » là où le service s'appelle ainsi."""
        if self.type == self.Type.DANE and self.academie_id:
            return f"Personnel de la {self.academie.libelle_service}"
        return self.get_type_display()

    @property
    def est_national(self):
        return self.type == self.Type.NATIONAL

    @property
    def est_direction(self):
        return self.type in self.TYPES_DIRECTION

    def dirige(self, etablissement_id):
        """Chef de cet établissement, ou adjoint par délégation."""
        return self.est_direction and self.etablissement_id == etablissement_id

    @property
    def est_academique(self):
        return self.type in self.TYPES_ACADEMIQUES

    @property
    def perimetre(self):
        if self.type in self.TYPES_ETABLISSEMENT:
            return str(self.etablissement)
        if self.type == self.Type.CORRESPONDANT:
            return ", ".join(d.nom for d in self.departements.all()) or str(self.academie)
        if self.est_national:
            return "toutes les académies"
        return str(self.academie)

    def filtre_etablissements(self):
        """Condition sur Etablissement qui délimite ce que ce rôle laisse voir."""
        if self.est_national:
            return Q()
        if self.type == self.Type.DANE:
            return Q(academie_id=self.academie_id)
        if self.type == self.Type.CORRESPONDANT:
            return Q(departement__in=self.departements.all())
        return Q(pk=self.etablissement_id)

    def clean(self):
        if self.type in self.TYPES_ETABLISSEMENT:
            if not self.etablissement_id:
                raise ValidationError({"etablissement": "Ce rôle s'exerce dans un établissement : choisissez-le."})
            self.academie_id = self.etablissement.academie_id
        elif self.type in (self.Type.DANE, self.Type.CORRESPONDANT):
            if not self.academie_id:
                raise ValidationError({"academie": "Ce rôle s'exerce dans une académie : choisissez-la."})
            self.etablissement = None
        else:
            self.etablissement = None
            self.academie = None
        if self.fin and self.fin < self.debut:
            raise ValidationError({"fin": "La fin de validité précède son début."})


def _jeton():
    return secrets.token_urlsafe(32)


def _expiration():
    return timezone.now() + datetime.timedelta(days=settings.RUPN_INVITATION_JOURS)


class InvitationQuerySet(models.QuerySet):
    def en_attente(self):
        return self.filter(
            acceptee_le__isnull=True,
            annulee_le__isnull=True,
            expire_le__gt=timezone.now(),
        )

    def visible_to(self, user):
        """Les invitations envoyées par la personne, ou dans le périmètre de son rôle actif."""
        role = getattr(user, "role_actif", None)
        if role is None:
            return self.none()
        if role.est_national:
            return self.all()
        if role.type == Role.Type.DANE:
            return self.filter(academie_id=role.academie_id)
        if role.est_direction:
            return self.filter(etablissement_id=role.etablissement_id)
        return self.filter(invite_par=user)


class Invitation(models.Model):
    """Une personne invitée par courriel à prendre un rôle ; le lien lui fait choisir son mot de passe."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    jeton = models.CharField(max_length=64, unique=True, default=_jeton, editable=False)
    email = models.EmailField("adresse électronique")
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    type_role = models.CharField("rôle", max_length=15, choices=Role.Type.choices)
    etablissement = models.ForeignKey(Etablissement, on_delete=models.CASCADE, null=True, blank=True)
    academie = models.ForeignKey(Academie, on_delete=models.CASCADE, null=True, blank=True)
    departements = models.ManyToManyField(Departement, blank=True)
    invite_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField("envoyée le", auto_now_add=True)
    expire_le = models.DateTimeField("expire le", default=_expiration)
    acceptee_le = models.DateTimeField("acceptée le", null=True, blank=True)
    annulee_le = models.DateTimeField("annulée le", null=True, blank=True)
    role = models.ForeignKey(
        Role,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-cree_le"]

    def __str__(self):
        return f"{self.email} — {self.get_type_role_display()}"

    def get_absolute_url(self):
        return reverse("comptes:invitation_accepter", args=[self.jeton])

    def clean(self):
        """Ne garde que le périmètre que le rôle proposé utilise (comme Role.clean)."""
        self.email = self.email.strip().lower()
        if self.type_role in Role.TYPES_ETABLISSEMENT:
            if self.etablissement_id:
                self.academie_id = self.etablissement.academie_id
        elif self.type_role in (Role.Type.DANE, Role.Type.CORRESPONDANT):
            self.etablissement = None
        else:
            self.etablissement = None
            self.academie = None

    @property
    def statut(self):
        if self.acceptee_le:
            return "acceptée"
        if self.annulee_le:
            return "annulée"
        if self.expire_le <= timezone.now():
            return "expirée"
        return "en attente"

    @property
    def est_utilisable(self):
        return self.statut == "en attente"
