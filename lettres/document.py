"""Le document signé : contenu exact que chacun signe, PDF final de la lettre, et son sceau.

Une signature porte sur `contenu_signe(lettre)` : l'établissement, l'année, les référents (nom,
reconnaissance, période), la révision et le texte de la lettre, en JSON canonique. Son SHA-256 est
enregistré avec chaque signature et imprimé au pied du PDF ; le PDF reprend le même corps que l'aperçu
(`lettres/_lettre_contenu.html`), plus le bloc des signatures et le pied de vérification.
"""

import hashlib
import json

from django.template.loader import render_to_string
from django.urls import reverse

from lettres.pdf import code_qr_svg, rendre_pdf
from lettres.sceau import sceller
from rupn.courriels import url_du_site


def contenu_signe(lettre):
    """Le texte canonique de ce que l'on signe (désignations chargées avec leur personne et leur taux)."""
    donnees = {
        "etablissement": {"uai": lettre.etablissement.uai, "nom": lettre.etablissement.nom},
        "annee": str(lettre.annee),
        "revision": lettre.revision,
        "avenant_a": lettre.remplace.code_verification if lettre.remplace_id else "",
        # Dans un ordre qui ne dépend pas de la requête de l'appelant : chacun recalcule la même empreinte.
        "referents": sorted(
            (
                {
                    "nom": designation.agent.nom_public,
                    "reconnaissance": str(designation.reconnaissance),
                    "debut": designation.debut.isoformat(),
                    "fin": designation.fin.isoformat(),
                    "designation": str(designation.uuid),
                }
                for designation in lettre.designations.all()
            ),
            key=lambda referent: (referent["debut"], referent["fin"], referent["nom"], referent["designation"]),
        ),
        "contenu": lettre.contenu,
    }
    return json.dumps(donnees, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def empreinte_contenu(lettre):
    return hashlib.sha256(contenu_signe(lettre).encode("utf-8")).hexdigest()


def url_verification(lettre):
    """L'adresse publique de vérification de la lettre (imprimée et mise en code QR dans le PDF)."""
    return url_du_site(reverse("lettres:verification_code", args=[lettre.code_verification]))


def html_final(lettre, signatures):
    """Le HTML du PDF final : corps de la lettre, signatures (dans l'ordre où elles ont été données),
    pied avec l'adresse et le code de vérification, le code QR et l'empreinte du contenu signé."""
    url = url_verification(lettre)
    return render_to_string(
        "lettres/pdf/lettre.html",
        {
            "lettre": lettre,
            "signatures": signatures,
            "url_verification": url,
            "code_qr": code_qr_svg(url),
            "empreinte": empreinte_contenu(lettre),
        },
    )


def pdf_scelle(lettre, signatures):
    """Rend le PDF final de la lettre et y appose le sceau de l'académie ; renvoie ses octets.

    Lève `ErreurRenduPdf` ou `SceauIndisponible` (messages en français) : rien n'est écrit."""
    pdf = rendre_pdf(html_final(lettre, signatures))
    return sceller(
        pdf,
        motif=f"Lettre de mission {lettre.annee} — {lettre.etablissement.nom}",
        lieu=str(lettre.etablissement.academie),
    )


def empreinte_fichier(octets):
    return hashlib.sha256(octets).hexdigest()
