// The copy-link button: shown only when this script runs; without it the
// link stays in its field, to select and copy by hand.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(field.value).then(
      () => { status.textContent = "Link copied."; },
      () => { field.select(); status.textContent = "Press Ctrl+C (⌘C) to copy the selected link."; },
    );
  });
});
