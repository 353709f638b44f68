// The search page: Pagefind's UI over the index the build wrote to pagefind/ (all local files).
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root || typeof PagefindUI === "undefined") return;
  // The explanation for browsers without JavaScript (or without the search bundle) gives way.
  var fallback = root.querySelector(".search-fallback");
  if (fallback) fallback.remove();
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
})();
