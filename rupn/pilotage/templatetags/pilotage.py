"""Rendu des rangées d'un tableau et des barres d'un graphique du pilotage, écrits en Python d'un coup plutôt
que cellule par cellule dans le gabarit : un tableau de bord en compte des centaines, et leur rendu par le
gabarit en était la moitié du temps."""

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

register = template.Library()


def _contenu(cellule):
    texte = escape(cellule.texte)
    return f'<a href="{escape(cellule.lien)}">{texte}</a>' if cellule.lien else texte


CASE_A_COCHER = (
    '<td><div class="fr-checkbox-group fr-checkbox-group--sm">'
    '<input type="checkbox" name="etablissements" value="{0}" id="choix-{0}">'
    '<label class="fr-label" for="choix-{0}"><span class="fr-sr-only">Relancer {1}</span></label></div></td>'
)


@register.simple_tag
def rangees(tableau, cocher):
    """Les rangées du corps d'un tableau ; `cocher` : une case à cocher par établissement (relances)."""
    return mark_safe(
        "".join(
            f"<tr>{CASE_A_COCHER.format(ligne.uuid, escape(ligne.nom)) if cocher else ''}{cellules(rangee)}</tr>"
            for ligne, rangee in tableau.rangees
        )
    )


@register.simple_tag
def entetes(tableau, id, parametres_tri):
    """Les en-têtes de colonne ; avec `parametres_tri` (l'adresse de la page sans tri), chacun est un lien qui
    trie par ordre croissant, puis décroissant s'il trie déjà ainsi (`aria-sort` sur la colonne triée)."""
    html = []
    for colonne in tableau.colonnes:
        titre = escape(colonne.titre)
        triee = tableau.tri == colonne.cle
        aria = f' aria-sort="{"descending" if tableau.decroissant else "ascending"}"' if triee else ""
        if parametres_tri and colonne.triable:
            ordre = "desc" if triee and not tableau.decroissant else "asc"
            etat = (
                (" (trié par ordre décroissant)" if tableau.decroissant else " (trié par ordre croissant)")
                if triee
                else " (trier)"
            )
            fleche = f'<span aria-hidden="true">{" ▼" if tableau.decroissant else " ▲"}</span>' if triee else ""
            adresse = escape(f"?{parametres_tri}&tri={colonne.cle}&ordre={ordre}#{id}")
            titre = f'<a href="{adresse}">{titre}<span class="fr-sr-only">{etat}</span>{fleche}</a>'
        html.append(f'<th scope="col"{aria}>{titre}</th>')
    return mark_safe("".join(html))


@register.filter
def cellules(rangee):
    """Les cellules d'une rangée (tableaux.Cellule) : la première en en-tête de ligne, les autres en données.
    Chaque texte et chaque adresse passent par `escape`."""
    premiere, *autres = rangee
    return mark_safe(
        f'<th scope="row">{_contenu(premiere)}</th>' + "".join(f"<td>{_contenu(cellule)}</td>" for cellule in autres)
    )


ATTRIBUTS_SVG = 'width="100%" preserveAspectRatio="xMinYMin meet" aria-hidden="true" focusable="false"'


@register.filter
def dessins(graphique):
    """Les deux dessins SVG des barres d'un graphique (tableaux.Graphique) : libellés à gauche quand la place le
    permet, libellés au-dessus des barres dans une colonne étroite (téléphone, demi-page), où les premiers
    seraient illisibles ; la feuille de style montre l'un ou l'autre selon la largeur."""
    x = graphique.x_barres
    large = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" class="rupn-graphique__libelle">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="18" class="rupn-graphique__barre"></rect>'
        '<text x="{}" dx="{}" y="{}" class="rupn-graphique__valeur">{}</text>',
        (
            (
                x - 8,
                b.y + 18,
                Truncator(b.libelle).chars(38),
                x,
                b.y + 5,
                b.largeur,
                x + 6,
                b.largeur,
                b.y + 18,
                b.texte,
            )
            for b in graphique.barres
        ),
    )
    etroit = format_html_join(
        "",
        '<text x="0" y="{}" class="rupn-graphique__libelle">{}</text>'
        '<rect x="0" y="{}" width="{}" height="18" class="rupn-graphique__barre"></rect>'
        '<text x="6" dx="{}" y="{}" class="rupn-graphique__valeur">{}</text>',
        (
            (2 * b.y + 17, Truncator(b.libelle).chars(48), 2 * b.y + 24, f"{b.largeur:.1f}", f"{b.largeur:.1f}")
            + (2 * b.y + 38, b.texte)
            for b in graphique.barres
        ),
    )
    return format_html(
        '<svg viewBox="0 0 {} {}" {} class="rupn-graphique__svg rupn-graphique__svg--large">{}</svg>'
        '<svg viewBox="0 0 {} {}" {} class="rupn-graphique__svg rupn-graphique__svg--etroit">{}</svg>',
        graphique.largeur,
        graphique.hauteur,
        mark_safe(ATTRIBUTS_SVG),
        large,
        graphique.LARGEUR_BARRES + 90,
        2 * graphique.hauteur,
        mark_safe(ATTRIBUTS_SVG),
        etroit,
    )
