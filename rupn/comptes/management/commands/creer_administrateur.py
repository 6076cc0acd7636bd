import getpass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rupn.comptes.services import administrateur_creer


class Command(BaseCommand):
    help = (
        "Crée le premier administrateur national : compte (adresse vérifiée), accès à l'administration "
        "et rôle national. La double authentification lui sera demandée à la première connexion."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--prenom", default="")
        parser.add_argument("--nom", default="")

    def handle(self, *args, email, prenom, nom, **options):
        mot_de_passe = getpass.getpass("Mot de passe : ")
        if mot_de_passe != getpass.getpass("Confirmation : "):
            raise CommandError("Les deux mots de passe ne sont pas identiques.")
        try:
            password_validation.validate_password(mot_de_passe)
            administrateur_creer(email=email, mot_de_passe=mot_de_passe, prenom=prenom, nom=nom)
        except ValidationError as erreur:
            raise CommandError(" ".join(erreur.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Administrateur national créé : {email.lower()}."))
