"""Mises en forme partagées par les pages, les formulaires et les messages."""


def euros(montant):
    """« 1 250 € », « 312,50 € » : espace fine insécable entre les milliers, centimes seulement s'il y en a."""
    entier, _, centimes = f"{montant:,.2f}".partition(".")
    entier = entier.replace(",", "\u202f")
    return f"{entier},{centimes} €" if centimes != "00" else f"{entier} €"
