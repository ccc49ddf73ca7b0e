// embark-bridge.js — host-page side of the WisdomAI embedded-session token refresh.
//
// The WisdomAI iframe posts {type: 'REQUEST_JWT_TOKEN'} to its parent about 10 s before its
// session token expires. This bridge answers with a fresh token fetched from YOUR backend's
// refresh endpoint (which calls embark's Onboarder::refresh for the user of the app's own
// session — never for an identity the browser names). It
//   * accepts requests only when event.origin is the configured WisdomAI origin AND
//     event.source is the iframe's contentWindow,
//   * fetches the endpoint same-origin with credentials (the app's session cookie),
//   * answers {type: 'JWT_TOKEN_RESPONSE', token} with the explicit WisdomAI target origin
//     (never '*'),
//   * keeps at most one request in flight (duplicates while one runs are ignored).
//
// Usage:
//   <script src="/static/embark-bridge.js"></script>
//   <script>
//     const bridge = EmbarkBridge.attach({
//       iframe: document.getElementById('wisdom'),
//       wisdomOrigin: 'https://acme.wisdom.ai',
//       refreshUrl: '/embark/token',
//     });
//     // bridge.detach() removes the listener.
//   </script>
//
// The endpoint answers 200 with JSON {"token": "<jwt>", "expiresAt": "<RFC 3339>"}
// (embark::refresh_response_body). Any other answer is reported through onError and no message
// is sent; the iframe asks again on its own schedule.
(function (root, factory) {
  'use strict';
  const api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.EmbarkBridge = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  const REQUEST = 'REQUEST_JWT_TOKEN';
  const RESPONSE = 'JWT_TOKEN_RESPONSE';

  function normalizeOrigin(origin) {
    // new URL(...).origin drops paths and default ports, so 'https://a.wisdom.ai/' matches.
    const parsed = new URL(origin);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new TypeError('wisdomOrigin must be an http(s) origin');
    }
    return parsed.origin;
  }

  function attach(options) {
    const opts = options || {};
    const iframe = opts.iframe;
    if (!iframe || !('contentWindow' in iframe)) throw new TypeError('iframe element required');
    if (!opts.wisdomOrigin) throw new TypeError('wisdomOrigin required');
    if (!opts.refreshUrl) throw new TypeError('refreshUrl required');
    const wisdomOrigin = normalizeOrigin(opts.wisdomOrigin);
    const win = opts.window || window;
    const fetchFn = opts.fetch || win.fetch.bind(win);
    const onError = typeof opts.onError === 'function' ? opts.onError : function () {};
    const onToken = typeof opts.onToken === 'function' ? opts.onToken : function () {};
    const timeoutMs = typeof opts.timeoutMs === 'number' ? opts.timeoutMs : 9000;
    let inFlight = false;

    async function fetchToken() {
      const controller = typeof AbortController === 'function' ? new AbortController() : null;
      const timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs) : null;
      try {
        const response = await fetchFn(opts.refreshUrl, {
          method: 'POST',
          credentials: 'same-origin',
          cache: 'no-store',
          headers: { 'Accept': 'application/json', 'X-Requested-With': 'embark-bridge' },
          signal: controller ? controller.signal : undefined,
        });
        if (!response.ok) throw new Error('refresh endpoint answered HTTP ' + response.status);
        const body = await response.json();
        if (!body || typeof body.token !== 'string' || body.token.length === 0) {
          throw new Error('refresh endpoint answered without a token');
        }
        return body;
      } finally {
        if (timer) clearTimeout(timer);
      }
    }

    async function onMessage(event) {
      if (event.origin !== wisdomOrigin) return;
      if (event.source !== iframe.contentWindow) return;
      if (!event.data || event.data.type !== REQUEST) return;
      if (inFlight) return;
      inFlight = true;
      try {
        const body = await fetchToken();
        // The iframe may have navigated away meanwhile; postMessage to the pinned origin only.
        const target = iframe.contentWindow;
        if (target) {
          target.postMessage({ type: RESPONSE, token: body.token }, wisdomOrigin);
          onToken({ expiresAt: body.expiresAt });
        }
      } catch (err) {
        onError(err);
      } finally {
        inFlight = false;
      }
    }

    win.addEventListener('message', onMessage);
    return {
      detach: function () { win.removeEventListener('message', onMessage); },
      get inFlight() { return inFlight; },
    };
  }

  return { attach: attach, REQUEST: REQUEST, RESPONSE: RESPONSE };
});
