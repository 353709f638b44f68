#!/usr/bin/env node
// Verify menteo's OB 3.0 credentials with the Digital Credentials Consortium's
// @digitalcredentials/verifier-core (the engine behind DCC's VerifierPlus and Learner
// Credential Wallet), offline.
//
//   node verify-dcc.mjs --site DIR --base URL [--contexts DIR] [--schemas DIR] [FILE...]
//
// verifier-core builds its own document loader (its bundled contexts, then HTTP) and fetches
// did:web documents, status lists and the OB 3.0 JSON Schema with the global `fetch`; none of
// it can be injected, so `fetch` is replaced here by one that answers from the built site, the
// JSON-LD contexts menteo bundles and the schema copy in schemas/, and refuses everything else.
// Without FILEs: every ob3/credentials/*.json. Prints a JSON array, one report per file:
// {file, checks: {valid_signature, revocation_status, expiration, registered_issuer}, schema,
//  errors, fetched}; `revocation_status` false means revoked, null that the check failed (its
//  reason is in `errors`).
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs, readJson} from './lib/loader.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCHEMA_URL =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

const options = parseArgs(process.argv.slice(2), {
  contexts: path.resolve(HERE, '../../generator/menteo/credentials/contexts'),
  schemas: path.join(HERE, 'schemas')
});
const siteRoot = path.resolve(options.site);

const served = new Map([[SCHEMA_URL, path.join(options.schemas, 'ob_v3p0_achievementcredential.json')]]);
for(const entry of readJson(path.join(options.contexts, 'index.json')).entries) {
  if(entry.primary) {
    for(const url of [entry.url, ...(entry.alias_urls || [])]) {
      served.set(url, path.join(options.contexts, entry.file));
    }
  }
}

const fetched = [];
globalThis.fetch = async input => {
  const url = typeof input === 'string' ? input : (input.url ?? String(input));
  fetched.push(url);
  let file = served.get(url);
  if(!file && url.startsWith(options.base)) {
    file = path.resolve(siteRoot, decodeURIComponent(url.slice(options.base.length)));
    if(!file.startsWith(siteRoot + path.sep)) {
      file = null;
    }
  }
  if(!file) {
    throw new TypeError(`offline: refusing to fetch ${url}`);
  }
  if(!fs.existsSync(file)) {
    return new Response('{"error": "not found"}', {status: 404});
  }
  return new Response(fs.readFileSync(file), {
    status: 200, headers: {'content-type': 'application/json'}
  });
};
// Imported only now: its document loader captures nothing, but keep the order obvious.
const {verifyCredential} = await import('@digitalcredentials/verifier-core');

const message = value => (value?.message ?? String(value));

async function verifyFile(file) {
  const start = fetched.length;
  const report = {file, checks: {}, schema: null, errors: [], fetched: []};
  try {
    const result = await verifyCredential({credential: readJson(file), knownDIDRegistries: []});
    for(const step of result.log || []) {
      report.checks[step.id] = step.valid ?? null;
      if(step.error) {
        report.errors.push(`${step.id}: ${step.error.name}: ${message(step.error.message)}`);
      }
    }
    report.errors.push(...(result.errors || []).map(e => `${e.name}: ${message(e.message)}`));
    const schema = (result.additionalInformation || []).find(i => i.id === 'schema_check');
    const results = schema?.results;
    report.schema = Array.isArray(results) ?
      results.map(r => ({valid: r.result?.valid ?? null, errors: r.result?.errors ?? null})) :
      results ?? null;
  } catch(error) {
    report.errors.push(message(error));
  }
  report.fetched = [...new Set(fetched.slice(start))].sort();
  return report;
}

const files = options.files.length ? options.files :
  fs.readdirSync(path.join(siteRoot, 'ob3/credentials')).filter(n => n.endsWith('.json')).sort()
    .map(n => path.join(siteRoot, 'ob3/credentials', n));
const reports = [];
const log = console.log;
console.log = (...args) => process.stderr.write(args.map(String).join(' ') + '\n');
for(const file of files) {
  reports.push(await verifyFile(file));
}
console.log = log;
process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
