"""Rendu des rangées d'un tableau du pilotage : une rangée en une fois plutôt que cellule par cellule dans le
gabarit (un tableau de bord en compte des centaines ; le rendu cellule par cellule en était la moitié du temps)."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _contenu(cellule):
    return format_html('<a href="{}">{}</a>', cellule.lien, cellule.texte) if cellule.lien else cellule.texte


@register.filter
def cellules(rangee):
    """Les cellules d'une rangée (tableaux.Cellule) : la première en en-tête de ligne, les autres en données."""
    premiere, *autres = rangee
    return format_html(
        '<th scope="row">{}</th>{}',
        _contenu(premiere),
        format_html_join("", "<td>{}</td>", ((_contenu(cellule),) for cellule in autres)),
    )
