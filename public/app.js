// Progressive enhancement only: every page works without JavaScript.
import { initAll } from '/assets/nhsuk-frontend.min.js';

// NHS.UK frontend starts only on a body marked as supported; its own template does this with an
// inline script, which our Content-Security-Policy forbids, so it is done here.
document.body.classList.add('nhsuk-frontend-supported');
initAll();
