// The search page: Pagefind's UI over the index the build wrote to pagefind/ (all local files).
// Pagefind's UI script is loaded here once the page has painted, so its 120 KB are not in the
// way of the first and largest paint; the search box takes the room style.css keeps for it, so
// nothing moves when it appears.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) return;
  // The explanation for browsers without JavaScript, shown here too if the bundle cannot load.
  function fallback() {
    var noscript = root.querySelector("noscript");
    if (noscript) root.insertAdjacentHTML("beforeend", noscript.textContent);
  }
  var loading = false;
  function load() {
    if (loading) return;
    loading = true;
    var script = document.createElement("script");
    script.src = root.dataset.bundle + "pagefind-ui.js";
    script.onload = start;
    script.onerror = fallback;
    document.head.appendChild(script);
  }
  // Once the page has painted (or after a second, in a browser that does not say when).
  if (performance.getEntriesByType("paint").length) {
    load();
  } else {
    if (window.PerformanceObserver) {
      new PerformanceObserver(load).observe({ type: "paint" });
    }
    setTimeout(load, 1000);
  }

  function start() {
    // A large site is indexed in several bundles (see menteo/site/search.py); the first lists the
    // others, and Pagefind merges their results.
    fetch(root.dataset.bundle + "shards.json")
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .catch(function () {
        return [];
      })
      .then(function (shards) {
        var ui = new PagefindUI({
          element: "#search",
          bundlePath: root.dataset.bundle,
          baseUrl: root.dataset.base,
          mergeIndex: shards.map(function (shard) {
            return { bundlePath: root.dataset.bundle + shard, baseUrl: root.dataset.base };
          }),
          showImages: false,
          openFilters: [root.dataset.kind], // the filter by kind of page (search.py's pages say theirs)
          // Sub-results are titled by their headings ("Goals", "Timeline"): only page titles.
          showSubResults: false,
          resetStyles: false,
          autofocus: false,
          translations: { placeholder: root.dataset.label },
        });
        // Pagefind's input has only a placeholder: give it a real, visible-to-AT label.
        var input = root.querySelector("input");
        if (input) {
          input.setAttribute("aria-label", root.dataset.label);
          input.setAttribute("type", "search");
        }
        // The header's search box (a plain GET form) arrives with its query in `?q=`.
        var query = new URLSearchParams(location.search).get("q");
        if (query) ui.triggerSearch(query);
      });
  }
})();
