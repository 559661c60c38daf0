/* The console's service worker: the shell (style, scripts) and the worker's own lists stay
   readable without a network. Lists are network-first: a copy is kept of each one opened online
   and shown, marked 离线数据 by the page, only when the network is gone. Nothing is sent from here:
   submissions go through the outbox (console.js), which also works where service workers do not. */
"use strict";
var SHELL = "console-shell-v1", PAGES = "console-pages-v1";
var SHELL_FILES = ["/static/css/console.css", "/static/js/console.js", "/static/vendor/htmx.min.js",
                   "/static/vendor/idb-keyval.js"];
var OFFLINE_PAGES = ["/todo", "/tasks", "/report", "/my-reports", "/outbox", "/me", "/points", "/messages",
                     "/patrol"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(SHELL_FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function keepCopy(cacheName, request, response) {
  if (response.ok && !response.redirected) {
    var copy = response.clone();
    caches.open(cacheName).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    // The copy at once, refreshed behind it: a new release shows on the next visit.
    event.respondWith(caches.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) { return keepCopy(SHELL, request, response); });
      return hit || fresh;
    }));
  } else if (url.pathname === "/messages/unread") {
    // The unread badge: without a network, no badge rather than an error.
    event.respondWith(fetch(request).catch(function () {
      return new Response("", { headers: { "Content-Type": "text/html; charset=utf-8" } });
    }));
  } else if (request.mode === "navigate" && OFFLINE_PAGES.indexOf(url.pathname) >= 0) {
    event.respondWith(fetch(request).then(function (response) { return keepCopy(PAGES, request, response); },
      function () {
        return caches.match(request, { cacheName: PAGES }).then(function (hit) { return hit || Response.error(); });
      }));
  }
});
