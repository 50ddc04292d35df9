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

// The pathway page's referrals (issue 15 §3): where each has got to is asked for now and then and
// written in place, worded by the server as the page words it. Without JavaScript a reload shows the same.
for (const list of document.querySelectorAll('[data-journey-src]')) {
  const src = list.getAttribute('data-journey-src');
  const every = Math.max(Number(list.getAttribute('data-journey-every')) || 15000, 1000);
  const line = (entry) => {
    const item = document.createElement('li');
    item.className = 'nhsuk-u-margin-bottom-1';
    if (entry.progress) item.setAttribute('data-progress', '');
    const tag = document.createElement('strong');
    tag.className = `nhsuk-tag ${entry.tag}`;
    tag.textContent = entry.status;
    item.append(`${entry.label}: `, tag, ` ${entry.detail}`);
    return item;
  };
  const text = (node, value) => {
    if (node && typeof value === 'string' && node.textContent !== value) node.textContent = value;
  };
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(src, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) return;
      const { referrals } = await response.json();
      for (const referral of referrals) {
        const item = list.querySelector(`[data-referral="${CSS.escape(referral.id)}"]`);
        if (!item) continue;
        text(item.querySelector('[data-referral-status]'), referral.statusName);
        text(item.querySelector('[data-referral-partner]'), referral.partnerText);
        text(item.querySelector('[data-self-status]'), referral.statusText);
        const journey = item.querySelector('[data-journey]');
        if (!journey || !Array.isArray(referral.lines)) continue;
        const lines = referral.lines.map(line);
        // Rewritten only when something changed, so a screen reader hears news, not the same lines again.
        if (lines.map((l) => l.textContent).join('\n') !== [...journey.children].map((l) => l.textContent).join('\n'))
          journey.replaceChildren(...lines);
      }
    } catch {
      // Offline or signed out: the next turn tries again; the page as loaded stays true to when it loaded.
    }
  };
  setInterval(refresh, every);
}

// A deadline's countdown (issue 16 §8): the server writes "in 2 hours 5 minutes" or "5 minutes ago" when the
// page is made; here it is kept true every 30 seconds, in the page's words (data-countdown-words) and plurals.
for (const list of document.querySelectorAll('[data-countdown-words]')) {
  let words;
  try {
    words = JSON.parse(list.getAttribute('data-countdown-words'));
  } catch {
    continue;
  }
  const plural = new Intl.PluralRules(document.documentElement.lang || 'en');
  const unit = (forms, n) => (forms[plural.select(n)] || forms.other || '').replace('%n', String(n));
  const say = (at) => {
    const ms = at - Date.now();
    const minutes = Math.floor(Math.abs(ms) / 60000);
    if (minutes < 1) return words.now;
    const days = Math.floor(minutes / 1440);
    const duration =
      days >= 2
        ? unit(words.days, days)
        : [
            Math.floor(minutes / 60) > 0 ? unit(words.hours, Math.floor(minutes / 60)) : '',
            minutes % 60 > 0 ? unit(words.minutes, minutes % 60) : '',
          ]
            .filter(Boolean)
            .join(' ');
    return (ms > 0 ? words.in : words.ago).replace('%d', duration);
  };
  const update = () => {
    for (const item of list.querySelectorAll('[data-countdown]')) {
      const at = Date.parse(item.getAttribute('data-countdown'));
      if (Number.isNaN(at)) continue;
      const text = say(at);
      if (item.textContent !== text) item.textContent = text;
    }
  };
  update();
  setInterval(update, 30000);
}
