// Progressive enhancement for the mentor directory: every mentor is listed without JavaScript;
// this works the filter form (shown from the first paint; mentors.html hides it without
// JavaScript), hides the cards that do not match, announces how many are shown
// and keeps the choices in the URL query (?skill=…) so a filtered view can be shared.
(function () {
  var form = document.getElementById("directory-filters");
  if (!form) {
    return;
  }
  var cards = Array.prototype.slice.call(document.querySelectorAll(".directory .person-card"));
  var count = document.getElementById("filter-count");
  var empty = document.getElementById("filter-empty");
  var reset = document.getElementById("filter-reset");
  // Filter name → the card attribute listing the values it matches.
  var fields = {
    skill: "skills",
    community: "communities",
    language: "languages",
    availability: "availability",
  };
  var names = Object.keys(fields);

  function matches(card, name, value) {
    if (!value) {
      return true;
    }
    var values = (card.dataset[fields[name]] || "").split(" ");
    return values.indexOf(value) !== -1;
  }

  function apply(updateUrl) {
    var shown = 0;
    cards.forEach(function (card) {
      var visible = names.every(function (name) {
        return matches(card, name, form.elements[name].value);
      });
      card.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    count.textContent = count.dataset.template
      .replace("{shown}", shown)
      .replace("{total}", cards.length);
    empty.hidden = shown !== 0;
    if (updateUrl) {
      var params = new URLSearchParams(window.location.search);
      names.forEach(function (name) {
        var value = form.elements[name].value;
        if (value) {
          params.set(name, value);
        } else {
          params.delete(name);
        }
      });
      var query = params.toString();
      var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
      window.history.replaceState(null, "", url);
    }
  }

  // Restore a shared view: only values the page offers are taken from the query.
  var params = new URLSearchParams(window.location.search);
  names.forEach(function (name) {
    var select = form.elements[name];
    var value = params.get(name);
    if (value && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
      select.value = value;
    }
  });

  form.addEventListener("change", function () {
    apply(true);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply(true);
  });
  reset.addEventListener("click", function () {
    names.forEach(function (name) {
      form.elements[name].value = "";
    });
    apply(true);
  });

  empty.hidden = true;
  apply(false);
})();
