// Dashboard page: wires embark's bridge (embark-bridge.js) to the WisdomAI iframe.
// The bridge accepts token requests only from the iframe's window at the WisdomAI origin and
// answers to that origin only; the token comes from this app's endpoint, bound to the signed-in
// session (the page never sends an email or a user id). The fetch wrapper adds the session's CSRF
// token and sends the browser back to the login page once the session is gone.
(function () {
  'use strict';
  var frame = document.getElementById('wisdom-frame');
  if (!frame) return;  // onboarding failed: the page shows an error instead of the iframe
  var wisdomOrigin = document.querySelector('meta[name="wisdom-origin"]').content;
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var status = document.getElementById('token-status');

  function setStatus(text, state) {
    status.textContent = 'Session token: ' + text;
    status.dataset.state = state;
  }

  function sessionFetch(url, init) {
    var options = Object.assign({}, init);
    options.headers = Object.assign({}, init && init.headers, { 'X-CSRF-Token': csrfToken });
    return window.fetch(url, options).then(function (response) {
      if (response.status === 401) window.location.assign('/login');  // signed out (maybe in another tab)
      return response;
    });
  }

  window.EmbarkBridge.attach({
    iframe: frame,
    wisdomOrigin: wisdomOrigin,
    refreshUrl: '/api/wisdom/token',
    fetch: sessionFetch,
    onToken: function () { setStatus('refreshed at ' + new Date().toLocaleTimeString(), 'refreshed'); },
    onError: function () { setStatus('refresh failed; the dashboard will ask again', 'failed'); },
  });
})();
