// The console's only script: parts marked data-refresh reload themselves while the page is open
// (the dashboard), parts marked data-live when the server sends a change (the inbox), canned
// replies go into the reply box, and confirmations on dangerous buttons. Pages work without it.
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
  // Parts marked data-live reload when the server says something changed (the inbox's events).
  for (const el of document.querySelectorAll('[data-live]')) {
    let busy = false;
    const reload = async () => {
      if (busy) return;
      busy = true;
      try {
        const r = await fetch(el.getAttribute('data-fragment'), { credentials: 'same-origin', headers: { accept: 'text/html' } });
        if (r.ok && !r.redirected) {
          // Same-origin HTML the server rendered with every value escaped.
          el.innerHTML = await r.text();
          el.setAttribute('data-refreshed', new Date().toISOString());
        }
      } catch {
        /* the next event tries again */
      } finally {
        busy = false;
      }
    };
    const source = new EventSource(el.getAttribute('data-live'));
    source.addEventListener('changed', reload);
  }
  // A canned reply chosen from the list goes into the reply box.
  for (const select of document.querySelectorAll('select[data-insert-into]')) {
    select.addEventListener('change', () => {
      const box = document.getElementById(select.getAttribute('data-insert-into'));
      if (!box || !select.value) return;
      box.value = box.value ? box.value + '\n' + select.value : select.value;
      select.value = '';
      box.focus();
    });
  }
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => {
      if (!window.confirm(form.getAttribute('data-confirm'))) e.preventDefault();
    });
  }
})();
