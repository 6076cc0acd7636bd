// Pendant un envoi long (import), désactive le bouton et annonce l'attente aux lecteurs d'écran.
document.addEventListener("submit", function (evenement) {
  var formulaire = evenement.target;
  var message = formulaire.getAttribute("data-rupn-attente");
  if (!message) return;
  var zone = formulaire.querySelector(".rupn-attente");
  if (zone) {
    zone.textContent = message;
    zone.classList.remove("fr-hidden");
  }
  formulaire.querySelectorAll("button[type=submit]").forEach(function (bouton) {
    bouton.disabled = true;
  });
});
