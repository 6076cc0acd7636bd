import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.urls import reverse

from lettres.modele_par_defaut import BLOCS, contenu_par_defaut
from rupn.comptes.models import Role
from rupn.territoires.models import Academie, AnneeScolaire, Etablissement


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


ALPHABET_CODE = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LONGUEUR_CODE = 12


def _code_verification():
    """Code court à saisir sur la page de vérification publique : 12 caractères sans ambiguïté (pas de 0/O, 1/I)."""
    return "".join(secrets.choice(ALPHABET_CODE) for _ in range(LONGUEUR_CODE))


class LettreMissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Direction : les lettres de son établissement ; RUPN : celles qui portent une de ses désignations ;
        DANE : son académie ; correspondant : ses départements ; national : toutes."""
        role = getattr(user, "role_actif", None)
        if role is None:
            return self.none()
        if role.type == Role.Type.RUPN:
            return self.filter(designations__agent=user).distinct()
        return self.filter(etablissement__in=Etablissement.objects.filter(role.filtre_etablissements()))

    def pour_annee(self, annee):
        return self.filter(annee=annee)

    def en_effet(self):
        """Les lettres qui tiennent leurs désignations : ni annulées, ni remplacées (leur avenant les tient)."""
        return self.exclude(statut__in=[LettreMission.Statut.ANNULEE, LettreMission.Statut.REMPLACEE])

    def attendant(self, user):
        """Les lettres visibles qui attendent la personne : à approuver ou à signer (liste)."""
        statuts = [LettreMission.Statut.RELECTURE, LettreMission.Statut.SIGNATURE]
        lettres = (
            self.visible_to(user)
            .filter(statut__in=statuts)
            .select_related("etablissement", "annee")
            .prefetch_related("designations__agent", "approbations", "signatures")
        )
        return [lettre for lettre in lettres if lettre.peut_approuver(user) or lettre.peut_signer(user)]

    def pour_lecture(self):
        """Avec ce que l'aperçu, le PDF et les boutons lisent : désignations (dans l'ordre de la lettre, avec
        leur personne), approbations, signatures, avenants."""
        from missions.models import Designation

        return self.select_related("etablissement__academie", "annee", "modele", "remplace").prefetch_related(
            Prefetch(
                "designations",
                queryset=Designation.objects.select_related("agent", "taux", "annee").order_by(
                    "debut", "agent__last_name", "agent__first_name", "pk"
                ),
            ),
            Prefetch("approbations", queryset=Approbation.objects.select_related("rupn")),
            Prefetch("signatures", queryset=Signature.objects.select_related("signataire")),
            "avenants",
        )

    def avec_donnees_liste(self):
        return self.select_related("etablissement__departement", "etablissement__bassin", "annee", "modele")


class LettreMission(models.Model):
    """La lettre de mission d'un établissement pour une année, pour une ou plusieurs désignations acceptées.

    `contenu` est la copie modifiable du modèle de l'académie (même forme, voir modele_par_defaut.py),
    où chaque mission porte en plus `principale` (bool) et où s'ajoutent les missions propres à
    l'établissement. `revision` augmente à chaque enregistrement : deux personnes qui modifient le
    même brouillon ne s'écrasent pas (la seconde est prévenue et garde sa saisie).
    """

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        RELECTURE = "relecture", "En relecture"
        SIGNATURE = "signature", "À signer"
        SCELLEE = "scellee", "Signée et scellée"
        ANNULEE = "annulee", "Annulée"
        REMPLACEE = "remplacee", "Remplacée par un avenant"

    STATUTS_MODIFIABLES = {Statut.BROUILLON, Statut.RELECTURE, Statut.SIGNATURE}

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.PROTECT, related_name="lettres_mission", verbose_name="établissement"
    )
    annee = models.ForeignKey(
        AnneeScolaire, on_delete=models.PROTECT, related_name="lettres_mission", verbose_name="année scolaire"
    )
    designations = models.ManyToManyField(
        "missions.Designation", related_name="lettres_mission", verbose_name="désignations"
    )
    modele = models.ForeignKey(
        ModeleLettre, on_delete=models.PROTECT, related_name="lettres", verbose_name="version du modèle"
    )
    contenu = models.JSONField("contenu")
    statut = models.CharField("état", max_length=10, choices=Statut.choices, default=Statut.BROUILLON)
    revision = models.PositiveIntegerField("révision", default=1)
    remplace = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="avenants",
        verbose_name="avenant à la lettre",
        help_text="Un avenant abandonné (annulé) laisse la place à un autre : un seul en cours à la fois.",
    )
    code_verification = models.CharField(
        "code de vérification", max_length=12, unique=True, default=_code_verification, editable=False
    )
    pdf = models.FileField("PDF signé et scellé", upload_to="lettres/", blank=True)
    empreinte_pdf = models.CharField("empreinte SHA-256 du PDF", max_length=64, blank=True)
    scellee_le = models.DateTimeField("scellée le", null=True, blank=True)
    motif_annulation = models.TextField("motif de l'annulation", blank=True)
    annulee_le = models.DateTimeField("annulée le", null=True, blank=True)
    annulee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="annulée par",
    )
    relancee_le = models.DateTimeField(
        "dernière relance", null=True, blank=True, help_text="Dernier rappel envoyé par `relancer_lettres`."
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="rédigée par"
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)

    objects = LettreMissionQuerySet.as_manager()

    class Meta:
        verbose_name = "lettre de mission"
        verbose_name_plural = "lettres de mission"
        ordering = ["-annee__debut", "etablissement__nom", "-cree_le"]
        indexes = [models.Index(fields=["annee", "statut"])]
        constraints = [
            models.UniqueConstraint(
                fields=["remplace"],
                condition=models.Q(remplace__isnull=False) & ~models.Q(statut="annulee"),
                name="un_seul_avenant_en_cours",
            )
        ]

    def __str__(self):
        return f"Lettre de mission — {self.etablissement.nom} ({self.annee})"

    def get_absolute_url(self):
        return reverse("lettres:lettre_detail", args=[self.uuid])

    @property
    def modifiable(self):
        return self.statut in self.STATUTS_MODIFIABLES

    # Les participants. Les vues chargent les désignations (avec leur personne) et les approbations par
    # `prefetch_related` : ces méthodes, appelées pour chaque bouton, ne font alors aucune requête.

    def rupn(self):
        """Les personnes désignées que la lettre concerne (ses RUPN), sans doublon, dans l'ordre des désignations."""
        return list({designation.agent_id: designation.agent for designation in self.designations.all()}.values())

    def dirigee_par(self, user):
        """La direction de l'établissement (chef, ou adjoint par délégation) dans son rôle actif."""
        role = getattr(user, "role_actif", None)
        return role is not None and role.dirige(self.etablissement_id)

    def a_pour_rupn(self, user):
        """La personne, dans son rôle actif de RUPN, est désignée par cette lettre."""
        role = getattr(user, "role_actif", None)
        return (
            role is not None
            and role.type == Role.Type.RUPN
            and any(designation.agent_id == user.pk for designation in self.designations.all())
        )

    def approbations_courantes(self):
        """Les approbations de la révision courante (une approbation ne vaut que pour la révision lue)."""
        return [approbation for approbation in self.approbations.all() if approbation.revision == self.revision]

    def a_approuve(self, user):
        return any(approbation.rupn_id == user.pk for approbation in self.approbations_courantes())

    # Actions permises : qui peut faire quoi maintenant (les gabarits s'en servent pour les boutons).

    def peut_modifier(self, user):
        return self.modifiable and self.dirigee_par(user)

    def peut_envoyer(self, user):
        return self.statut == self.Statut.BROUILLON and self.dirigee_par(user)

    def participe(self, user):
        """La direction et les RUPN de la lettre participent à sa relecture."""
        return self.dirigee_par(user) or self.a_pour_rupn(user)

    def peut_commenter(self, user):
        return self.modifiable and self.participe(user)

    def peut_approuver(self, user):
        return self.statut == self.Statut.RELECTURE and self.a_pour_rupn(user) and not self.a_approuve(user)

    # Signatures : chaque RUPN pour accord, puis la direction (chef, ou adjoint par délégation).
    # Les vues chargent `signatures` (non annulées, avec leur signataire) par `prefetch_related`.

    def signatures_valides(self):
        return [signature for signature in self.signatures.all() if signature.annulee_le is None]

    def a_signe(self, user):
        return any(signature.signataire_id == user.pk for signature in self.signatures_valides())

    def rupn_sans_signature(self):
        signataires = {signature.signataire_id for signature in self.signatures_valides()}
        return [personne for personne in self.rupn() if personne.pk not in signataires]

    def peut_signer(self, user):
        """À son tour : un RUPN de la lettre qui n'a pas signé ; la direction quand tous les RUPN ont signé."""
        if self.statut != self.Statut.SIGNATURE or self.a_signe(user):
            return False
        if self.a_pour_rupn(user):
            return True
        return self.dirigee_par(user) and not self.rupn_sans_signature()

    def avenant_en_cours(self):
        """L'avenant non annulé de la lettre (en rédaction, ou scellé s'il la remplace), ou None. Les vues
        chargent `avenants` par `prefetch_related`."""
        return next((avenant for avenant in self.avenants.all() if avenant.statut != self.Statut.ANNULEE), None)

    def avenant_scelle(self):
        """L'avenant qui a remplacé la lettre (scellé, puis peut-être annulé à son tour), ou None."""
        return next((avenant for avenant in self.avenants.all() if avenant.scellee_le is not None), None)

    def peut_annuler(self, user):
        """La direction annule une lettre scellée (avec un motif), ou abandonne une lettre pas encore scellée ;
        pas une lettre dont un avenant est en cours : c'est lui qu'il faut mener à terme ou abandonner."""
        return (
            self.statut in {*self.STATUTS_MODIFIABLES, self.Statut.SCELLEE}
            and self.dirigee_par(user)
            and self.avenant_en_cours() is None
        )

    def peut_faire_un_avenant(self, user):
        return self.statut == self.Statut.SCELLEE and self.dirigee_par(user) and self.avenant_en_cours() is None

    def corps(self):
        """Le texte de la lettre tel que l'aperçu et le PDF le présentent : préambule en paragraphes, pour
        chaque axe ses missions principales et secondaires (suggérées retenues, puis propres) et ses
        indicateurs (un axe sans mission ni indicateur est omis), enfin les blocs titrés non vides."""
        axes = []
        for axe in self.contenu["axes"]:
            missions = [m for m in axe["missions"] if m["retenue"]] + axe["missions_propres"]
            principales = [m["texte"] for m in missions if m["principale"]]
            secondaires = [m["texte"] for m in missions if not m["principale"]]
            if missions or axe["indicateurs"]:
                axes.append(
                    {
                        "code": axe["code"],
                        "titre": axe["titre"],
                        "principales": principales,
                        "secondaires": secondaires,
                        "indicateurs": axe["indicateurs"],
                    }
                )
        blocs = [(titre, _paragraphes(self.contenu[cle])) for cle, titre in BLOCS.items() if cle != "preambule"]
        return {
            "preambule": _paragraphes(self.contenu["preambule"]),
            "axes": axes,
            "blocs": [(titre, paragraphes) for titre, paragraphes in blocs if paragraphes],
        }

    def nombre_de_missions(self):
        return sum(len(axe["principales"]) + len(axe["secondaires"]) for axe in self.corps()["axes"])


def _paragraphes(texte):
    return [ligne for ligne in texte.splitlines() if ligne.strip()]


class Commentaire(models.Model):
    """Un message du fil de relecture d'une lettre (RUPN ou direction)."""

    lettre = models.ForeignKey(LettreMission, on_delete=models.CASCADE, related_name="commentaires")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    texte = models.TextField("commentaire")
    revision = models.PositiveIntegerField("révision commentée")
    cree_le = models.DateTimeField("écrit le", auto_now_add=True)

    class Meta:
        verbose_name = "commentaire de relecture"
        verbose_name_plural = "commentaires de relecture"
        ordering = ["cree_le", "pk"]

    def __str__(self):
        return f"{self.auteur} — {self.cree_le:%d/%m/%Y %H:%M}"


class Approbation(models.Model):
    """L'accord d'un RUPN sur une révision de la lettre en relecture. Une approbation ne vaut que pour
    la révision lue : la lettre modifiée ensuite doit être approuvée de nouveau."""

    lettre = models.ForeignKey(LettreMission, on_delete=models.CASCADE, related_name="approbations")
    rupn = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="RUPN")
    revision = models.PositiveIntegerField("révision approuvée")
    cree_le = models.DateTimeField("approuvée le", auto_now_add=True)

    class Meta:
        verbose_name = "approbation"
        ordering = ["cree_le", "pk"]
        constraints = [
            # Un double clic n'approuve qu'une fois.
            models.UniqueConstraint(fields=["lettre", "rupn", "revision"], name="approbation_unique_par_revision")
        ]

    def __str__(self):
        return f"{self.rupn} — révision {self.revision}"


class Signature(models.Model):
    """Une signature électronique simple d'une lettre : qui, en quelle qualité, quand, comment, sur quoi.

    `empreinte_contenu` est le SHA-256 du contenu exact signé : une modification ultérieure de la lettre
    annule la signature (`annulee_le`), la personne en est avertie et doit signer de nouveau.
    """

    class Qualite(models.TextChoices):
        RUPN = "rupn", "RUPN, pour accord"
        CHEF = "chef", "Chef d'établissement"
        ADJOINT = "adjoint", "Adjoint, par délégation du chef d'établissement"

    class Methode(models.TextChoices):
        MOT_DE_PASSE = "mot_de_passe", "Mot de passe"
        DOUBLE_AUTHENTIFICATION = "double", "Mot de passe et double authentification"
        PROCONNECT = "proconnect", "ProConnect"

    lettre = models.ForeignKey(LettreMission, on_delete=models.PROTECT, related_name="signatures")
    signataire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    qualite = models.CharField("qualité", max_length=10, choices=Qualite.choices)
    horodatage = models.DateTimeField("signée le (UTC)")
    methode_authentification = models.CharField("authentification", max_length=15, choices=Methode.choices)
    adresse_ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    agent_utilisateur = models.CharField("navigateur", max_length=500, blank=True)
    empreinte_contenu = models.CharField("empreinte SHA-256 du contenu signé", max_length=64)
    texte_consentement = models.TextField("texte du consentement")
    annulee_le = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "signature"
        ordering = ["horodatage", "pk"]

    def __str__(self):
        return f"{self.signataire} ({self.get_qualite_display()}) — {self.horodatage:%d/%m/%Y %H:%M}"
