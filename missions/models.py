import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rupn.comptes.models import Role
from rupn.formats import euros
from rupn.territoires.models import Academie, AnneeScolaire, Etablissement


class TauxIMPQuerySet(models.QuerySet):
    def en_vigueur(self, jour):
        return self.filter(Q(valable_au__isnull=True) | Q(valable_au__gte=jour), valable_du__lte=jour)

    def autorises(self, academie, annee):
        """Les taux que l'académie autorise pour la mission RUPN, en vigueur à la rentrée de l'année."""
        return self.en_vigueur(annee.debut).filter(academies=academie)


class TauxIMP(models.Model):
    """Un taux annuel d'IMP fixé par arrêté (donnée datée, jamais une constante du code)."""

    montant = models.DecimalField("montant annuel (€)", max_digits=8, decimal_places=2)
    texte = models.CharField("texte de référence", max_length=200)
    valable_du = models.DateField("en vigueur du")
    valable_au = models.DateField("en vigueur jusqu'au", null=True, blank=True)
    academies = models.ManyToManyField(
        Academie,
        blank=True,
        related_name="taux_imp",
        verbose_name="académies qui l'autorisent pour la mission RUPN",
    )

    objects = TauxIMPQuerySet.as_manager()

    class Meta:
        verbose_name = "taux d'IMP"
        verbose_name_plural = "taux d'IMP"
        ordering = ["montant", "-valable_du"]

    def __str__(self):
        return f"{self.montant_affiche} par an"

    @property
    def montant_affiche(self):
        return euros(self.montant)


class Enveloppe(models.Model):
    """Le montant d'IMP dont dispose un établissement pour une année scolaire."""

    etablissement = models.ForeignKey(Etablissement, on_delete=models.CASCADE, related_name="enveloppes")
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    montant = models.DecimalField("enveloppe d'IMP (€)", max_digits=10, decimal_places=2)
    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "enveloppe d'IMP"
        verbose_name_plural = "enveloppes d'IMP"
        constraints = [models.UniqueConstraint(fields=["etablissement", "annee"], name="enveloppe_unique")]

    def __str__(self):
        return f"{self.etablissement} — {self.annee} : {self.montant} €"


class DesignationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Les désignations que le rôle actif laisse voir ; les siennes pour un RUPN."""
        role = getattr(user, "role_actif", None)
        if role is None:
            return self.none()
        if role.type == Role.Type.RUPN:
            return self.filter(agent=user)
        return self.filter(etablissement__in=Etablissement.objects.filter(role.filtre_etablissements()))

    def pour_annee(self, annee):
        return self.filter(annee=annee)

    def payees(self):
        """Celles que la paie reprend : validées par la DANE (et terminées ensuite)."""
        return self.filter(statut__in=[Designation.Statut.VALIDEE, Designation.Statut.TERMINEE])

    def engagees(self):
        """Celles qui engagent une reconnaissance : ni refusées ni annulées."""
        return self.exclude(statut__in=Designation.STATUTS_CLOS_SANS_SUITE)

    def acceptees(self):
        return self.filter(statut__in=Designation.STATUTS_ACCEPTES)

    def avec_donnees_liste(self):
        return self.select_related(
            "etablissement__departement", "etablissement__bassin", "annee", "agent", "taux", "remplace__agent"
        )


def _jeton():
    return secrets.token_urlsafe(32)


class Designation(models.Model):
    """Une personne désignée RUPN d'un établissement pour une année scolaire, avec sa reconnaissance."""

    class Statut(models.TextChoices):
        PROPOSEE = "proposee", "Proposée"
        ACCEPTEE = "acceptee", "Acceptée"
        REFUSEE = "refusee", "Refusée"
        VALIDEE = "validee", "Validée"
        TERMINEE = "terminee", "Terminée"
        ANNULEE = "annulee", "Annulée"

    STATUTS_CLOS_SANS_SUITE = {Statut.REFUSEE, Statut.ANNULEE}
    # Une désignation acceptée par la personne, validée ou non par la DANE, ou terminée après l'avoir été.
    STATUTS_ACCEPTES = {Statut.ACCEPTEE, Statut.VALIDEE, Statut.TERMINEE}
    # La personne est en poste : acceptée, validée ou non (celle qu'une lettre de mission couvre).
    STATUTS_EN_POSTE = {Statut.ACCEPTEE, Statut.VALIDEE}
    # Une semaine de service d'un professeur certifié compte 18 heures.
    HEURES_ALLEGEMENT_MAX = 18

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    jeton = models.CharField(max_length=64, unique=True, default=_jeton, editable=False)
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.PROTECT, related_name="designations", verbose_name="établissement"
    )
    annee = models.ForeignKey(
        AnneeScolaire, on_delete=models.PROTECT, related_name="designations", verbose_name="année scolaire"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="designations", verbose_name="personne"
    )
    statut = models.CharField("état", max_length=10, choices=Statut.choices, default=Statut.PROPOSEE)
    taux = models.ForeignKey(
        TauxIMP, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="taux d'IMP"
    )
    heures_allegement = models.DecimalField(
        "allègement de service (heures hebdomadaires)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    debut = models.DateField("début de la mission")
    fin = models.DateField("fin de la mission")
    # Calculés à l'enregistrement (echeancier.py) : les totaux se font en SQL.
    nb_mois = models.PositiveSmallIntegerField("mois de mission", default=0)
    montant = models.DecimalField("montant dû pour la période (€)", max_digits=8, decimal_places=2, default=0)
    premier_mois_paiement = models.PositiveSmallIntegerField(
        "premier mois de paiement", help_text="Celui de l'académie au moment de la proposition."
    )
    remplace = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remplacements",
        verbose_name="remplace la désignation de",
    )
    avis_conseil_pedagogique = models.DateField("avis du conseil pédagogique le", null=True, blank=True)
    avis_conseil_administration = models.DateField("avis du conseil d'administration le", null=True, blank=True)
    motif_refus = models.TextField("motif du refus", blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="proposée par"
    )
    cree_le = models.DateTimeField("proposée le", auto_now_add=True)
    derniere_relance_le = models.DateTimeField("dernière relance le", null=True, blank=True)

    objects = DesignationQuerySet.as_manager()

    class Meta:
        verbose_name = "désignation"
        ordering = ["etablissement__nom", "debut", "agent__last_name"]
        indexes = [models.Index(fields=["annee", "statut"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(taux__isnull=False, heures_allegement__isnull=True)
                | Q(taux__isnull=True, heures_allegement__isnull=False),
                name="designation_imp_ou_allegement",
            ),
            models.CheckConstraint(condition=Q(fin__gte=models.F("debut")), name="designation_fin_apres_debut"),
            models.UniqueConstraint(
                fields=["etablissement", "annee", "agent"],
                condition=~Q(statut__in=["refusee", "annulee"]),
                name="designation_unique_par_annee",
            ),
        ]

    def __str__(self):
        return f"{self.agent} — {self.etablissement.nom} ({self.annee})"

    def get_absolute_url(self):
        return reverse("missions:designation_detail", args=[self.uuid])

    @property
    def reconnaissance(self):
        if self.taux_id:
            return f"IMP de {self.taux.montant_affiche} par an"
        heures = f"{self.heures_allegement.normalize():f}".replace(".", ",")
        return f"allègement de service de {heures} h par semaine"

    @property
    def engagee(self):
        """Ni refusée ni annulée : elle engage sa reconnaissance (et son montant dû)."""
        return self.statut not in self.STATUTS_CLOS_SANS_SUITE

    @property
    def annee_entiere(self):
        return self.debut == self.annee.debut and self.fin == self.annee.fin

    def clean(self):
        erreurs = {}
        if self.taux_id and self.heures_allegement is not None:
            erreurs["heures_allegement"] = (
                "Une mission est reconnue soit par une IMP, soit par un allègement de service, jamais les deux : "
                "videz l'un des deux champs."
            )
        elif not self.taux_id and self.heures_allegement is None:
            erreurs["taux"] = "Choisissez la reconnaissance de la mission : un taux d'IMP ou un allègement de service."
        elif self.heures_allegement is not None and not 0 < self.heures_allegement <= self.HEURES_ALLEGEMENT_MAX:
            erreurs["heures_allegement"] = (
                "L'allègement de service se compte en heures par semaine : "
                f"indiquez un nombre positif, au plus {self.HEURES_ALLEGEMENT_MAX}."
            )
        if self.annee_id and self.debut and self.fin:
            if self.fin < self.debut:
                erreurs["fin"] = "La fin de la mission précède son début."
            else:
                hors_annee = (
                    f"La mission doit se tenir dans l'année scolaire {self.annee} "
                    f"(du {self.annee.debut:%d/%m/%Y} au {self.annee.fin:%d/%m/%Y})."
                )
                if not self.annee.debut <= self.debut <= self.annee.fin:
                    erreurs["debut"] = hors_annee
                elif self.fin > self.annee.fin:
                    erreurs["fin"] = hors_annee
        for champ in ("avis_conseil_pedagogique", "avis_conseil_administration"):
            if getattr(self, champ) and self.fin and getattr(self, champ) > self.fin:
                erreurs[champ] = f"L'avis précède la fin de la mission ({self.fin:%d/%m/%Y}) : vérifiez la date."
        if self.etablissement_id:
            if self.etablissement.secteur == Etablissement.Secteur.PRIVE and self.avis_conseil_administration:
                erreurs["avis_conseil_administration"] = (
                    "Un établissement privé sous contrat n'a pas de conseil d'administration : laissez ce champ vide."
                )
            if self._state.adding:
                erreurs.update(self._erreurs_a_la_proposition())
        if erreurs:
            raise ValidationError(erreurs)

    def _erreurs_a_la_proposition(self):
        """Règles qui ne valent qu'au moment de proposer (un taux retiré ensuite ne bloque pas la suite)."""
        erreurs = {}
        generales = erreurs.setdefault("__all__", [])
        if not self.etablissement.ouvert:
            generales.append("Cet établissement est fermé : on n'y désigne plus de RUPN.")
        if self.taux_id and self.annee_id:
            autorises = TauxIMP.objects.autorises(self.etablissement.academie, self.annee)
            if not autorises.filter(pk=self.taux_id).exists():
                erreurs["taux"] = (
                    "Ce taux d'IMP n'est pas autorisé par l'académie pour cette année. Taux autorisés : "
                    + (", ".join(t.montant_affiche for t in autorises) or "aucun (voyez avec la DANE)")
                    + "."
                )
        if self.remplace_id:
            for champ, message in self._erreurs_de_remplacement().items():
                erreurs.setdefault(champ, []).append(message)
        if self.agent_id:
            if Role.objects.valides().filter(utilisateur=self.agent_id, type__in=Role.TYPES_DIRECTION).exists():
                generales.append("Un personnel de direction ne peut pas être désigné RUPN.")
            doublon = (
                Designation.objects.filter(etablissement=self.etablissement_id, annee=self.annee_id)
                .filter(agent=self.agent_id)
                .engagees()
                .exclude(pk=self.pk)
            )
            if self.annee_id and doublon.exists():
                generales.append(f"{self.agent} est déjà désigné(e) dans cet établissement pour l'année {self.annee}.")
        return {champ: messages for champ, messages in erreurs.items() if messages}

    def _erreurs_de_remplacement(self):
        """On remplace une mission terminée de l'établissement et de l'année, une seule fois, après sa fin."""
        remplacee = self.remplace
        if (
            remplacee.statut != self.Statut.TERMINEE
            or remplacee.etablissement_id != self.etablissement_id
            or remplacee.annee_id != self.annee_id
        ):
            return {"__all__": "On ne remplace qu'une mission terminée de cet établissement et de cette année."}
        if remplacee.remplacements.engagees().exclude(pk=self.pk).exists():
            return {"__all__": f"La mission de {remplacee.agent} a déjà une personne qui la remplace."}
        if self.debut and self.debut <= remplacee.fin:
            return {
                "debut": f"La mission remplacée se termine le {remplacee.fin:%d/%m/%Y} : "
                "celle qui la remplace commence après."
            }
        return {}

    # Transitions permises : qui peut faire quoi (les gabarits s'en servent pour les boutons).

    def peut_repondre(self, user):
        # Même après la période : un accord tardif permet encore de payer une mission faite.
        return self.statut == self.Statut.PROPOSEE and self.agent_id == user.pk

    def peut_valider(self, user):
        role = user.role_actif
        return (
            self.statut == self.Statut.ACCEPTEE
            and role is not None
            and role.type == Role.Type.DANE
            and role.academie_id == self.etablissement.academie_id
            and self.agent_id != user.pk  # personne ne valide sa propre désignation
        )

    def geree_par(self, user):
        """La direction de l'établissement (chef ou adjoint par délégation) gère ses désignations."""
        role = user.role_actif
        return role is not None and role.dirige(self.etablissement_id)

    def peut_annuler(self, user):
        return self.statut in (self.Statut.PROPOSEE, self.Statut.ACCEPTEE) and self.geree_par(user)

    def peut_terminer(self, user):
        # Une mission déjà finie n'a plus de fin à avancer.
        return self.statut == self.Statut.VALIDEE and self.fin > timezone.localdate() and self.geree_par(user)

    def peut_remplacer(self, user):
        return (
            self.statut == self.Statut.TERMINEE and self.geree_par(user) and not self.remplacements.engagees().exists()
        )


class Transition(models.Model):
    """Un changement d'état d'une désignation : qui, quand, pourquoi."""

    designation = models.ForeignKey(Designation, on_delete=models.CASCADE, related_name="transitions")
    de = models.CharField("état précédent", max_length=10, choices=Designation.Statut.choices, blank=True)
    vers = models.CharField("nouvel état", max_length=10, choices=Designation.Statut.choices)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par")
    le = models.DateTimeField("le", auto_now_add=True)
    commentaire = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement d'état"
        verbose_name_plural = "changements d'état"
        ordering = ["le", "pk"]

    def __str__(self):
        return f"{self.designation_id} : {self.de or '—'} → {self.vers}"


class RelanceCouverture(models.Model):
    """Un courriel envoyé par la DANE à la direction d'un établissement sans RUPN pour l'année."""

    etablissement = models.ForeignKey(Etablissement, on_delete=models.CASCADE, related_name="+")
    annee = models.ForeignKey(AnneeScolaire, on_delete=models.PROTECT, related_name="+")
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    le = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "relance d'un établissement sans RUPN"
        verbose_name_plural = "relances des établissements sans RUPN"
        ordering = ["-le"]

    def __str__(self):
        return f"{self.etablissement_id} — {self.annee_id} ({self.le:%d/%m/%Y})"


# Journal d'activités du RUPN


class ActiviteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Les entrées des désignations que le rôle actif laisse voir (Designation.visible_to) : les siennes pour
        un RUPN, celles de l'établissement pour sa direction, du périmètre pour la DANE, un correspondant ou le
        national. Seul le RUPN les écrit (missions/journal.py)."""
        return self.filter(designation__in=Designation.objects.visible_to(user))

    def pour_annee(self, annee):
        return self.filter(designation__annee=annee)

    def avec_donnees_liste(self):
        return self.select_related("designation__etablissement", "designation__annee")

    def totaux(self):
        """Nombre d'entrées, personnes touchées et heures, en une requête."""
        return self.order_by().aggregate(
            nombre=models.Count("pk"),
            personnes=models.Sum("personnes_touchees", default=0),
            heures=models.Sum("duree", default=Decimal(0)),
        )


def erreur_de_duree(duree):
    """Le message d'une durée refusée (en heures, au quart d'heure), ou None : le modèle et les formulaires
    le partagent."""
    if duree < 0:
        return "La durée se compte en heures : indiquez un nombre positif ou nul (1,5 pour une heure et demie)."
    if duree > Activite.DUREE_MAX:
        return (
            f"Une entrée compte au plus {Activite.DUREE_MAX} heures : notez une activité plus longue "
            "en plusieurs entrées."
        )
    if (duree * 4) % 1:
        return "La durée se compte au quart d'heure : 0,25, 0,5, 0,75, 1, 1,25…"
    return None


def heures(valeur):
    """Un nombre d'heures lisible : « 1,5 », « 0,25 », « 12 », « 1 250,75 » (espace fine entre les milliers)."""
    entier, _, decimales = f"{valeur:,.2f}".partition(".")
    entier, decimales = entier.replace(",", "\u202f"), decimales.rstrip("0")
    return f"{entier},{decimales}" if decimales else entier


class Activite(models.Model):
    """Une entrée du journal d'activités d'un RUPN : ce qu'il a fait un jour pour sa mission dans un
    établissement (sa désignation de l'année). L'enquête de fin d'année en reprend le résumé
    (`missions.journal.resume_du_journal`)."""

    class Categorie(models.TextChoices):
        ACCOMPAGNEMENT = "accompagnement", "Accompagnement d'enseignants"
        FORMATION = "formation", "Formation ou atelier animé"
        COMMISSION = "commission", "Commission numérique"
        ENT = "ent", "Administration de l'ENT et des services"
        EQUIPEMENTS = "equipements", "Équipements et signalements"
        VEILLE = "veille", "Information et veille"
        PROJET = "projet", "Projet pédagogique"
        AUTRE = "autre", "Autre"

    class Axe(models.IntegerChoices):
        """Les quatre axes de la lettre de mission, sous les titres du modèle par défaut
        (lettres/modele_par_defaut.py ; un test vérifie qu'ils restent les mêmes)."""

        PILOTAGE = 1, "Axe 1 — Conseiller et accompagner le chef d'établissement dans le pilotage du numérique"
        ENSEIGNANTS = 2, "Axe 2 — Accompagner les enseignants dans leurs usages pédagogiques du numérique"
        EQUIPEMENTS = 3, "Axe 3 — Contribuer à la disponibilité des équipements en lien avec les services d'assistance"
        SERVICES = 4, "Axe 4 — Administrer les ressources et services pédagogiques en ligne par délégation"

    DUREE_MAX = 100
    LONGUEUR_DESCRIPTION = 2000

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    designation = models.ForeignKey(
        Designation, on_delete=models.CASCADE, related_name="activites", verbose_name="mission"
    )
    date = models.DateField("date")
    categorie = models.CharField("catégorie", max_length=20, choices=Categorie.choices)
    axe = models.PositiveSmallIntegerField("axe de la lettre de mission", choices=Axe.choices, null=True, blank=True)
    personnes_touchees = models.PositiveIntegerField("personnes touchées", null=True, blank=True)
    duree = models.DecimalField("durée (heures)", max_digits=5, decimal_places=2)
    description = models.TextField("description", max_length=LONGUEUR_DESCRIPTION)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    objects = ActiviteQuerySet.as_manager()

    class Meta:
        verbose_name = "entrée du journal d'activités"
        verbose_name_plural = "entrées du journal d'activités"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["designation", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(duree__gte=0), name="activite_duree_positive"),
            models.CheckConstraint(condition=Q(axe__gte=1, axe__lte=4) | Q(axe__isnull=True), name="activite_axe"),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} — {self.get_categorie_display()}"

    @property
    def duree_lisible(self):
        return heures(self.duree)

    @property
    def mission_ouverte(self):
        """Le journal s'écrit pour une mission acceptée, validée ou terminée (pas pour une mission annulée depuis)."""
        return self.designation.statut in Designation.STATUTS_ACCEPTES

    def peut_modifier(self, user):
        """Seule la personne désignée écrit son journal, et seulement pour une mission ouverte."""
        return self.designation.agent_id == user.pk and self.mission_ouverte

    def clean(self):
        erreurs = {}
        if self.date and self.designation_id:
            annee = self.designation.annee
            if self.date > timezone.localdate():
                erreurs["date"] = (
                    "Cette date est à venir : le journal note ce qui a été fait, au plus tard aujourd'hui."
                )
            elif not annee.debut <= self.date <= annee.fin:
                erreurs["date"] = (
                    f"Cette mission est celle de l'année scolaire {annee} : choisissez une date "
                    f"du {annee.debut:%d/%m/%Y} au {annee.fin:%d/%m/%Y}."
                )
        if self.duree is not None and (message := erreur_de_duree(self.duree)):
            erreurs["duree"] = message
        # Un TextField ne vérifie pas sa longueur maximale hors des formulaires.
        if self.description and len(self.description) > self.LONGUEUR_DESCRIPTION:
            erreurs["description"] = message_description_trop_longue(len(self.description))
        if erreurs:
            raise ValidationError(erreurs)


def message_description_trop_longue(longueur):
    return f"La description compte {longueur:,} caractères : {Activite.LONGUEUR_DESCRIPTION:,} au plus.".replace(
        ",", "\u202f"
    )
