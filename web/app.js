/* Start the rasa-webchat widget (web/vendor/rasa-webchat.js, global `WebChat`) inside the page's chat panel.
 *
 * The Rasa server's URL comes from /config.js (window.SHOPMATE_CONFIG.rasaUrl, written by scripts/serve_web.py),
 * so the page itself has no host or port in it. Messages and the session id are kept in localStorage
 * (params.storage "local"): reloading the page shows the same conversation, and the Rasa socket.io channel
 * (credentials.yml: session_persistence: true) keeps sending replies to that session.
 *
 * Text from customers and from the catalog is never interpreted as HTML: the widget renders messages with
 * react-markdown, whose HTML escaping is on, and the page's Content-Security-Policy forbids inline scripts,
 * javascript: URLs and images or connections to any other origin.
 */
(function () {
  "use strict";

  var status = document.getElementById("chat-status");

  function fail(message) {
    status.textContent = message;
    status.classList.add("chat-error");
  }

  var config = window.SHOPMATE_CONFIG || {};
  if (!config.rasaUrl) {
    fail("The chat is not configured (no /config.js): start the page with scripts/serve_web.py.");
    return;
  }
  if (!window.WebChat || typeof window.WebChat.default !== "function") {
    fail("The chat widget is missing (web/vendor/rasa-webchat.js): run scripts/build_web.sh.");
    return;
  }

  window.WebChat.default(
    {
      socketUrl: config.rasaUrl,
      socketPath: "/socket.io/",
      params: { storage: "local" },
      customData: { language: "en" },
      initPayload: "/greet",
      title: "ShopMate",
      subtitle: "Orders, returns and products",
      inputTextFieldHint: "Type a message…",
      connectingText: "Connecting to ShopMate…",
      embedded: true,
      hideWhenNotConnected: false,
      // Rules are a Botfront feature (fetched in session_confirm); the Rasa server sends none.
      withRules: false,
      showMessageDate: true,
      // The widget waits 30 ms per character (0.8–3 s) before showing each reply; keep it short.
      customMessageDelay: function () { return 400; }
    },
    document.getElementById("webchat")
  );
})();
