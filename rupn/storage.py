from whitenoise.storage import CompressedManifestStaticFilesStorage


class StockageStatiqueCompresse(CompressedManifestStaticFilesStorage):
    """Ne réécrit pas les URL dans les CSS : django-dsfr fige leurs empreintes SRI."""

    patterns = ()
