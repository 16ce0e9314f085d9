/* The squad's route sheet: the map with the route and numbered stops, and taps that are never
   lost. Each tap (arrived / delivered / not delivered) is stored in localStorage first, shown
   at once, and sent in order; what the server has not confirmed stays in the outbox and is
   resent with back-off, when the phone comes back online, and when the page is opened again.
   The server treats a resent tap as the same tap (marks are idempotent). */
(function () {
  'use strict';
  var root = document.getElementById('sheet');
  if (!root) return;
  var squad = root.getAttribute('data-squad');
  var T = JSON.parse(root.getAttribute('data-i18n') || '{}');
  var csrf = root.getAttribute('data-csrf') || '';
  var KEY = 'doorstep.outbox.' + squad;
  var sending = false;
  var retryMs = 2000;
  var timer = null;

  function t(key, n) { return (T[key] || key).replace('{n}', n); }

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || '[]'); } catch (e) { return []; }
  }
  function save(q) {
    try { localStorage.setItem(KEY, JSON.stringify(q)); } catch (e) { /* storage full: keep in memory */ }
    memory = q;
  }
  var memory = load();
  function queue() { var q = load(); return q.length || !memory.length ? q : memory; }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'k' + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  /* ---- showing a stop's state ---- */
  function stopEl(id) { return document.getElementById('stop-' + id); }

  function showStatus(id, status, pending, extra) {
    var li = stopEl(id);
    if (!li) return;
    li.className = li.className.replace(/\bstatus-\w+/, 'status-' + status);
    li.classList.toggle('unsent', !!pending);
    var badge = li.querySelector('.stop-status');
    if (badge) {
      badge.textContent = t('stop_status.' + status) + (pending ? ' ' + t('js.mark.queued') : '');
      badge.setAttribute('data-status', status);
    }
    var out = li.querySelector('.outcome');
    if (out) {
      if (status === 'delivered' || status === 'failed') {
        out.hidden = false;
        out.textContent = t('stop_status.' + status) + (extra ? ': ' + extra : '');
      } else {
        out.hidden = true;
      }
    }
    var err = li.querySelector('.mark-error');
    if (err && !pending) err.hidden = true;
    var fail = li.querySelector('details.fail');
    if (fail && status === 'failed') fail.open = false;
    updateDone();
    if (window.sheetMap) window.sheetMap.setStatus(id, status);
  }

  function updateDone() {
    var n = document.querySelectorAll('.stop.status-delivered, .stop.status-failed').length;
    var el = document.getElementById('done-count');
    if (el) el.textContent = String(n);
  }

  function showOutbox(state) {
    var box = document.getElementById('outbox');
    var text = document.getElementById('outbox-text');
    var q = queue();
    if (!q.length) { box.hidden = true; return; }
    box.hidden = false;
    var key = state === 'sending' ? 'js.outbox.sending'
      : (navigator.onLine === false ? 'js.outbox.offline' : 'js.outbox.pending');
    text.textContent = t(key, q.length);
  }

  /* ---- sending ---- */
  function send(tap) {
    var body = new URLSearchParams();
    body.set('action', tap.action);
    if (tap.reason) body.set('reason', tap.reason);
    body.set('note', tap.note || '');
    body.set('key', tap.key);
    body.set('csrf_token', csrf);
    return fetch('/squad/' + squad + '/stops/' + tap.stop + '/mark', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded',
        'X-CSRF-Token': csrf },
      body: body.toString()
    });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, retryMs);
    retryMs = Math.min(retryMs * 2, 60000);
  }

  function flush() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (sending) return;
    var q = queue();
    if (!q.length) { showOutbox(); return; }
    sending = true;
    showOutbox('sending');
    var tap = q[0];
    send(tap).then(function (r) {
      if (r.ok) {
        return r.json().then(function (stop) {
          drop(tap.key);
          var extra = stop.note || '';
          showStatus(tap.stop, stop.status, pendingFor(tap.stop), extra);
          retryMs = 2000;
          sending = false;
          flush();
        });
      }
      if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
        /* Refused for good (not this squad's stop, bad input, signed out): tell, do not retry. */
        return r.json().catch(function () { return {}; }).then(function (p) {
          drop(tap.key);
          var li = stopEl(tap.stop);
          var err = li && li.querySelector('.mark-error');
          if (err) { err.hidden = false; err.textContent = t('js.mark.refused') + (p.detail || p.title || r.status); }
          var b = li && li.querySelector('.stop-status');
          if (b) b.textContent = b.textContent.replace(' ' + t('js.mark.queued'), '');
          if (li) li.classList.remove('unsent');
          sending = false;
          flush();
        });
      }
      throw new Error('HTTP ' + r.status);
    }).catch(function () {
      sending = false;
      showOutbox();
      schedule();
    });
  }

  function drop(key) {
    save(queue().filter(function (x) { return x.key !== key; }));
  }
  function pendingFor(stop) {
    return queue().some(function (x) { return x.stop === stop; });
  }

  function enqueue(tap) {
    var q = queue();
    q.push(tap);
    save(q);
    showStatus(tap.stop, tap.action, true, tap.note);
    showOutbox();
    retryMs = 2000;
    flush();
  }

  /* ---- the forms ---- */
  document.querySelectorAll('form.mark').forEach(function (form) {
    var li = form.closest('.stop');
    var stop = li.getAttribute('data-stop');
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var btn = ev.submitter || document.activeElement;
      var action = btn && btn.value;
      if (!action) return;
      var reasonEl = form.querySelector('input[name=reason]:checked');
      var noteEl = form.querySelector('textarea[name=note]');
      enqueue({
        key: uuid(), stop: stop, action: action,
        reason: action === 'failed' && reasonEl ? reasonEl.value : '',
        note: action === 'failed' && noteEl ? noteEl.value : '',
        at: Date.now()
      });
      if (noteEl && action === 'failed') noteEl.value = '';
    });
  });

  document.getElementById('outbox-retry').addEventListener('click', function () {
    retryMs = 2000; flush();
  });
  window.addEventListener('online', function () { retryMs = 2000; flush(); });
  window.addEventListener('offline', function () { showOutbox(); });

  /* Taps saved before a reload are shown as unsent and sent again. */
  queue().forEach(function (tap) { showStatus(tap.stop, tap.action, true, tap.note); });
  showOutbox();
  flush();

  /* ---- the map ---- */
  var mapEl = document.getElementById('map');
  var data = JSON.parse(root.getAttribute('data-map') || '{}');
  if (mapEl && window.L && window.DoorstepMap && data.stops && data.stops.length) {
    var m = DoorstepMap.create(mapEl, { lang: root.getAttribute('data-lang'),
      attribution: T['map.attribution'], noMapText: T['map.no_map'] });
    var map = m.map;
    var all = [];
    (data.legs || []).forEach(function (leg) {
      var ll = leg.line.map(function (p) { return [p[1], p[0]]; });
      all = all.concat(ll);
      L.polyline(ll, { renderer: m.renderer, color: '#0b57d0', weight: 5, opacity: 0.85,
        dashArray: leg.on_roads ? null : '6 6', interactive: false }).addTo(map);
    });
    var markers = {};
    L.marker([data.base[1], data.base[0]], {
      icon: L.divIcon({ className: 'base-pin', html: '', iconSize: [18, 18] }),
      title: data.base_name, alt: data.base_name
    }).addTo(map);
    data.stops.forEach(function (s) {
      var mk = L.marker([s.lat, s.lon], { icon: DoorstepMap.numberIcon(s.n, 'st-' + s.status),
        title: s.n + '. ' + s.label, alt: s.n + '. ' + s.label, riseOnHover: true });
      mk.on('click', function () {
        var li = stopEl(s.id);
        if (li) { li.scrollIntoView({ behavior: 'smooth', block: 'start' }); li.focus && li.focus(); }
      });
      mk.addTo(map);
      markers[s.id] = { marker: mk, stop: s };
      all.push([s.lat, s.lon]);
    });
    all.push([data.base[1], data.base[0]]);
    map.fitBounds(L.latLngBounds(all).pad(0.08));
    window.sheetMap = {
      setStatus: function (id, status) {
        var x = markers[id];
        if (x) x.marker.setIcon(DoorstepMap.numberIcon(x.stop.n, 'st-' + status));
      }
    };
    queue().forEach(function (tap) { window.sheetMap.setStatus(tap.stop, tap.action); });
  }
})();
