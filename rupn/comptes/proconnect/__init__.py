"""ProConnect, le fournisseur d'identité OpenID Connect des agents de l'État, branché sur allauth."""

PROVIDER_ID = "proconnect"
