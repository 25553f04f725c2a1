/*
 * Tablesync booking widget embed (CONTRACT §10). Paste on a venue's page:
 *   <script src="https://YOUR-TABLESYNC-HOST/widget.js" data-venue="your-venue-slug" async></script>
 * It puts the widget (/widget/<slug>) in an iframe right where the script tag is, and keeps the iframe as
 * tall as its content (the widget posts its height). Optional: data-target="#some-element" to mount
 * elsewhere, data-title for the iframe's accessible name.
 */
(function () {
  var script = document.currentScript;
  if (!script) return;
  var slug = script.getAttribute('data-venue');
  if (!slug) {
    if (window.console) console.warn('Tablesync widget: add data-venue="<venue slug>" to the script tag.');
    return;
  }
  var origin = new URL(script.src, location.href).origin;
  var frame = document.createElement('iframe');
  frame.src = origin + '/widget/' + encodeURIComponent(slug);
  frame.title = script.getAttribute('data-title') || 'Book a table';
  frame.setAttribute('loading', 'lazy');
  frame.setAttribute('allow', 'clipboard-write');
  frame.style.cssText = 'display:block;width:100%;max-width:600px;border:0;height:560px;overflow:hidden;color-scheme:light';
  var target = script.getAttribute('data-target');
  var host = target ? document.querySelector(target) : null;
  if (host) host.appendChild(frame);
  else script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener('message', function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (data && data.type === 'tablesync:widget-height' && typeof data.height === 'number' && data.height > 0) {
      frame.style.height = Math.min(Math.ceil(data.height), 10000) + 'px';
    }
  });
})();
