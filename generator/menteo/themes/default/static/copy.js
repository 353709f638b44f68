// Progressive enhancement for award pages: the link and the embed snippet are already in
// selectable fields; this adds a button that copies them.
document.querySelectorAll(".copy-button").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(field.value).then(function () {
      button.textContent = button.dataset.copied;
    });
  });
});
