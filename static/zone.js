/* The zone editor: draw the polygon on the offline map (click the corners, then finish) and
   click the checkpoint; both are written into the form's fields, which can also be typed or
   pasted (GeoJSON) without a map. */
(function () {
  'use strict';
  var form = document.getElementById('zone-editor');
  var el = document.getElementById('zone-map');
  if (!form || !el || !window.L || !window.DoorstepMap) return;
  var T = JSON.parse(form.getAttribute('data-i18n') || '{}');
  var hint = document.getElementById('zone-hint');
  var polyField = document.getElementById('z-polygon');
  var cpLon = document.getElementById('z-cp-lon');
  var cpLat = document.getElementById('z-cp-lat');
  var startBtn = document.getElementById('draw-start');
  var finishBtn = document.getElementById('draw-finish');
  var cpBtn = document.getElementById('cp-start');
  el.hidden = false;
  document.getElementById('zone-tools').hidden = false;
  var m = DoorstepMap.create(el, { lang: form.getAttribute('data-lang'), attribution: T['map.attribution'],
    noMapText: T['map.no_map'], checkpointText: T['board.checkpoint'] });
  var map = m.map;
  var shape = L.polygon([], { color: '#b3261e', weight: 3, fillOpacity: 0.15 }).addTo(map);
  var cp = null;
  var mode = null;
  var points = [];

  function readPolygon() {
    try {
      var g = JSON.parse(polyField.value);
      if (g.type === 'Feature') g = g.geometry;
      var rings = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
      shape.setLatLngs(rings.map(function (p) { return p.map(function (r) { return r.map(function (c) { return [c[1], c[0]]; }); }); }));
    } catch (e) { /* not (yet) valid: the server will say why */ }
  }
  function readCheckpoint() {
    var x = parseFloat(cpLon.value), y = parseFloat(cpLat.value);
    if (isFinite(x) && isFinite(y)) {
      if (!cp) cp = L.circleMarker([y, x], { radius: 8, color: '#000', weight: 2, fillColor: '#ffd400', fillOpacity: 1 }).addTo(map);
      cp.setLatLng([y, x]);
    }
  }
  readPolygon();
  readCheckpoint();
  if (shape.getLatLngs().length && shape.getLatLngs()[0].length) map.fitBounds(shape.getBounds().pad(0.5));
  else DoorstepMap.fitExtract(map, form.getAttribute('data-bounds'));
  polyField.addEventListener('change', readPolygon);
  cpLon.addEventListener('change', readCheckpoint);
  cpLat.addEventListener('change', readCheckpoint);

  startBtn.addEventListener('click', function () {
    mode = 'draw'; points = [];
    shape.setLatLngs([]);
    finishBtn.disabled = false;
    hint.textContent = T['board.draw_hint'];
    el.focus();
  });
  finishBtn.addEventListener('click', finish);
  cpBtn.addEventListener('click', function () {
    mode = 'checkpoint';
    hint.textContent = T['board.checkpoint_hint'];
  });
  function finish() {
    if (points.length < 3) return;
    var ring = points.map(function (p) { return [+p.lng.toFixed(6), +p.lat.toFixed(6)]; });
    ring.push(ring[0]);
    polyField.value = JSON.stringify({ type: 'Polygon', coordinates: [ring] });
    mode = null;
    finishBtn.disabled = true;
    hint.textContent = T['board.drawn'];
  }
  map.on('click', function (e) {
    if (mode === 'draw') {
      points.push(e.latlng);
      shape.setLatLngs([points]);
    } else if (mode === 'checkpoint') {
      cpLon.value = e.latlng.lng.toFixed(6);
      cpLat.value = e.latlng.lat.toFixed(6);
      readCheckpoint();
      mode = null;
      hint.textContent = '';
    }
  });
  map.on('dblclick', function () { if (mode === 'draw') finish(); });
})();
