#!/usr/bin/env node
// A second, independent check of menteo's OB 3.0 Data Integrity proofs, done step by step as
// vc-di-eddsa 1.0 describes eddsa-rdfc-2022 verification, with none of the Digital Bazaar
// Data Integrity code verify-di.mjs uses:
//
//   keys   did:web resolved by Decentralized Identity's `did-resolver` + `web-did-resolver`,
//          its HTTP fetch answered from the built site (nothing leaves the machine);
//   RDF    JSON-LD to RDF with jsonld.js (safe mode, closed loader), then RDFC-1.0 by
//          `rdf-canonize` called directly;
//   crypto SHA-256 (node:crypto) of the canonical proof configuration, then of the document,
//          verified with `@noble/ed25519` against the Multikey from the DID document.
//
//   node verify-rdfc.mjs --site DIR --base URL [--contexts DIR] [FILE...]
//       every ob3/credentials/*.json and ob3/status/*.json without FILEs; prints a JSON array
//       of {file, verified, revoked, error, verificationMethod, fetched}
//   node verify-rdfc.mjs --site DIR --base URL --resolve yes
//       resolves the site's did:web DID and every verification method the site's files name
//       (Data Integrity proofs, the ledger checkpoint, VC-JWT `kid`s that are DID URLs);
//       prints {did, error, methods, referenced: [{id, file, found, assertionMethod}]}
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';
import jsonld from 'jsonld';
import * as canonize from 'rdf-canonize';
import * as ed from '@noble/ed25519';
import {createLoader, didWebFor, errorMessages, parseArgs, readJson} from './lib/loader.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MIN_BITS = 131072;

const options = parseArgs(process.argv.slice(2), {
  contexts: path.resolve(HERE, '../../generator/menteo/credentials/contexts')
});
const siteRoot = path.resolve(options.site);
const {documentLoader} = createLoader({
  site: options.site, base: options.base, contextsDir: options.contexts
});

// web-did-resolver fetches with cross-fetch; answer from the site instead of the network by
// putting a stub in the CommonJS cache before the resolver is loaded.
const fetched = [];
function siteFetch(url) {
  fetched.push(url);
  const reply = (status, body) => Promise.resolve({
    status, statusText: status === 200 ? 'OK' : 'Not Found', json: async () => JSON.parse(body)
  });
  if(!url.startsWith(options.base)) {
    return Promise.reject(new Error(`offline: refusing to fetch ${url}`));
  }
  const file = path.resolve(siteRoot, decodeURIComponent(url.slice(options.base.length)));
  if(!file.startsWith(siteRoot + path.sep) || !fs.existsSync(file)) {
    return reply(404, 'null');
  }
  return reply(200, fs.readFileSync(file, 'utf8'));
}
siteFetch.default = siteFetch;
const require = createRequire(path.join(HERE, 'node_modules/web-did-resolver/package.json'));
const crossFetch = require.resolve('cross-fetch');
require.cache[crossFetch] = {id: crossFetch, filename: crossFetch, loaded: true, exports: siteFetch};
const {Resolver} = await import('did-resolver');
const {getResolver} = await import('web-did-resolver');
const resolver = new Resolver(getResolver(), {cache: true});

const asArray = value => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const idOf = value => (typeof value === 'string' ? value : value?.id);

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58btc(text) {
  let value = 0n;
  for(const char of text) {
    const digit = B58.indexOf(char);
    if(digit < 0) {
      throw new Error(`not base58btc: ${char}`);
    }
    value = value * 58n + BigInt(digit);
  }
  const bytes = [];
  for(; value > 0n; value >>= 8n) {
    bytes.unshift(Number(value & 0xffn));
  }
  const zeros = text.match(/^1*/)[0].length;
  return Uint8Array.from([...new Array(zeros).fill(0), ...bytes]);
}

function ed25519Multikey(multibase) {
  if(typeof multibase !== 'string' || !multibase.startsWith('z')) {
    throw new Error('publicKeyMultibase is not base58btc multibase');
  }
  const bytes = base58btc(multibase.slice(1));
  if(bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new Error('publicKeyMultibase is not an Ed25519 public key');
  }
  return bytes.slice(2);
}

// The verification method `id` names, from its DID document as did-resolver returns it.
async function resolveMethod(id) {
  const did = id.split('#')[0];
  const result = await resolver.resolve(did);
  if(result.didResolutionMetadata.error) {
    throw new Error(`${did}: ${result.didResolutionMetadata.message}`);
  }
  const document = result.didDocument;
  const absolute = ref => (typeof ref === 'string' && ref.startsWith('#') ? did + ref : ref);
  const method = asArray(document.verificationMethod).find(m => absolute(m.id) === id);
  if(!method) {
    throw new Error(`${id} is not a verificationMethod of ${did}`);
  }
  const assertion = asArray(document.assertionMethod).map(m => absolute(idOf(m))).includes(id);
  return {did, document, method, assertion};
}

async function canonicalHash(document) {
  const dataset = await jsonld.toRDF(document, {documentLoader, safe: true});
  const nquads = await canonize.canonize(dataset, {algorithm: 'RDFC-1.0'});
  return crypto.createHash('sha256').update(nquads, 'utf8').digest();
}

// vc-di-eddsa 1.0, eddsa-rdfc-2022: verify the proof of `document`, return the key's id.
async function verifyProof(document) {
  const proofs = asArray(document.proof);
  if(proofs.length !== 1) {
    throw new Error(`expected one proof, found ${proofs.length}`);
  }
  const {proofValue, ...config} = proofs[0];
  if(config.type !== 'DataIntegrityProof' || config.cryptosuite !== 'eddsa-rdfc-2022') {
    throw new Error(`unsupported proof ${config.type}/${config.cryptosuite}`);
  }
  if(config.proofPurpose !== 'assertionMethod') {
    throw new Error(`proofPurpose is ${config.proofPurpose}`);
  }
  if(typeof proofValue !== 'string' || !proofValue.startsWith('z')) {
    throw new Error('proofValue is not base58btc multibase');
  }
  const {did, method, assertion} = await resolveMethod(config.verificationMethod);
  if(!assertion) {
    throw new Error(`${config.verificationMethod} is not an assertionMethod of ${did}`);
  }
  if(method.controller !== did || idOf(document.issuer) !== did) {
    throw new Error(`issuer ${idOf(document.issuer)} does not control ` +
      config.verificationMethod);
  }
  const {proof: _, ...unsecured} = document;
  const proofHash = await canonicalHash({...config, '@context': document['@context']});
  const documentHash = await canonicalHash(unsecured);
  const signature = base58btc(proofValue.slice(1));
  const key = ed25519Multikey(method.publicKeyMultibase);
  if(!await ed.verify(signature, Buffer.concat([proofHash, documentHash]), key)) {
    throw new Error('the Ed25519 signature does not verify');
  }
  return config.verificationMethod;
}

async function revoked(credential) {
  const entries = asArray(credential.credentialStatus);
  let status = entries.length ? false : null;
  for(const entry of entries) {
    if(entry.type !== 'BitstringStatusListEntry' || entry.statusPurpose !== 'revocation') {
      throw new Error(`unsupported credentialStatus ${entry.type}/${entry.statusPurpose}`);
    }
    const {document: list} = await documentLoader(entry.statusListCredential);
    try {
      await verifyProof(list);
    } catch(error) {
      throw new Error(`status list ${entry.statusListCredential}: ${error.message}`);
    }
    if(idOf(list.issuer) !== idOf(credential.issuer)) {
      throw new Error('the status list has another issuer');
    }
    const subject = list.credentialSubject;
    if(subject?.statusPurpose !== 'revocation' || !subject.encodedList?.startsWith('u')) {
      throw new Error('the status list is not a base64url revocation list');
    }
    const bits = zlib.gunzipSync(Buffer.from(subject.encodedList.slice(1), 'base64url'));
    const index = Number(entry.statusListIndex);
    if(bits.length * 8 < MIN_BITS || !(index < bits.length * 8)) {
      throw new Error('the status list is too short');
    }
    // Bitstring Status List: index 0 is the most significant bit of the first byte.
    status ||= Boolean((bits[index >> 3] >> (7 - (index & 7))) & 1);
  }
  return status;
}

function siteFiles(...dirs) {
  return dirs.flatMap(dir => {
    const full = path.join(siteRoot, dir);
    return fs.existsSync(full) ? fs.readdirSync(full).sort().map(n => path.join(full, n)) : [];
  });
}

async function verifyFile(file) {
  const report = {file, verified: false, revoked: null, error: null, verificationMethod: null};
  const start = fetched.length;
  try {
    const document = readJson(file);
    report.verificationMethod = await verifyProof(document);
    report.revoked = await revoked(document);
    report.verified = true;
  } catch(error) {
    report.error = errorMessages(error).join(' | ') || String(error);
  }
  report.fetched = [...new Set(fetched.slice(start))];
  return report;
}

// Every verification method the site's files name, and where.
function referencedMethods() {
  const found = [];
  for(const file of siteFiles('ob3/credentials', 'ob3/status', 'ledger')) {
    const name = path.relative(siteRoot, file);
    if(file.endsWith('.json')) {
      const document = readJson(file);
      for(const proof of asArray(document.proof)) {
        found.push({id: proof.verificationMethod, file: name});
      }
      if(typeof document.verificationMethod === 'string') { // the ledger checkpoint
        found.push({id: document.verificationMethod, file: name});
      }
    } else if(file.endsWith('.jwt')) {
      const [header] = fs.readFileSync(file, 'utf8').trim().split('.');
      const {kid} = JSON.parse(Buffer.from(header, 'base64url'));
      if(typeof kid === 'string' && kid.startsWith('did:')) {
        found.push({id: kid, file: name});
      }
    }
  }
  return found;
}

async function resolveAll() {
  const did = didWebFor(options.base);
  const result = await resolver.resolve(did);
  const report = {
    did,
    error: result.didResolutionMetadata.error ? result.didResolutionMetadata.message : null,
    methods: asArray(result.didDocument?.verificationMethod).map(m => m.id),
    referenced: []
  };
  for(const {id, file} of referencedMethods()) {
    const entry = {id, file, found: false, assertionMethod: false, error: null};
    try {
      const {assertion} = await resolveMethod(id);
      entry.found = true;
      entry.assertionMethod = assertion;
    } catch(error) {
      entry.error = error.message;
    }
    report.referenced.push(entry);
  }
  report.fetched = [...new Set(fetched)];
  return report;
}

if(options.resolve) {
  process.stdout.write(JSON.stringify(await resolveAll(), null, 2) + '\n');
} else {
  const files = options.files.length ?
    options.files : siteFiles('ob3/credentials', 'ob3/status').filter(f => f.endsWith('.json'));
  const reports = [];
  for(const file of files) {
    reports.push(await verifyFile(file));
  }
  process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
}
