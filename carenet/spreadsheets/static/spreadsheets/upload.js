// The upload form: refuses a file too large before sending it, and says that it is sending.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-max-bytes]");
  if (!form) return;
  const input = form.querySelector("input[type=file]");
  const error = document.getElementById("file-size-error");
  const button = form.querySelector("button[type=submit]");
  const tooLarge = () => input.files.length > 0 && input.files[0].size > Number(form.dataset.maxBytes);
  input.addEventListener("change", () => {
    error.hidden = !tooLarge();
    error.textContent = tooLarge() ? form.dataset.tooLarge : "";
  });
  form.addEventListener("submit", (event) => {
    if (tooLarge()) { event.preventDefault(); error.hidden = false; error.textContent = form.dataset.tooLarge; return; }
    button.disabled = true;
    button.textContent = form.dataset.sending;
  });
});
