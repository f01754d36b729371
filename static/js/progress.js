// Live figures on /admin/alerts/:id/progress (no inline script: the CSP allows only 'self').
// The server answers one event per request with `retry: 1000`, so EventSource reconnects
// every second. When the run starts or ends the page reloads once, to show the final figures
// and the list of addresses that bounced. Without JavaScript a <noscript> refresh does the job.
(function () {
  'use strict';
  var box = document.getElementById('progress');
  if (!box || !window.EventSource || box.hasAttribute('data-done')) return;
  var started = box.hasAttribute('data-started');
  var fields = ['total', 'sent', 'pending', 'deferred', 'bounced', 'failed', 'skipped', 'percent', 'state_label'];
  var source = new EventSource(box.getAttribute('data-events'));
  source.addEventListener('progress', function (event) {
    var d;
    try {
      d = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    fields.forEach(function (name) {
      var el = box.querySelector('[data-field="' + name + '"]');
      if (el && d[name] !== undefined) el.textContent = String(d[name]);
    });
    var bar = box.querySelector('progress');
    if (bar) {
      bar.max = Math.max(1, d.total || 0);
      bar.value = d.finished || 0;
      bar.textContent = d.percent + '%';
    }
    if (d.done || (d.started && !started)) {
      source.close();
      window.location.reload();
    }
  });
})();
