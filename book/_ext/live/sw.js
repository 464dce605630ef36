/* The live calculators' service worker: keeps the Python runtime for the reader's next page and visit.
 * Written to the book's root as cmv-sw.js by book/_ext/live_calculators.py (scope: the whole book, also
 * under a sub-path), which fills BUILD below: {cache: "cmv-live-<hash>", files: [paths from the root]}, the
 * immutable files of the live layer (the versioned Pyodide runtime folder, the content-hashed standard
 * library and cmvlib zips). Registered by the page's embedder (page.js).
 *
 * - Those files, and only those, are answered from the cache first (fetched and stored on a miss; also
 *   stored at install, from the HTTP cache when the page has just loaded them).
 * - Every other request (pages, scripts, styles, images) is not touched: it goes to the network and the
 *   browser's HTTP cache as if there were no service worker. A page is never answered from this cache:
 *   a stale page could teach a stale dose.
 * - Caches of older builds (other cmv-live-* names) are deleted when this version activates.
 */
'use strict';

const BUILD = {};

const PREFIX = 'cmv-live-';
const FILES = new Set(BUILD.files.map((f) => new URL(f, self.registration.scope).href));

async function store(cache, url, init) {
  const response = await fetch(url, init);
  if (response.ok) await cache.put(url, response.clone());
  return response;
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(BUILD.cache);
    await Promise.all([...FILES].map(async (url) => {
      if (!(await cache.match(url))) await store(cache, url, { cache: 'force-cache' }).catch(() => null);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== BUILD.cache).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  if (request.method !== 'GET' || !FILES.has(url.href)) return;     // not ours: the network, untouched
  event.respondWith((async () => {
    const cache = await caches.open(BUILD.cache);
    return (await cache.match(url.href)) || store(cache, url.href);
  })());
});
