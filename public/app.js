// Progressive enhancement only: every page works without JavaScript.
import { initAll } from '/assets/nhsuk-frontend.min.js';

// NHS.UK frontend starts only on a body marked as supported; its own template does this with an
// inline script, which our Content-Security-Policy forbids, so it is done here.
document.body.classList.add('nhsuk-frontend-supported');
initAll();

// A file chooser that reads a JSON file into the text box beside it (pathway definitions):
// the form still posts the text, so it works the same without JavaScript (the box is typed into).
for (const group of document.querySelectorAll('[data-file-into]')) {
  const target = document.getElementById(group.getAttribute('data-file-into'));
  const input = group.querySelector('input[type=file]');
  if (!target || !input) continue;
  group.hidden = false;
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (file) target.value = await file.text();
  });
}
