// The pool's status page: reads GET /workers and GET /placements every 2 s with the client token. No build step.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'transcode-worker.pool-token';
  const POLL_MS = 2000;
  const RECENT = 30;

  const getToken = () => localStorage.getItem(TOKEN_KEY) || '';
  const text = (el, value) => {
    el.textContent = value;
  };
  const showError = (message) => text($('error'), message);
  const cell = (...parts) => {
    const td = document.createElement('td');
    td.append(...parts);
    return td;
  };
  const badge = (value, cls) => {
    const span = document.createElement('span');
    span.className = 'badge ' + cls;
    span.textContent = value;
    return span;
  };
  const line = (value, cls) => {
    const div = document.createElement('div');
    if (cls) div.className = cls;
    div.textContent = value;
    return div;
  };
  const speedText = (s) => (typeof s === 'number' ? s.toFixed(1) + '×' : '—');

  function workerRow(w) {
    const tr = document.createElement('tr');
    tr.dataset.name = w.name;
    tr.dataset.status = w.status;
    const status = cell(badge(w.status, w.status));
    if (w.statusReason) status.append(line(w.statusReason, 'muted reason'));
    if (w.probing) status.append(line('measuring encoders…', 'muted reason'));
    // The encoders placement may use: verified by a test encode on that worker, with its measured speeds.
    const encoders = cell(
      ...(w.encoders.length === 0 ? [line('none verified', 'muted')] : []),
      ...w.encoders.map((e) => {
        const s = e.speed || {};
        const div = line(
          e.name +
            (e.hardware ? ' (hardware)' : '') +
            ': ' +
            speedText(s['720p']) +
            ' / ' +
            speedText(s['1080p']),
        );
        div.dataset.encoder = e.name;
        return div;
      }),
    );
    tr.append(
      cell(line(w.name), line(w.url + ' · v' + w.version, 'muted reason')),
      status,
      cell(w.jobs.load + ' of ' + w.jobs.max),
      encoders,
      cell(
        w.secondsSinceBeat.toFixed(1) + ' s ago',
        line('dropped after ' + w.silenceSeconds + ' s of silence', 'muted reason'),
      ),
    );
    return tr;
  }

  function placementRow(d) {
    const tr = document.createElement('tr');
    tr.dataset.outcome = d.outcome;
    tr.dataset.worker = d.workerName || '';
    tr.append(
      cell(new Date(d.at).toLocaleTimeString()),
      cell(d.route === 'job' ? 'POST /jobs' : 'POST /placements'),
      cell(d.jobId || ''),
      cell(d.workerName || '—'),
      cell(badge(d.outcome, d.outcome)),
      cell(line(d.reason, 'reason')),
    );
    return tr;
  }

  function showTokenState() {
    const has = getToken() !== '';
    $('forget').hidden = !has;
    $('token').hidden = has;
    $('token-form').querySelector('button').hidden = has;
    text(
      $('token-hint'),
      has
        ? 'Token stored in this browser.'
        : "Enter the pool's client token to see its workers and placements.",
    );
  }

  const authGet = (route) => fetch(route, { headers: { authorization: 'Bearer ' + getToken() } });

  async function refresh() {
    if (getToken() === '') {
      text($('live'), 'token needed');
      return;
    }
    try {
      const [workers, placements] = await Promise.all([authGet('/workers'), authGet('/placements')]);
      if ([workers.status, placements.status].some((s) => s === 401 || s === 403)) {
        localStorage.removeItem(TOKEN_KEY);
        showTokenState();
        showError('the pool refused this token');
        $('workers').replaceChildren();
        $('placements').replaceChildren();
        return;
      }
      const list = (await workers.json()).workers;
      const decisions = (await placements.json()).decisions.slice(0, RECENT);
      const ready = list.filter((w) => w.status === 'ready').length;
      text($('live'), list.length + ' live · ' + ready + ' ready');
      $('live').className = 'badge ' + (ready > 0 ? 'ready' : 'none');
      $('workers').replaceChildren(...list.map(workerRow));
      $('placements').replaceChildren(...decisions.map(placementRow));
      showError('');
    } catch (err) {
      text($('live'), 'unreachable');
      $('live').className = 'badge unreachable';
      showError('pool unreachable: ' + err.message);
    }
  }

  async function poll() {
    await refresh();
    setTimeout(poll, POLL_MS);
  }

  $('token-form').onsubmit = (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (value === '') return;
    localStorage.setItem(TOKEN_KEY, value);
    $('token').value = '';
    showError('');
    showTokenState();
    refresh();
  };
  $('forget').onclick = () => {
    localStorage.removeItem(TOKEN_KEY);
    $('workers').replaceChildren();
    $('placements').replaceChildren();
    showTokenState();
    refresh();
  };

  showTokenState();
  poll();
})();
