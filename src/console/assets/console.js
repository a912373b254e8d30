// The console's only script: parts marked data-refresh reload themselves while the page is open
// (the dashboard), and confirmations on dangerous buttons. Pages work without it.
(function () {
  for (const el of document.querySelectorAll('[data-refresh]')) {
    const every = Number(el.getAttribute('data-interval')) || 15000;
    const refresh = async () => {
      if (document.hidden) return;
      try {
        const r = await fetch(el.getAttribute('data-refresh'), { credentials: 'same-origin', headers: { accept: 'text/html' } });
        // A lost session answers with the login page: stop and let the next navigation show it.
        if (!r.ok || r.redirected) return;
        // Same-origin HTML the server rendered with every value escaped.
        el.innerHTML = await r.text();
        el.setAttribute('data-refreshed', new Date().toISOString());
      } catch {
        /* offline for a moment: the next round tries again */
      }
    };
    setInterval(refresh, every);
  }
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => {
      if (!window.confirm(form.getAttribute('data-confirm'))) e.preventDefault();
    });
  }
})();
