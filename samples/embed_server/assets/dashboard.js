// Dashboard page: answers the WisdomAI iframe's token requests (postMessage refresh protocol).
// The token comes from this app's own endpoint, bound to the signed-in session; the page never
// sends an email or user id. Messages are accepted only from the iframe's window at the WisdomAI
// origin, and answers go to that origin only.
(function () {
  'use strict';
  var frame = document.getElementById('wisdom-frame');
  if (!frame) return;  // onboarding failed: no iframe on the page
  var wisdomOrigin = document.querySelector('meta[name="wisdom-origin"]').content;
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var status = document.getElementById('token-status');
  var inFlight = false;

  function setStatus(text, state) {
    if (!status) return;
    status.textContent = 'Session token: ' + text;
    status.dataset.state = state;
  }

  function fetchToken() {
    return fetch('/api/wisdom/token', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrfToken },
    }).then(function (response) {
      if (response.status === 401) {
        // Signed out (here or in another tab): back to the login page.
        window.location.assign('/login');
        return null;
      }
      if (!response.ok) throw new Error('token endpoint answered ' + response.status);
      return response.json();
    });
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== wisdomOrigin || event.source !== frame.contentWindow) return;
    if (!event.data || event.data.type !== 'REQUEST_JWT_TOKEN') return;
    if (inFlight) return;  // the iframe asks again later if this one does not arrive
    inFlight = true;
    setStatus('refreshing', 'refreshing');
    fetchToken().then(function (body) {
      if (!body || typeof body.token !== 'string') return;
      frame.contentWindow.postMessage({ type: 'JWT_TOKEN_RESPONSE', token: body.token }, wisdomOrigin);
      setStatus('refreshed ' + new Date().toLocaleTimeString(), 'refreshed');
    }).catch(function () {
      setStatus('refresh failed, will retry', 'failed');
    }).then(function () {
      inFlight = false;
    });
  });
})();
