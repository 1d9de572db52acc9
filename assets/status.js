// The status page: reads the worker's own API every 2 s and plays any stream with hls.js. No build step.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'transcode-worker.token';
  const POLL_MS = 2000;
  const RECENT = 20;
  let hls = null;
  let playingId = null;

  const getToken = () => localStorage.getItem(TOKEN_KEY) || '';
  const text = (el, value) => {
    el.textContent = value;
  };
  const showError = (message) => text($('error'), message);
  const cell = (value) => {
    const td = document.createElement('td');
    if (value instanceof Node) td.append(value);
    else td.textContent = value;
    return td;
  };
  const speedText = (s) => (typeof s === 'number' ? s.toFixed(2) + '×' : '—');

  function play(job) {
    const video = $('player');
    playingId = job.id;
    showError('');
    if (hls) {
      hls.destroy();
      hls = null;
    }
    const url = new URL('/streams/' + encodeURIComponent(job.id) + '/stream.m3u8', location.href).toString();
    if (window.Hls && window.Hls.isSupported()) {
      // From the start, as a viewer would watch it, rather than near the live edge of a growing playlist.
      hls = new window.Hls({ startPosition: 0 });
      hls.on(window.Hls.Events.ERROR, (_event, data) => {
        if (data.fatal) showError('player: ' + data.type + ' ' + data.details);
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else {
      // Safari plays HLS natively.
      video.src = url;
    }
    video.play().catch(() => undefined);
    document
      .querySelectorAll('#jobs tr')
      .forEach((tr) => tr.classList.toggle('playing', tr.dataset.id === job.id));
  }

  function jobRow(job) {
    const tr = document.createElement('tr');
    tr.dataset.id = job.id;
    tr.dataset.status = job.status;
    if (job.id === playingId) tr.classList.add('playing');
    const progress = document.createElement('progress');
    progress.max = 1;
    progress.value = job.progress || 0;
    progress.title = Math.round((job.progress || 0) * 100) + ' %';
    const reason = job.error || job.cancelReason;
    const out = job.output;
    tr.append(
      cell(job.id),
      cell(job.input),
      cell(job.status + (reason ? ' — ' + reason : '')),
      cell(progress),
      cell(job.status === 'running' ? speedText(job.speed) : ''),
      cell(out ? out.codec + ' ' + (out.height || '?') + 'p · ' + out.encoder : ''),
    );
    tr.onclick = () => play(job);
    return tr;
  }

  function renderHealth(health) {
    text($('name'), health.name);
    document.title = health.name + ' · transcode-worker';
    text($('version'), 'v' + health.version);
    const status = $('status');
    text(status, health.status + (health.statusReason ? ' (' + health.statusReason + ')' : ''));
    status.className = 'badge ' + health.status;
    text($('capacity'), health.jobs.running + ' of ' + health.jobs.max + ' jobs running');
    const hw = health.hardware;
    if (!hw) return;
    const mb = (bytes) => Math.round(bytes / 1048576);
    text(
      $('cpu'),
      hw.cpu.model +
        ' · ' +
        hw.cpu.threads +
        ' threads · ' +
        mb(hw.memory.availableBytes) +
        ' MB free of ' +
        mb(hw.memory.totalBytes) +
        ' MB' +
        (hw.ffmpeg ? ' · FFmpeg ' + hw.ffmpeg.version : '') +
        (hw.probing ? ' · measuring encoders…' : ''),
    );
    // Every candidate, usable or not: an operator whose GPU is not used reads FFmpeg's reason here.
    $('encoders').replaceChildren(...(hw.encoders || []).map(encoderRow));
  }

  // A speed figure and, under it, when it was measured (figures measured under load are never published).
  function speedCell(e, key) {
    const td = cell(speedText((e.speed || {})[key]));
    const at = (e.measuredAt || {})[key];
    if (at) {
      const when = document.createElement('div');
      when.className = 'muted measured';
      when.textContent = 'measured ' + new Date(at).toLocaleString();
      when.title = at;
      td.append(when);
    }
    return td;
  }

  function encoderRow(e) {
    const tr = document.createElement('tr');
    tr.dataset.encoder = e.name;
    tr.dataset.usable = String(e.usable);
    if (!e.usable) tr.classList.add('unusable');
    const state = cell(e.usable ? 'usable' : 'not usable');
    if (!e.usable && e.reason) {
      const reason = document.createElement('div');
      reason.className = 'reason';
      reason.textContent = e.reason;
      state.append(reason);
    }
    tr.append(
      cell(e.name),
      cell(e.codec),
      cell(e.device || 'CPU'),
      state,
      speedCell(e, '720p'),
      speedCell(e, '1080p'),
    );
    return tr;
  }

  function renderJobs(jobs) {
    const live = jobs.filter((j) => j.status === 'queued' || j.status === 'running');
    const done = jobs
      .filter((j) => !(j.status === 'queued' || j.status === 'running'))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
      .slice(0, RECENT);
    $('jobs').replaceChildren(...live.concat(done).map(jobRow));
  }

  function showTokenState() {
    const has = getToken() !== '';
    $('job-form').hidden = !has;
    $('forget').hidden = !has;
    $('token').hidden = has;
    $('token-form').querySelector('button').hidden = has;
    text(
      $('token-hint'),
      has
        ? 'Token stored in this browser.'
        : 'Job ids are stream capabilities: enter the token to list them.',
    );
  }

  async function refresh() {
    try {
      const health = await fetch('/health').then((r) => r.json());
      renderHealth(health);
      const token = getToken();
      if (token !== '') {
        const res = await fetch('/jobs', { headers: { authorization: 'Bearer ' + token } });
        if (res.status === 401 || res.status === 403) {
          localStorage.removeItem(TOKEN_KEY);
          showTokenState();
          showError('the worker refused this token');
          $('jobs').replaceChildren();
        } else renderJobs((await res.json()).jobs);
      }
    } catch (err) {
      text($('status'), 'unreachable');
      $('status').className = 'badge unreachable';
      showError('worker unreachable: ' + err.message);
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
    $('jobs').replaceChildren();
    showTokenState();
  };
  $('job-form').onsubmit = async (event) => {
    event.preventDefault();
    showError('');
    const body = {
      input: $('input').value,
      video: { codec: $('codec').value, height: Number($('height').value) },
    };
    const res = await fetch('/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + getToken() },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) {
      showError(json.error.code + ': ' + json.error.message);
      return;
    }
    play(json);
    refresh();
  };

  showTokenState();
  poll();
})();
