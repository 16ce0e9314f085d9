/* The dispatch board: every open request on the offline map (colour = status, ring size =
   urgency), squads' routes and stops (drag a stop onto another squad's list to move it, or
   select it and use the move bar), the review queue with a draggable pin, request details,
   zones, and live updates by polling /coord/board.json?since=.
   Every action posts the same form the page offers without JavaScript, asking for JSON. */
(function () {
  'use strict';
  var root = document.getElementById('board');
  if (!root || !window.L || !window.DoorstepMap) return;
  var T = JSON.parse(root.getAttribute('data-i18n') || '{}');
  var csrf = root.getAttribute('data-csrf') || '';
  var lang = root.getAttribute('data-lang') || 'zh';
  var day = root.getAttribute('data-date') || '';
  function t(k) { return T[k] || k; }

  var STATUS = ['new', 'needs_review', 'assigned', 'out_for_delivery', 'delivered', 'failed', 'cancelled'];
  var URGENCY = ['extremely_urgent', 'urgent', 'normal'];
  var STATUS_COLOUR = { new: '#6e7781', needs_review: '#b3261e', assigned: '#0969da',
    out_for_delivery: '#bf8700', delivered: '#1a7f37', failed: '#82071e', cancelled: '#aaaaaa' };
  var URGENCY_RADIUS = { extremely_urgent: 9, urgent: 7, normal: 5 };
  var PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#46a0a0', '#f032e6',
    '#808000', '#9a6324', '#000075', '#800000', '#469990', '#c71585', '#2f4f4f'];

  /* ---------- state ---------- */
  var requests = {};     /* id -> {id, lon, lat, status, urgency, version, label, stop, squad} */
  var markers = {};      /* id -> circleMarker */
  var squads = [];       /* as in board.json */
  var squadIndex = {};   /* id -> index */
  var cursor = null;
  var selectedSquad = null;
  var selectedStop = null;
  var unserved = {};     /* request id -> reason code, from the day's plan */

  /* ---------- the map ---------- */
  var m = DoorstepMap.create(document.getElementById('map'), {
    lang: lang, attribution: t('map.attribution'), noMapText: t('map.no_map'),
    checkpointText: t('board.checkpoint')
  });
  var map = m.map;
  var reqLayer = L.layerGroup().addTo(map);
  var routeLayer = L.layerGroup().addTo(map);
  var stopLayer = L.layerGroup().addTo(map);
  var fitted = false;

  function styleOf(r) {
    var c = STATUS_COLOUR[r.status] || '#555';
    var urgent = r.urgency !== 'normal';
    return { renderer: m.renderer, radius: URGENCY_RADIUS[r.urgency] || 5, color: urgent ? '#000' : '#fff',
      weight: r.urgency === 'extremely_urgent' ? 3 : (urgent ? 2 : 1), fillColor: c, fillOpacity: 0.9 };
  }

  /* Keeps the request's marker up to date (created, moved, restyled or dropped); what is on
     the map is decided by layout(). */
  function drawRequest(r) {
    var mk = markers[r.id];
    var open = ['delivered', 'failed', 'cancelled'].indexOf(r.status) < 0;
    if (!open || r.lon === null || r.lat === null) {
      if (mk) { reqLayer.removeLayer(mk); delete markers[r.id]; }
      return;
    }
    if (!mk) {
      mk = L.circleMarker([r.lat, r.lon], styleOf(r));
      mk.on('click', function () { showRequest(r.id); });
      mk.bindTooltip(function () { return tipOf(requests[r.id]); });
      markers[r.id] = mk;
    } else {
      mk.setLatLng([r.lat, r.lon]);
      mk.setStyle(styleOf(r));
      mk.setRadius(URGENCY_RADIUS[r.urgency] || 5);
    }
  }

  /* Below street level, requests that would overlap on screen are drawn as one numbered
     circle per CELL_PX square (coloured by the status most of them have, ringed black when any
     is urgent, with a red dot when any needs review); a lone request keeps its own marker. From CLUSTER_BELOW on, every request is
     drawn. Thousands of overlapping circles neither read nor redraw well. */
  var CLUSTER_BELOW = 17;
  var CELL_PX = 56;
  var clusterLayer = L.layerGroup().addTo(map);

  function clusterMarker(ids) {
    var lat = 0, lon = 0, urgent = 0, review = 0, by = {}, most = 'new';
    ids.forEach(function (id) {
      var r = requests[id];
      lat += r.lat; lon += r.lon;
      by[r.status] = (by[r.status] || 0) + 1;
      if (by[r.status] > (by[most] || 0)) most = r.status;
      if (r.urgency !== 'normal') urgent++;
      if (r.status === 'needs_review') review++;
    });
    var n = ids.length;
    var size = Math.round(Math.min(56, 26 + Math.sqrt(n) * 2.5));
    var label = t('board.cluster').replace('{n}', n).replace('{review}', review).replace('{urgent}', urgent);
    var mk = L.marker([lat / n, lon / n], {
      icon: L.divIcon({ className: 'cluster cl-' + most + (urgent ? ' cl-urgent' : '') + (review ? ' cl-review' : ''),
        html: '<span>' + n + '</span>', iconSize: [size, size] }),
      title: label, alt: label, keyboard: true, riseOnHover: true
    });
    mk.on('click', function () { map.setView(mk.getLatLng(), Math.min(map.getZoom() + 2, CLUSTER_BELOW)); });
    return mk;
  }

  function layout() {
    var zoom = map.getZoom();
    var ids = Object.keys(markers);
    var single = {};
    clusterLayer.clearLayers();
    if (zoom >= CLUSTER_BELOW) {
      ids.forEach(function (id) { single[id] = true; });
    } else {
      var cells = {};
      ids.forEach(function (id) {
        var p = map.project(markers[id].getLatLng(), zoom);
        var k = Math.floor(p.x / CELL_PX) + ':' + Math.floor(p.y / CELL_PX);
        (cells[k] = cells[k] || []).push(id);
      });
      Object.keys(cells).forEach(function (k) {
        var c = cells[k];
        if (c.length === 1) single[c[0]] = true;
        else clusterLayer.addLayer(clusterMarker(c));
      });
    }
    ids.forEach(function (id) {
      var on = reqLayer.hasLayer(markers[id]);
      if (single[id] && !on) reqLayer.addLayer(markers[id]);
      else if (!single[id] && on) reqLayer.removeLayer(markers[id]);
    });
    root.setAttribute('data-clusters', String(clusterLayer.getLayers().length));
  }
  map.on('zoomend', layout);

  function tipOf(r) {
    var d = document.createElement('div');
    var b = document.createElement('strong');
    b.textContent = r.label;
    d.appendChild(b);
    d.appendChild(document.createElement('br'));
    d.appendChild(document.createTextNode(t('status.' + r.status) + ' · ' + t('urgency.' + r.urgency)));
    if (unserved[r.id]) {
      d.appendChild(document.createElement('br'));
      d.appendChild(document.createTextNode(t('plans.unserved_title') + ': ' + t('unserved.' + unserved[r.id])));
    }
    return d;
  }

  function colourOf(i) { return PALETTE[i % PALETTE.length]; }

  function drawRoutes() {
    routeLayer.clearLayers();
    stopLayer.clearLayers();
    squads.forEach(function (s, i) {
      if (!s.stops.length) return;
      var line = [[s.base[1], s.base[0]]].concat(s.stops.map(function (st) { return [st[2], st[1]]; }));
      var sel = selectedSquad === s.id;
      L.polyline(line, { renderer: m.renderer, color: colourOf(i), weight: sel ? 5 : 2,
        opacity: selectedSquad && !sel ? 0.25 : 0.8, interactive: false }).addTo(routeLayer);
      if (sel) {
        s.stops.forEach(function (st, k) {
          L.marker([st[2], st[1]], { icon: DoorstepMap.numberIcon(k + 1, 'st-' + st[3]),
            title: (k + 1) + '. ' + st[5], alt: (k + 1) + '. ' + st[5], keyboard: false }).addTo(stopLayer);
        });
      }
    });
  }

  /* ---------- squads panel ---------- */
  var lists = document.getElementById('squad-lists');
  var moveBar = document.createElement('div');
  moveBar.className = 'delta';
  moveBar.hidden = true;
  moveBar.setAttribute('role', 'region');
  moveBar.setAttribute('aria-label', t('board.move_to'));
  var moveText = document.createElement('p');
  var moveSelect = document.createElement('select');
  moveSelect.id = 'move-target';
  var moveLabel = document.createElement('label');
  moveLabel.htmlFor = 'move-target';
  moveLabel.textContent = t('board.move_to');
  var moveBtn = document.createElement('button');
  moveBtn.type = 'button';
  moveBtn.className = 'button small-button ok';
  moveBtn.textContent = t('board.move');
  moveBtn.id = 'move-go';
  moveBar.appendChild(moveText); moveBar.appendChild(moveLabel); moveBar.appendChild(moveSelect); moveBar.appendChild(moveBtn);
  lists.parentNode.insertBefore(moveBar, lists);
  moveBtn.addEventListener('click', function () {
    if (selectedStop) reassign(selectedStop.stop, selectedStop.version, moveSelect.value);
  });

  function fmtKm(m) { return (m / 1000).toFixed(1) + ' km'; }
  function fmtMin(s) { return Math.round(s / 60) + ' ' + t('board.min'); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function selectStop(li, s, st) {
    document.querySelectorAll('.stoplist li.selected').forEach(function (x) { x.classList.remove('selected'); x.setAttribute('aria-selected', 'false'); });
    li.classList.add('selected');
    li.setAttribute('aria-selected', 'true');
    selectedStop = { stop: st[0], version: st[7], squad: s.id };
    moveText.textContent = s.name + ' · ' + st[5];
    moveSelect.textContent = '';
    squads.forEach(function (o) {
      if (o.id === s.id) return;
      var opt = el('option', null, o.name);
      opt.value = o.id;
      moveSelect.appendChild(opt);
    });
    moveBar.hidden = false;
    map.panTo([st[2], st[1]]);
  }

  function renderSquads() {
    lists.textContent = '';
    squadIndex = {};
    squads.forEach(function (s, i) {
      squadIndex[s.id] = i;
      var card = el('section', 'squad');
      card.setAttribute('data-squad', s.id);
      var head = el('div', 'squad-head');
      var sw = el('span', 'swatch');
      sw.style.background = colourOf(i);
      head.appendChild(sw);
      var h = el('h3');
      var a = el('a', null, s.name);
      a.href = '/coord/squads/' + s.id;
      h.appendChild(a);
      head.appendChild(h);
      var show = el('button', 'small-button', selectedSquad === s.id ? '◉' : '○');
      show.type = 'button';
      show.setAttribute('aria-pressed', selectedSquad === s.id ? 'true' : 'false');
      show.setAttribute('aria-label', s.name + ': ' + t('board.map'));
      show.addEventListener('click', function () {
        selectedSquad = selectedSquad === s.id ? null : s.id;
        drawRoutes(); renderSquads();
        if (selectedSquad && s.stops.length) {
          map.fitBounds(L.latLngBounds(s.stops.map(function (st) { return [st[2], st[1]]; }).concat([[s.base[1], s.base[0]]])).pad(0.1));
        }
      });
      head.appendChild(show);
      card.appendChild(head);
      var meta = s.stops.length + ' ' + t('board.stops') + (s.plan ? ' · ' + fmtKm(s.plan.distance_m) + ' · ' + fmtMin(s.plan.duration_s) : '') +
        ' · ' + t('mode.' + s.mode) + ' · ' + s.shift;
      card.appendChild(el('p', 'squad-meta', meta));
      var acts = el('div', 'squad-actions');
      [['board.sheet', '/squad/' + s.id], ['board.print', '/squad/' + s.id + '/print']].forEach(function (x) {
        var l = el('a', 'button small-button', t(x[0])); l.href = x[1]; acts.appendChild(l);
      });
      var rf = el('form');
      rf.method = 'post'; rf.action = '/coord/squads/' + s.id + '/replan';
      var rd = el('input');
      rd.type = 'hidden'; rd.name = 'date'; rd.value = day;
      rf.appendChild(rd);
      var rb = el('button', 'button small-button', t('board.replan'));
      rf.appendChild(rb);
      rf.addEventListener('submit', function (ev) { ev.preventDefault(); replan(rf); });
      acts.appendChild(rf);
      card.appendChild(acts);
      var ol = el('ol', 'stoplist');
      ol.setAttribute('data-squad', s.id);
      ol.setAttribute('aria-label', s.name);
      if (!s.stops.length) ol.appendChild(el('li', 'empty', t('board.no_stops')));
      s.stops.forEach(function (st, k) {
        var li = el('li');
        li.draggable = true;
        li.tabIndex = 0;
        li.setAttribute('data-stop', st[0]);
        li.setAttribute('aria-selected', 'false');
        var n = el('span', 'n', String(k + 1));
        n.style.background = st[3] === 'delivered' ? '#1a7f37' : st[3] === 'failed' ? '#b3261e' : colourOf(i);
        li.appendChild(n);
        var lbl = el('span', 'lbl', st[5] + (st[8] ? ' ' + t('board.pinned') : ''));
        lbl.title = st[5];
        li.appendChild(lbl);
        li.appendChild(el('span', 'muted', st[6] + t('board.households')));
        li.appendChild(el('span', 'eta', st[4]));
        li.setAttribute('aria-label', (k + 1) + '. ' + st[5] + ', ' + st[4] + ', ' + t('stop_status.' + st[3]));
        li.addEventListener('click', function () { selectStop(li, s, st); });
        li.addEventListener('keydown', function (ev) {
          if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); selectStop(li, s, st); moveSelect.focus(); }
        });
        li.addEventListener('dragstart', function (ev) {
          li.classList.add('dragging');
          ev.dataTransfer.effectAllowed = 'move';
          ev.dataTransfer.setData('text/plain', JSON.stringify({ stop: st[0], version: st[7], from: s.id }));
        });
        li.addEventListener('dragend', function () { li.classList.remove('dragging'); });
        ol.appendChild(li);
      });
      ol.addEventListener('dragover', function (ev) { ev.preventDefault(); ol.classList.add('drop-target'); });
      ol.addEventListener('dragleave', function () { ol.classList.remove('drop-target'); });
      ol.addEventListener('drop', function (ev) {
        ev.preventDefault();
        ol.classList.remove('drop-target');
        var d;
        try { d = JSON.parse(ev.dataTransfer.getData('text/plain')); } catch (e) { return; }
        if (d.from !== s.id) reassign(d.stop, d.version, s.id);
      });
      card.appendChild(ol);
      lists.appendChild(card);
    });
  }

  /* ---------- messages ---------- */
  var toast = document.getElementById('toast');
  var toastTimer = null;
  function say(text, conflict) {
    toast.textContent = text;
    toast.className = 'toast' + (conflict ? ' conflict' : '');
    toast.hidden = false;
    if (toastTimer) clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, conflict ? 9000 : 6000);
  }

  function post(url, data) {
    var body = new URLSearchParams();
    Object.keys(data).forEach(function (k) { body.set(k, data[k]); });
    body.set('csrf_token', csrf);
    return fetch(url, { method: 'POST', credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf },
      body: body.toString() });
  }

  function postForm(form) {
    var data = {};
    new FormData(form).forEach(function (v, k) { data[k] = v; });
    return post(form.action, data);
  }

  /* Reads a refusal; a 409 means another coordinator won: say so and show the current state
     (then `onConflict`, if given, brings the form in hand up to date). */
  function refused(r, onConflict) {
    return r.json().catch(function () { return {}; }).then(function (p) {
      if (r.status === 409) {
        /* A stop selected for a move may be elsewhere now: choose again from the fresh lists. */
        moveBar.hidden = true;
        selectedStop = null;
        say(t('board.conflict'), true);
        return refresh(true).then(function () { if (onConflict) onConflict(); });
      }
      var detail = p.detail || (p.errors && p.errors.map(function (e) { return e.message; }).join(' ')) || p.title || ('HTTP ' + r.status);
      say(t('board.refused') + ' ' + detail, true);
    });
  }

  function signed(v, unit) { return (v > 0 ? '+' : v < 0 ? '−' : '±') + Math.abs(Math.round(v)) + ' ' + unit; }

  function describeDelta(d) {
    var parts = [];
    [d.from, d.to].forEach(function (x) {
      if (!x) return;
      parts.push(x.name + ': ' + signed((x.delta_duration_s || 0) / 60, t('board.min')) + ', ' + signed(x.delta_distance_m || 0, 'm'));
    });
    return t('board.moved') + ' ' + parts.join('; ');
  }

  function reassign(stop, version, to) {
    post('/coord/stops/' + stop + '/reassign', { to_squad: to, version: version }).then(function (r) {
      if (!r.ok) return refused(r);
      return r.json().then(function (d) {
        say(d.message || describeDelta(d));
        moveBar.hidden = true;
        selectedStop = null;
        refresh(true);
      });
    }).catch(function () { say(t('board.offline'), true); });
  }

  function replan(form) {
    postForm(form).then(function (r) {
      if (!r.ok) return refused(r);
      return r.json().then(function (d) { say(d.message || t('board.flash.replanned') || t('board.saved')); refresh(true); });
    }).catch(function () { say(t('board.offline'), true); });
  }
  document.querySelectorAll('form[action="/coord/replan"]').forEach(function (f) {
    f.addEventListener('submit', function (ev) { ev.preventDefault(); replan(f); });
  });

  /* ---------- requests the plan left out, with the reason ---------- */
  function renderUnserved(list) {
    var ul = document.getElementById('unserved-list');
    if (!ul) return;
    unserved = {};
    ul.textContent = '';
    list.forEach(function (u) {
      unserved[u[0]] = u[2];
      var li = el('li');
      var a = el('a', null, u[1]);
      a.href = '/coord/requests/' + u[0];
      a.addEventListener('click', function (ev) { ev.preventDefault(); showRequest(u[0]); });
      li.appendChild(a);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(el('span', 'muted', t('unserved.' + u[2])));
      ul.appendChild(li);
    });
    document.getElementById('count-unserved').textContent = String(list.length);
    var none = document.getElementById('unserved-none');
    if (none) none.hidden = list.length > 0;
  }

  /* ---------- the review pin ---------- */
  var pin = null;
  var pinForm = null;
  function pinIcon() { return L.divIcon({ className: 'stop-pin review-pin', html: '<span>?</span>', iconSize: [28, 28], iconAnchor: [14, 14] }); }

  function attachLocationForm(form) {
    var show = form.querySelector('.show-pin');
    var lon = form.querySelector('input[name=lon]');
    var lat = form.querySelector('input[name=lat]');
    if (show) {
      show.hidden = false;
      show.addEventListener('click', function () { showPin(form); });
    }
    /* Typed coordinates are a manual position: the candidate chosen before no longer holds. */
    [lon, lat].forEach(function (input) {
      input.addEventListener('input', function () {
        var manual = form.querySelector('input[name=candidate][value=manual]');
        if (manual) manual.checked = true;
        if (pinForm === form) placePin(form);
      });
    });
    form.querySelectorAll('input[name=candidate]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        if (radio.value !== 'manual') {
          var p = radio.value.split(',');
          lon.value = p[0]; lat.value = p[1];
        }
        if (pinForm === form) placePin(form);
      });
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      postForm(form).then(function (r) {
        if (!r.ok) return refused(r, function () { locationConflict(form); });
        return r.json().then(function () {
          say(t('board.confirmed'));
          if (pinForm === form && pin) { map.removeLayer(pin); pin = null; pinForm = null; }
          if (form.parentNode && form.parentNode.id === 'review-list') {
            form.parentNode.removeChild(form);
            var c = document.getElementById('count-review');
            var n = Math.max(0, parseInt(c.textContent, 10) - 1);
            c.textContent = String(n);
            document.getElementById('stat-review').textContent = String(n);
          } else {
            var id = form.getAttribute('data-request');
            if (id) showRequest(id);
          }
          refresh(false);
        });
      }).catch(function () { say(t('board.offline'), true); });
    });
  }

  /* Another coordinator changed the request first: a location already confirmed leaves the
     queue and its details open (showing where it now is); otherwise the form takes the current
     version, keeping what this coordinator entered, to be sent again deliberately. */
  function locationConflict(form) {
    var id = form.getAttribute('data-request');
    var now = requests[id];
    if (pinForm === form && pin) { map.removeLayer(pin); pin = null; pinForm = null; }
    if (form.parentNode && form.parentNode.id === 'review-list' && (!now || now.status !== 'needs_review')) {
      form.parentNode.removeChild(form);
      document.getElementById('count-review').textContent = document.getElementById('stat-review').textContent;
    } else if (now) {
      form.querySelector('input[name=version]').value = String(now.version);
    }
    if (id) showRequest(id);
  }

  function placePin(form) {
    var lon = parseFloat(form.querySelector('input[name=lon]').value);
    var lat = parseFloat(form.querySelector('input[name=lat]').value);
    var at = isFinite(lon) && isFinite(lat) ? [lat, lon] : map.getCenter();
    if (!pin) {
      pin = L.marker(at, { draggable: true, icon: pinIcon(), title: t('board.pin_keys'), alt: t('board.pin_keys'),
        autoPan: true, keyboard: true }).addTo(map);
      var pinMoved = function () {
        var p = pin.getLatLng();
        var f = pinForm;
        if (!f) return;
        f.querySelector('input[name=lon]').value = p.lng.toFixed(6);
        f.querySelector('input[name=lat]').value = p.lat.toFixed(6);
        var manual = f.querySelector('input[name=candidate][value=manual]');
        if (manual) manual.checked = true;
      };
      pin.on('dragend', pinMoved);
      /* Without a mouse: the focused pin moves with the arrow keys (4 px, 20 with Shift); the
         map must not pan instead. */
      var STEP = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      pin.getElement().addEventListener('keydown', function (ev) {
        var d = STEP[ev.key];
        if (!d) return;
        ev.preventDefault();
        ev.stopPropagation();
        var px = ev.shiftKey ? 20 : 4;
        var p = map.latLngToContainerPoint(pin.getLatLng()).add([d[0] * px, d[1] * px]);
        pin.setLatLng(map.containerPointToLatLng(p));
        pinMoved();
      });
    } else {
      pin.setLatLng(at);
    }
    return at;
  }

  function showPin(form) {
    document.querySelectorAll('.review-item.active').forEach(function (x) { x.classList.remove('active'); });
    form.classList.add('active');
    pinForm = form;
    var at = placePin(form);
    map.setView(at, Math.max(map.getZoom(), 17));
    say(t('board.pin_hint'));
    pin.getElement().focus({ preventScroll: true });
  }

  document.querySelectorAll('#review-list form.review-item').forEach(attachLocationForm);

  /* ---------- request details ---------- */
  var detail = document.getElementById('panel-detail');
  function showRequest(id) {
    detail.hidden = false;
    detail.textContent = t('board.loading');
    fetch('/coord/requests/' + id + '?fragment=1', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        /* The fragment is rendered and escaped by the server. */
        detail.innerHTML = html;
        var close = el('button', 'small-button', '×');
        close.type = 'button';
        close.setAttribute('aria-label', t('board.close'));
        close.addEventListener('click', function () { detail.hidden = true; detail.textContent = ''; });
        detail.insertBefore(close, detail.firstChild);
        detail.querySelectorAll('form.location-form').forEach(attachLocationForm);
        detail.querySelectorAll('form.urgency-form').forEach(function (f) {
          f.addEventListener('submit', function (ev) {
            ev.preventDefault();
            postForm(f).then(function (r) {
              if (!r.ok) return refused(r).then(function () { showRequest(id); });
              say(t('board.saved')); showRequest(id); refresh(false);
            });
          });
        });
        detail.scrollIntoView({ block: 'start' });
        var r = requests[id];
        if (r && r.lat !== null) map.panTo([r.lat, r.lon]);
      })
      .catch(function () { detail.textContent = t('board.offline'); });
  }

  /* ---------- requests tab ---------- */
  var filter = document.getElementById('req-filter');
  var reqList = document.getElementById('req-list');
  /* A page of LIST_PAGE rows at a time (a button shows the next); the count of matches is
     announced when the filter changes, not at every poll. */
  var LIST_PAGE = 100;
  var listLimit = LIST_PAGE;
  var reqCount = document.getElementById('req-count');
  function renderRequestList(keepPage) {
    if (!keepPage) listLimit = LIST_PAGE;
    var q = (filter.value || '').trim().toLowerCase();
    var rows = document.createDocumentFragment();
    var matched = 0;
    Object.keys(requests).forEach(function (id) {
      var r = requests[id];
      if (['delivered', 'failed', 'cancelled'].indexOf(r.status) >= 0) return;
      if (q && r.label.toLowerCase().indexOf(q) < 0) return;
      matched++;
      if (matched > listLimit) return;
      var li = el('li');
      li.tabIndex = 0;
      var n = el('span', 'n', '');
      n.style.background = STATUS_COLOUR[r.status];
      li.appendChild(n);
      li.appendChild(el('span', 'lbl', r.label));
      li.appendChild(el('span', 'eta', t('status.' + r.status) + (r.lon === null ? ' · ' + t('board.unlocated') : '')));
      li.addEventListener('click', function () { showRequest(id); });
      li.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') showRequest(id); });
      rows.appendChild(li);
    });
    reqList.textContent = '';
    reqList.appendChild(rows);
    if (matched > listLimit) {
      var li = el('li', 'more');
      var b = el('button', 'button small-button', t('board.list_more').replace('{shown}', listLimit).replace('{n}', matched));
      b.type = 'button';
      b.addEventListener('click', function () { listLimit += LIST_PAGE; renderRequestList(true); });
      li.appendChild(b);
      reqList.appendChild(li);
    }
    var count = t('board.list_count').replace('{n}', matched);
    if (reqCount.textContent !== count) reqCount.textContent = count;
  }
  filter.addEventListener('input', function () { renderRequestList(false); });

  /* ---------- tabs ---------- */
  var tabs = Array.prototype.slice.call(document.querySelectorAll('.tabs [role=tab]'));
  document.querySelector('.tabs').hidden = false;
  function selectTab(tab) {
    tabs.forEach(function (x) {
      var on = x === tab;
      x.setAttribute('aria-selected', on ? 'true' : 'false');
      x.tabIndex = on ? 0 : -1;
      document.getElementById(x.getAttribute('aria-controls')).hidden = !on;
    });
    if (tab.id === 'tab-requests') renderRequestList();
  }
  tabs.forEach(function (tab, i) {
    tab.addEventListener('click', function () { selectTab(tab); });
    tab.addEventListener('keydown', function (ev) {
      var j = ev.key === 'ArrowRight' ? i + 1 : ev.key === 'ArrowLeft' ? i - 1 : null;
      if (j === null) return;
      var next = tabs[(j + tabs.length) % tabs.length];
      selectTab(next); next.focus();
    });
  });
  selectTab(tabs[0]);

  /* ---------- loading and live updates ---------- */
  function merge(tuple) {
    var r = { id: tuple[0], lon: tuple[1], lat: tuple[2], status: STATUS[tuple[3]], urgency: URGENCY[tuple[4]],
      version: tuple[5], label: tuple[6], stop: tuple[7], squad: tuple[8] };
    var old = requests[r.id];
    if (old && old.version > r.version) return;
    requests[r.id] = r;
    /* Polls repeat rows seen already (they look a few seconds back): redraw only changes. */
    if (old && old.version === r.version && markers[r.id]) return;
    drawRequest(r);
  }

  function countOpen() {
    var open = 0, review = 0;
    Object.keys(requests).forEach(function (id) {
      var s = requests[id].status;
      if (['delivered', 'failed', 'cancelled'].indexOf(s) < 0) open++;
      if (s === 'needs_review') review++;
    });
    document.getElementById('stat-open').textContent = String(open);
    document.getElementById('stat-review').textContent = String(review);
    document.getElementById('count-review').textContent = String(review);
  }

  var polling = null;
  function refresh(full) {
    var url = '/coord/board.json?date=' + encodeURIComponent(day) + (!full && cursor ? '&since=' + encodeURIComponent(cursor) : '');
    var t0 = performance.now();
    return fetch(url, { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.text(); })
      .then(function (text) {
        var t1 = performance.now();
        var data = JSON.parse(text);
        cursor = data.now;
        if (data.full) {
          var keep = {};
          data.requests.forEach(function (x) { keep[x[0]] = true; });
          Object.keys(requests).forEach(function (id) { if (!keep[id]) { requests[id].status = 'delivered'; drawRequest(requests[id]); delete requests[id]; } });
        }
        data.requests.forEach(merge);
        if (data.squads) { squads = data.squads; renderSquads(); drawRoutes(); }
        if (data.unserved) renderUnserved(data.unserved);
        countOpen();
        if (!fitted) {
          fitted = true;
          var pts = Object.keys(markers).map(function (id) { return markers[id].getLatLng(); });
          if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.05), { maxZoom: 16 });
          else DoorstepMap.fitExtract(map, root.getAttribute('data-bounds'));
        }
        layout();
        var t2 = performance.now();
        if (data.full) {
          var ms = Math.round(t2 - t0);
          root.setAttribute('data-payload-bytes', String(text.length));
          root.setAttribute('data-fetch-ms', String(Math.round(t1 - t0)));
          root.setAttribute('data-render-ms', String(Math.round(t2 - t1)));
          root.setAttribute('data-requests', String(data.requests.length));
          document.getElementById('stat-live').textContent = t('board.perf')
            .replace('{n}', data.requests.length).replace('{kb}', Math.round(text.length / 1024)).replace('{ms}', ms);
        }
        root.setAttribute('data-updated', data.now);
        if (!reqList.parentNode.hidden && data.requests.length) renderRequestList(true);
      })
      .catch(function () { document.getElementById('stat-live').textContent = t('board.offline'); });
  }

  /* For the browser tests' measurements and a curious coordinator's console. */
  window.DoorstepBoard = { map: map, refresh: refresh,
    drawn: function () { return [reqLayer.getLayers().length, clusterLayer.getLayers().length]; } };

  refresh(true).then(function () {
    polling = setInterval(function () { if (!document.hidden) refresh(false); }, 5000);
  });
})();
