"""La documentation reste vraie : chaque variable lue par le code est documentée."""

import re
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


def _variables_lues():
    motif = re.compile(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"")
    return {nom for fichier in (RACINE / "rupn").rglob("*.py") for nom in motif.findall(fichier.read_text())}


def test_chaque_variable_d_environnement_est_dans_env_example_et_la_documentation():
    variables = _variables_lues()
    assert "DJANGO_SECRET_KEY" in variables
    exemple = (RACINE / ".env.example").read_text()
    documentation = (RACINE / "docs" / "configuration.md").read_text()
    assert sorted(v for v in variables if f"\n{v}=" not in exemple) == []
    assert sorted(v for v in variables if f"`{v}`" not in documentation) == []


def test_le_readme_donne_les_deux_commandes():
    readme = (RACINE / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme


def test_les_commandes_citees_par_la_documentation_existent():
    from django.core.management import get_commands

    textes = [RACINE / "README.md", *sorted((RACINE / "docs").glob("*.md"))]
    citees = {nom for texte in textes for nom in re.findall(r"manage\.py (\w+)", texte.read_text())}
    assert {"exporter_designations", "relancer_designations", "importer_annuaire"} <= citees
    assert sorted(citees - set(get_commands())) == []
