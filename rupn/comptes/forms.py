from django import forms
from django.contrib.auth import password_validation

from rupn.comptes.models import Invitation, Role
from rupn.formulaires import FormulaireDsfr, FormulaireModeleDsfr
from rupn.territoires.models import Academie, Departement, Etablissement

# Les rôles que chaque rôle actif peut proposer dans une invitation.
ROLES_INVITABLES = {
    Role.Type.NATIONAL: list(Role.Type),
    Role.Type.DANE: [
        Role.Type.CHEF,
        Role.Type.ADJOINT,
        Role.Type.RUPN,
        Role.Type.DANE,
        Role.Type.CORRESPONDANT,
    ],
    Role.Type.CHEF: [Role.Type.ADJOINT, Role.Type.RUPN],
    Role.Type.ADJOINT: [Role.Type.RUPN],
}


class InvitationForm(FormulaireModeleDsfr):
    class Meta:
        model = Invitation
        fields = [
            "email",
            "first_name",
            "last_name",
            "type_role",
            "etablissement",
            "academie",
            "departements",
        ]
        help_texts = {"email": "Format attendu : prenom.nom@ac-academie.fr"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.role_actif = user.role_actif
        self.fields["etablissement"].label = "Établissement"
        self.fields["etablissement"].help_text = "Pour un chef d'établissement, un adjoint ou un RUPN."
        self.fields["academie"].label = "Académie"
        self.fields["academie"].help_text = "Pour un personnel de la DANE ou un correspondant départemental."
        self.fields["departements"].label = "Départements"
        self.fields[
            "departements"
        ].help_text = "Pour un correspondant départemental. Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."
        if not self.role_actif.est_national and not self.role_actif.est_direction:
            self.fields["academie"].initial = self.role_actif.academie_id
        types = ROLES_INVITABLES[self.role_actif.type]
        self.fields["type_role"].choices = [(t.value, t.label) for t in types]
        self.fields["etablissement"].queryset = Etablissement.objects.visible_to(user).ouverts()
        self.fields["etablissement"].label_from_instance = lambda e: f"{e.nom} — {e.commune} ({e.uai})"
        if self.role_actif.est_national:
            self.fields["academie"].queryset = Academie.objects.all()
            self.fields["departements"].queryset = Departement.objects.all()
        else:
            self.fields["academie"].queryset = Academie.objects.filter(pk=self.role_actif.academie_id)
            self.fields["departements"].queryset = Departement.objects.filter(academie_id=self.role_actif.academie_id)
        if self.role_actif.est_direction:
            # Un chef d'établissement n'invite que dans son établissement.
            for nom in ("etablissement", "academie", "departements"):
                del self.fields[nom]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        donnees = super().clean()
        type_role = donnees.get("type_role")
        if self.role_actif.est_direction:
            donnees["etablissement"] = self.role_actif.etablissement
            self.instance.etablissement = self.role_actif.etablissement
        manquant = self._champ_manquant(type_role, donnees)
        if manquant:
            self.add_error(*manquant)
        departements = donnees.get("departements") or []
        academie = donnees.get("academie")
        if (
            type_role == Role.Type.CORRESPONDANT
            and academie
            and any(d.academie_id != academie.pk for d in departements)
        ):
            self.add_error("departements", f"Choisissez des départements de l'académie de {academie.nom}.")
        return donnees

    def _champ_manquant(self, type_role, donnees):
        """(champ, message) du premier champ exigé par ce rôle qui manque sans avoir déjà d'erreur."""
        exigences = []
        if type_role in Role.TYPES_ETABLISSEMENT:
            exigences.append(("etablissement", "Choisissez l'établissement où ce rôle s'exercera."))
        if type_role in (Role.Type.DANE, Role.Type.CORRESPONDANT):
            exigences.append(("academie", "Choisissez l'académie où ce rôle s'exercera."))
        if type_role == Role.Type.CORRESPONDANT:
            exigences.append(("departements", "Choisissez au moins un département."))
        for champ, message in exigences:
            if not donnees.get(champ) and champ not in self.errors:
                return champ, message
        return None


class AcceptationInvitationForm(FormulaireDsfr):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, ni trop courant ni uniquement des chiffres.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        donnees = super().clean()
        mot_de_passe = donnees.get("password1")
        if mot_de_passe and mot_de_passe != donnees.get("password2"):
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif mot_de_passe:
            from rupn.comptes.models import Utilisateur

            personne = Utilisateur(
                email=self.email,
                first_name=donnees.get("first_name", ""),
                last_name=donnees.get("last_name", ""),
            )
            try:
                password_validation.validate_password(mot_de_passe, personne)
            except forms.ValidationError as erreur:
                self.add_error("password1", erreur)
        return donnees
