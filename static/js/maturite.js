// Grille de maturité numérique : enregistrement item par item.
// Chaque formulaire de domaine marqué data-rupn-maturite="<adresse de maturite:item_enregistrer>" envoie, à
// chaque changement d'un bouton radio, le statut de cet item (POST, Accept: application/json, jeton CSRF du
// formulaire). La zone data-rupn-etat (aria-live) annonce « Enregistré à HH:MM » ou pourquoi ce ne l'est pas ;
// le niveau atteint du domaine et ses compteurs (data-rupn-niveau, -realises, -en-cours, -evolution) suivent la
// réponse. Les envois partent un à un, dans l'ordre (deux clics rapprochés sur un item : le dernier l'emporte).
// Un statut refusé par le serveur revient au dernier enregistré ; une panne du réseau laisse le choix affiché,
// que le bouton « Enregistrer le domaine » enregistre. Sans JavaScript, ce bouton suffit.
(function () {
  var formulaires = document.querySelectorAll("form[data-rupn-maturite]");
  if (!formulaires.length || !window.fetch || !window.URLSearchParams) return;
  var enregistres = {}; // "domaine/item" → statut enregistré ("" : aucun)
  var enAttente = []; // clés à envoyer, dans l'ordre
  var aEnvoyer = {}; // clé → {formulaire, domaine, item, statut}
  var enVol = false;
  var parBouton = false; // un domaine part par son bouton : la page change, rien ne se perd

  function domaineDe(formulaire) {
    return formulaire.querySelector('input[name="domaine"]').value;
  }

  function annoncer(formulaire, texte, erreur) {
    var zone = document.getElementById(formulaire.getAttribute("data-rupn-etat"));
    if (!zone) return;
    zone.classList.toggle("fr-error-text", !!erreur);
    zone.textContent = texte;
  }

  function remplir(attribut, domaine, texte) {
    document.querySelectorAll("[" + attribut + '="' + domaine + '"]').forEach(function (element) {
      element.textContent = texte;
    });
  }

  function afficherDomaine(corps) {
    var evolution = corps.evolution;
    remplir("data-rupn-niveau", corps.domaine, String(corps.niveau));
    remplir("data-rupn-realises", corps.domaine, corps.realises + " sur " + corps.total);
    remplir("data-rupn-en-cours", corps.domaine, String(corps.en_cours));
    remplir(
      "data-rupn-evolution",
      corps.domaine,
      evolution === null ? "—" : evolution > 0 ? "+" + evolution : evolution < 0 ? String(evolution) : "Stable"
    );
  }

  function revenir(envoi) {
    // Le serveur a refusé : les boutons montrent de nouveau le statut enregistré.
    var statut = enregistres[envoi.domaine + "/" + envoi.item];
    envoi.formulaire.querySelectorAll('input[name="item-' + envoi.item + '"]').forEach(function (bouton) {
      bouton.checked = bouton.value === statut;
    });
  }

  function suivant() {
    if (enVol || !enAttente.length) return;
    var cle = enAttente.shift();
    var envoi = aEnvoyer[cle];
    delete aEnvoyer[cle];
    enVol = true;
    var corps = new URLSearchParams();
    corps.append("csrfmiddlewaretoken", envoi.formulaire.querySelector('input[name="csrfmiddlewaretoken"]').value);
    corps.append("annee", envoi.formulaire.querySelector('input[name="annee"]').value);
    corps.append("domaine", envoi.domaine);
    corps.append("item", envoi.item);
    corps.append("statut", envoi.statut);
    fetch(envoi.formulaire.getAttribute("data-rupn-maturite"), {
      method: "POST",
      body: corps,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (reponse) {
        return reponse.json().then(
          function (donnees) {
            if (reponse.ok && donnees.enregistre) {
              enregistres[cle] = envoi.statut;
              afficherDomaine(donnees);
              annoncer(envoi.formulaire, donnees.message, false);
            } else {
              if (!aEnvoyer[cle]) revenir(envoi);
              annoncer(envoi.formulaire, donnees.message || "Non enregistré.", true);
            }
          },
          function () {
            // Pas de JSON : session expirée, rôle changé dans un autre onglet…
            if (!aEnvoyer[cle]) revenir(envoi);
            annoncer(envoi.formulaire, "Non enregistré (erreur " + reponse.status + ") : rechargez la page.", true);
          }
        );
      })
      .catch(function () {
        annoncer(
          envoi.formulaire,
          "Enregistrement impossible pour l'instant : votre choix sera enregistré par le bouton « Enregistrer le domaine ».",
          true
        );
      })
      .then(function () {
        enVol = false;
        suivant();
      });
  }

  formulaires.forEach(function (formulaire) {
    var domaine = domaineDe(formulaire);
    formulaire.querySelectorAll('input[type="radio"]').forEach(function (bouton) {
      var item = bouton.name.replace(/^item-/, "");
      var cle = domaine + "/" + item;
      if (!(cle in enregistres)) enregistres[cle] = "";
      if (bouton.checked) enregistres[cle] = bouton.value;
    });
    formulaire.addEventListener("change", function (evenement) {
      var bouton = evenement.target;
      if (bouton.type !== "radio" || !bouton.checked) return;
      var item = bouton.name.replace(/^item-/, "");
      var cle = domaine + "/" + item;
      if (!aEnvoyer[cle]) enAttente.push(cle);
      aEnvoyer[cle] = { formulaire: formulaire, domaine: domaine, item: item, statut: bouton.value };
      annoncer(formulaire, "Enregistrement…", false);
      suivant();
    });
    formulaire.addEventListener("submit", function () {
      parBouton = true;
    });
  });

  // Quitter la page pendant un envoi : confirmation (le bouton du domaine, lui, enregistre tout).
  window.addEventListener("beforeunload", function (evenement) {
    if (!parBouton && (enVol || enAttente.length)) {
      evenement.preventDefault();
      evenement.returnValue = "";
    }
  });
})();
