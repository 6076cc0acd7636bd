"""Le formulaire de vérification d'un PDF téléversé, et la réception de ce fichier en mémoire seulement."""

from io import BytesIO

from django import forms
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from lettres.verification import TAILLE_MAX

TAILLE_MAX_MO = TAILLE_MAX // (1024 * 1024)


class PdfEnMemoire(FileUploadHandler):
    """Reçoit le champ `fichier` en mémoire, jamais sur disque, et n'en garde que TAILLE_MAX + 1 octets :
    le reste d'un fichier trop gros est lu et jeté, et le formulaire dit que le fichier est trop gros
    (`size` garde la taille reçue). Les autres fichiers de la requête sont jetés."""

    def __init__(self, request=None):
        super().__init__(request)
        self.tampon = None
        self.recu = False

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        garder = field_name == "fichier" and not self.recu
        self.tampon = BytesIO() if garder else None
        self.recu = self.recu or garder

    def receive_data_chunk(self, raw_data, start):
        if self.tampon is not None and self.tampon.tell() <= TAILLE_MAX:
            self.tampon.write(raw_data[: TAILLE_MAX + 1 - self.tampon.tell()])
        return None  # aucun autre gestionnaire ne reçoit les octets

    def file_complete(self, file_size):
        if self.tampon is None:
            return None
        self.tampon.seek(0)
        return InMemoryUploadedFile(
            file=self.tampon,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class VerificationFichierForm(forms.Form):
    fichier = forms.FileField(
        label="PDF de la lettre de mission",
        error_messages={
            "required": "Choisissez le fichier PDF de la lettre à vérifier.",
            "empty": "Ce fichier est vide : choisissez le PDF de la lettre, tel que vous l'avez reçu.",
            "invalid": "Aucun fichier n'a été reçu : choisissez le PDF de la lettre, puis envoyez le formulaire.",
        },
    )

    def clean_fichier(self):
        """Rend les octets du PDF (le fichier lui-même n'est jamais conservé)."""
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            taille = f"{fichier.size / (1024 * 1024):.1f}".replace(".", ",")
            raise forms.ValidationError(
                f"Ce fichier pèse {taille} Mo : la vérification accepte {TAILLE_MAX_MO} Mo au plus, et une lettre "
                "de mission pèse bien moins. Choisissez le PDF de la lettre, tel que vous l'avez reçu."
            )
        with fichier:
            octets = fichier.read()
        if not octets:
            raise forms.ValidationError(self.fields["fichier"].error_messages["empty"])
        if b"%PDF-" not in octets[:1024]:
            raise forms.ValidationError(
                "Ce fichier n'est pas un PDF : choisissez le PDF de la lettre, tel que vous l'avez reçu "
                "(une photo ou une copie numérisée ne peut pas être vérifiée ; saisissez plutôt son code)."
            )
        return octets
