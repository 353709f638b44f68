// Lighthouse on a list of pages, one after another, in one Chrome that is already running
// (tests/test_browser_pages.py starts Debian's Chromium with a DevTools port and passes it here).
//
//   node lighthouse.mjs PORT desktop|mobile URL...
//
// Lighthouse is loaded from MENTEO_LIGHTHOUSE_MODULES (a node_modules folder holding it) when
// set, else from tests/interop/node_modules (what `npm ci` here installs).
//
// Prints one JSON object: URL -> {"scores": {category: 0-100}, "failing": [audit, ...],
// "metrics": {...}, "shifts": [selector, ...], "largest": [selector]}, where "failing" names
// every scored audit below 1 with its displayed value, so a test failure says what to fix
// without rerunning Lighthouse by hand.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.MENTEO_LIGHTHOUSE_MODULES || path.join(here, "node_modules");
const load = (file) => import(pathToFileURL(path.join(modules, "lighthouse", file)).href);
const { default: lighthouse } = await load("core/index.js");
const { default: desktopConfig } = await load("core/config/desktop-config.js");

const [port, preset, ...urls] = process.argv.slice(2);
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const METRICS = [
  "first-contentful-paint",
  "largest-contentful-paint",
  "total-blocking-time",
  "speed-index",
];
const config = preset === "desktop" ? desktopConfig : undefined;

const report = {};
for (const url of urls) {
  const result = await lighthouse(
    url,
    { port: Number(port), output: "json", logLevel: "error", onlyCategories: CATEGORIES },
    config,
  );
  const lhr = result.lhr;
  if (lhr.runtimeError) {
    report[url] = { error: `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` };
    continue;
  }
  const scores = {};
  const failing = [];
  for (const id of CATEGORIES) {
    const category = lhr.categories[id];
    scores[id] = category.score === null ? null : Math.round(category.score * 100);
    for (const ref of category.auditRefs) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
        failing.push(`${id}/${ref.id}: ${audit.score} ${audit.displayValue ?? ""}`.trim());
      }
    }
  }
  const metrics = {};
  for (const id of METRICS) {
    metrics[id] = Math.round(lhr.audits[id]?.numericValue ?? 0);
  }
  metrics["cumulative-layout-shift"] = lhr.audits["cumulative-layout-shift"]?.numericValue ?? 0;
  report[url] = {
    scores,
    failing,
    metrics,
    // What moved, and what the largest paint was: where to look when a metric slips.
    shifts: nodes(lhr.audits["layout-shifts"]),
    largest: nodes(lhr.audits["largest-contentful-paint-element"]),
  };
}

function nodes(audit) {
  const found = [];
  const visit = (value) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      if (value.type === "node" && value.selector) found.push(value.selector);
      else Object.values(value).forEach(visit);
    }
  };
  visit(audit?.details);
  return [...new Set(found)].slice(0, 5);
}
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
