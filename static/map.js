/* doorstep's offline map: Leaflet (vendored) drawing the extract's roads, compounds, buildings
   and landmarks from /map/layers (GeoJSON for the current view, simplified per zoom) and the
   zones from /map/zones. No tiles, no network beyond this server.
   Used by the route sheet (sheet.js) and the dispatch board (board.js). */
(function () {
  'use strict';

  var ROAD_WIDTH = { major: 7, main: 5.5, street: 4, service: 2.5, path: 1.5 };
  var ZONE_COLOUR = { high_risk: '#b3261e', controlled: '#c77700', precaution: '#2f6fb0' };

  function baseStyle(f) {
    var p = f.properties;
    if (p.k === 'road') {
      return { color: p.c === 'path' ? '#b9a88f' : '#ffffff', weight: ROAD_WIDTH[p.c] || 3,
        opacity: 1, lineCap: 'round', lineJoin: 'round',
        dashArray: p.c === 'path' ? '3 4' : null };
    }
    if (p.k === 'building') {
      return { color: '#b9ada0', weight: 0.8, fillColor: '#ddd5cb', fillOpacity: 1 };
    }
    if (p.c === 'compound') {
      return { color: '#c8bfb0', weight: 1, dashArray: '4 3', fillColor: '#efe9e1', fillOpacity: 1 };
    }
    if (p.c === 'place') {
      return { stroke: false, fill: false };
    }
    return { color: '#cfe3c4', weight: 0.5, fillColor: '#e0ecd6', fillOpacity: 1 };
  }

  /* Roads get a darker casing drawn underneath, so that white streets read on the beige. */
  function casingStyle(f) {
    var p = f.properties;
    return { color: '#a89f92', weight: (ROAD_WIDTH[p.c] || 3) + 2, opacity: 1,
      lineCap: 'round', lineJoin: 'round' };
  }

  function padded(bounds, ratio) {
    return bounds.pad(ratio);
  }

  function create(el, opts) {
    opts = opts || {};
    var map = L.map(el, {
      preferCanvas: true,
      zoomControl: true,
      minZoom: 10,
      maxZoom: 19,
      keyboard: true,
      attributionControl: true
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(opts.attribution || '© OpenStreetMap contributors (ODbL)');
    map.getContainer().style.background = '#f4f1ec';
    var renderer = L.canvas({ padding: 0.5 });
    var casing = L.geoJSON(null, {
      renderer: renderer, interactive: false, style: casingStyle,
      filter: function (f) { return f.properties.k === 'road' && f.properties.c !== 'path'; }
    }).addTo(map);
    var base = L.geoJSON(null, {
      renderer: renderer, interactive: false, style: baseStyle,
      filter: function (f) { return f.properties.k !== 'poi'; }
    }).addTo(map);
    var labels = L.layerGroup().addTo(map);
    var fetched = null; /* {bounds, zoom} of what is drawn */
    var inflight = null;
    var lang = opts.lang || 'zh';

    function addLabels(features, zoom) {
      labels.clearLayers();
      var seen = {};
      var count = 0;
      features.forEach(function (f) {
        var p = f.properties;
        if (!p.n || count > 250) return;
        var show = (p.k === 'area' && p.c === 'compound' && zoom >= 15) ||
          (p.k === 'building' && zoom >= 17) ||
          (p.k === 'road' && p.c !== 'path' && p.c !== 'service' && zoom >= 15) ||
          (p.k === 'poi' && zoom >= 17);
        if (!show) return;
        var key = p.k + ':' + p.n;
        if (p.k !== 'building' && seen[key]) return;
        seen[key] = true;
        var at;
        var g = f.geometry;
        if (g.type === 'Point') at = [g.coordinates[1], g.coordinates[0]];
        else if (g.type === 'LineString') {
          var c = g.coordinates[Math.floor(g.coordinates.length / 2)];
          at = [c[1], c[0]];
        } else {
          var ring = g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0][0];
          var sx = 0, sy = 0;
          ring.forEach(function (q) { sx += q[0]; sy += q[1]; });
          at = [sy / ring.length, sx / ring.length];
        }
        count++;
        L.marker(at, {
          interactive: false, keyboard: false,
          icon: L.divIcon({ className: 'map-label map-label-' + p.k, html: '', iconSize: null })
        }).addTo(labels).getElement().textContent = p.n;
      });
    }

    function load() {
      var zoom = map.getZoom();
      var view = map.getBounds();
      if (fetched && fetched.zoom === zoom && fetched.bounds.contains(view)) return;
      var want = padded(view, 0.5);
      if (inflight) inflight.abort();
      var ctrl = window.AbortController ? new AbortController() : null;
      inflight = ctrl;
      var bbox = [want.getWest(), want.getSouth(), want.getEast(), want.getNorth()]
        .map(function (v) { return v.toFixed(5); }).join(',');
      fetch('/map/layers?bbox=' + bbox + '&zoom=' + zoom + '&lang=' + lang,
        { credentials: 'same-origin', signal: ctrl ? ctrl.signal : undefined })
        .then(function (r) {
          if (r.status === 404) { noMap(); return null; }
          if (!r.ok) throw new Error('HTTP ' + r.status);
          return r.json();
        })
        .then(function (data) {
          if (!data) return;
          casing.clearLayers(); base.clearLayers();
          casing.addData(data);
          base.addData(data);
          /* One canvas draws everything in the order it was added: the base arrives last,
             so it goes under what a page drew meanwhile (routes, stops, zones). */
          base.bringToBack();
          casing.bringToBack();
          addLabels(data.features, zoom);
          fetched = { bounds: want, zoom: zoom };
          el.setAttribute('data-base-features', String(data.features.length));
        })
        .catch(function (e) { if (e.name !== 'AbortError') el.setAttribute('data-base-error', e.message); });
    }

    var noMapShown = false;
    function noMap() {
      if (noMapShown) return;
      noMapShown = true;
      var c = L.control({ position: 'bottomleft' });
      c.onAdd = function () {
        var d = L.DomUtil.create('div', 'map-note');
        d.textContent = opts.noMapText || 'No map extract loaded';
        return d;
      };
      c.addTo(map);
    }

    map.on('moveend', load);

    var zonesLayer = L.geoJSON(null, {
      renderer: renderer,
      style: function (f) {
        var c = ZONE_COLOUR[f.properties.kind] || '#555';
        return { color: c, weight: 2, dashArray: '6 4', fillColor: c, fillOpacity: 0.12 };
      },
      onEachFeature: function (f, layer) {
        if (opts.onZone) opts.onZone(f, layer);
        else layer.bindTooltip(f.properties.name);
      }
    });
    var checkpoints = L.layerGroup();
    function loadZones() {
      return fetch('/map/zones', { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : { features: [] }; })
        .then(function (data) {
          zonesLayer.clearLayers();
          checkpoints.clearLayers();
          zonesLayer.addData(data);
          data.features.forEach(function (f) {
            var cp = f.properties.checkpoint;
            if (!cp) return;
            L.circleMarker([cp[1], cp[0]], { renderer: renderer, radius: 6, color: '#000', weight: 2,
              fillColor: '#ffd400', fillOpacity: 1 })
              .bindTooltip((opts.checkpointText || 'Checkpoint') + ': ' + f.properties.name)
              .addTo(checkpoints);
          });
          return data;
        });
    }
    if (opts.zones !== false) {
      zonesLayer.addTo(map);
      checkpoints.addTo(map);
      loadZones();
    }

    return { map: map, renderer: renderer, reload: load, zones: zonesLayer, loadZones: loadZones };
  }

  /* A numbered round marker (stops on a sheet and on the board). */
  function numberIcon(n, cls) {
    return L.divIcon({ className: 'stop-pin ' + (cls || ''), html: '<span>' + n + '</span>',
      iconSize: [28, 28], iconAnchor: [14, 14] });
  }

  /* Shows the middle of the extract ("[minLon,minLat,maxLon,maxLat]"), or the world's when
     there is none. */
  function fitExtract(map, boundsJson) {
    var b = null;
    try { b = JSON.parse(boundsJson || 'null'); } catch (e) { b = null; }
    if (b && b.length === 4) {
      var c = [(b[1] + b[3]) / 2, (b[0] + b[2]) / 2];
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
      if (map.getZoom() < 14) map.setView(c, 14);
    } else {
      map.setView([0, 0], 10);
    }
  }

  window.DoorstepMap = { create: create, numberIcon: numberIcon, fitExtract: fitExtract,
    ZONE_COLOUR: ZONE_COLOUR };
})();
