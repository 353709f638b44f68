// Progressive enhancement for the mentor directory: every mentor is listed without JavaScript
// (and "Find my match by skill" links to ranked pages); this reveals the "Find my match" form.
// Skill, language, community and time zone rank the mentors who fit, best first, with the
// reasons; availability filters. The choices stay in the URL query (?skill=…) so a view can be
// shared, and nothing is sent anywhere: the data is the page's own.
//
// The fit rule is menteo.program.matching's, point for point (tests/test_browser.py checks that both
// rank the demo's mentors the same): 3 points per shared skill, 2 for a shared language, 2 for
// time zones at most 2 hours apart (1 at most 5), 1 for a shared community.
(function () {
  var form = document.getElementById("directory-filters");
  if (!form) {
    return;
  }
  var list = document.querySelector(".directory");
  var cards = Array.prototype.slice.call(list.querySelectorAll(".person-card"));
  var count = document.getElementById("filter-count");
  var empty = document.getElementById("filter-empty");
  var reset = document.getElementById("filter-reset");
  var words = JSON.parse(form.dataset.words || "{}");
  var names = ["skill", "community", "language", "timezone", "availability"];

  function labels(select) {
    var found = {};
    Array.prototype.forEach.call(select.options, function (o) {
      found[o.value] = o.textContent;
    });
    return found;
  }
  var languageNames = labels(form.elements.language);
  var communityNames = labels(form.elements.community);

  function values(card, attribute) {
    var text = card.dataset[attribute] || "";
    return text ? text.split(" ") : [];
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  function hoursText(minutes) {
    var tenths = Math.floor((minutes * 10 + 30) / 60);
    return String(Math.floor(tenths / 10)) + (tenths % 10 === 0 ? "" : "." + (tenths % 10));
  }

  function fit(card, wish) {
    var score = 0;
    var reasons = [];
    var skills = values(card, "skills");
    var shared = wish.skills.filter(function (s) { return skills.indexOf(s) !== -1; });
    if (shared.length) {
      score += 3 * shared.length;
      var joined = shared.length === 1 ? shared[0] : fill(words.and, {
        first: shared.slice(0, -1).join(", "),
        last: shared[shared.length - 1],
      });
      reasons.push(fill(words.skills, { skills: joined }));
    }
    var languages = values(card, "languages");
    var spoken = wish.languages.filter(function (l) { return languages.indexOf(l) !== -1; });
    if (spoken.length) {
      score += 2;
      reasons.push(fill(words.language, { language: languageNames[spoken[0]] || spoken[0] }));
    }
    var offset = card.dataset.offset;
    if (wish.offset !== null && offset !== "" && offset !== undefined) {
      var gap = Math.abs(wish.offset - Number(offset)) % 1440;
      var apart = Math.min(gap, 1440 - gap);
      if (apart <= 120) {
        score += 2;
        reasons.push(fill(words["timezone-near"], { hours: 2 }));
      } else if (apart <= 300) {
        score += 1;
        reasons.push(fill(words["timezone-far"], { hours: hoursText(apart) }));
      }
    }
    var communities = values(card, "communities");
    var together = wish.communities.filter(function (c) { return communities.indexOf(c) !== -1; });
    if (together.length) {
      score += 1;
      reasons.push(fill(words.community, { community: communityNames[together[0]] || together[0] }));
    }
    var capacity = card.dataset.capacity;
    if (score && capacity !== "" && capacity !== undefined) {
      reasons.push(fill(capacity === "1" ? words.place : words.places, {
        free: card.dataset.free,
        capacity: capacity,
      }));
    }
    return { score: score, reasons: reasons };
  }

  function chosen(name) {
    var value = form.elements[name].value;
    return value ? [value] : [];
  }

  function apply(updateUrl) {
    var wish = {
      skills: chosen("skill"),
      languages: chosen("language"),
      communities: chosen("community"),
      offset: form.elements.timezone.value === "" ? null : Number(form.elements.timezone.value),
    };
    var seeking = wish.skills.length + wish.languages.length + wish.communities.length > 0 ||
      wish.offset !== null;
    var availability = form.elements.availability.value;
    var ranked = cards.map(function (card, index) {
      var found = seeking ? fit(card, wish) : { score: 0, reasons: [] };
      var visible = (!seeking || found.score > 0) &&
        (!availability || card.dataset.availability === availability);
      return { card: card, index: index, fit: found, visible: visible };
    });
    if (seeking) {
      ranked.sort(function (a, b) {
        if (a.visible !== b.visible) {
          return a.visible ? -1 : 1;
        }
        if (a.visible && a.fit.score !== b.fit.score) {
          return b.fit.score - a.fit.score;
        }
        var x = a.visible ? a.card.dataset.slug : a.index;
        var y = a.visible ? b.card.dataset.slug : b.index;
        return x < y ? -1 : x > y ? 1 : 0;
      });
    }
    var shown = 0;
    ranked.forEach(function (item) {
      list.appendChild(item.card);
      item.card.hidden = !item.visible;
      var why = item.card.querySelector(".match-reasons");
      why.hidden = !(seeking && item.visible);
      why.textContent = why.hidden ? "" : fill(words.fit, {
        score: item.fit.score,
        reasons: item.fit.reasons.join("; "),
      });
      if (item.visible) {
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
