// Lighthouse on a list of pages, one after another, in one Chrome that is already running
// (tests/test_browser_pages.py starts Debian's Chromium with a DevTools port and passes it here).
//
//   node lighthouse.mjs PORT CPU_SLOWDOWN URL...
//
// Lighthouse's default (mobile) settings: a phone's screen and simulated slow 4G (150 ms round
// trip, 1.6 Mbit/s), with the CPU slowdown given (Lighthouse's default is 4; 1 judges the pages'
// own work rather than how busy the machine running the test is).
//
// Lighthouse is loaded from MENTEO_LIGHTHOUSE_MODULES (a node_modules folder holding it) when
// set, else from tests/interop/node_modules (what `npm ci` here installs).
//
// Prints one JSON object: URL -> {"scores": {category: 0-100}, "failing": [audit, ...],
// "metrics": {metric: value}}, where "failing" names every scored audit below 1 with its
// displayed value, so a test failure says what to fix without rerunning Lighthouse by hand.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.MENTEO_LIGHTHOUSE_MODULES || path.join(here, "node_modules");
const load = (file) => import(pathToFileURL(path.join(modules, "lighthouse", file)).href);
const { default: lighthouse } = await load("core/index.js");
const { throttling } = await load("core/config/constants.js");

const [port, slowdown, ...urls] = process.argv.slice(2);
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const METRICS = [
  "first-contentful-paint",
  "largest-contentful-paint",
  "total-blocking-time",
  "speed-index",
];
const config = {
  extends: "lighthouse:default",
  settings: {
    throttling: { ...throttling.mobileSlow4G, cpuSlowdownMultiplier: Number(slowdown) },
  },
};

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
  report[url] = { scores, failing, metrics };
}
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
