#!/usr/bin/env node
// Verify menteo's OB 3.0 Data Integrity credentials with Digital Bazaar's verifier stack
// (@digitalbazaar/vc verifyCredential + DataIntegrityProof + eddsa-rdfc-2022), offline.
//
//   node verify-di.mjs --site DIR --base URL [--contexts DIR] [--now ISO] [FILE...]
//
// Without FILEs: every ob3/credentials/*.json and ob3/status/*.json of the site. Prints a JSON
// array, one {file, verified, revoked, error, ...} per file. `verified` = proof, proof purpose,
// issuer/controller binding, validity dates and (for credentials with credentialStatus) a
// successful status-list check; `revoked` = the status bit (null when there is no status).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {fileURLToPath} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createLoader, errorMessages, parseArgs, readJson} from './lib/loader.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MIN_BITS = 131072; // Bitstring Status List: uncompressed list of at least 16 KB

const options = parseArgs(process.argv.slice(2), {
  contexts: path.resolve(HERE, '../../generator/menteo/credentials/contexts')
});
const {documentLoader, loaded} = createLoader({
  site: options.site, base: options.base, contextsDir: options.contexts
});
const contextUrls = new Set(
  readJson(path.join(options.contexts, 'index.json')).entries.flatMap(
    e => [e.url, ...(e.alias_urls || [])]));
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const now = options.now ? new Date(options.now) : undefined;

const idOf = value => (typeof value === 'string' ? value : value?.id);
const asArray = value => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function decodeEncodedList(encodedList) {
  if(typeof encodedList !== 'string' || !encodedList.startsWith('u')) {
    throw new Error('encodedList must be multibase base64url (prefix "u")');
  }
  const body = encodedList.slice(1);
  if(!/^[A-Za-z0-9_-]*$/.test(body)) {
    throw new Error('encodedList is not base64url without padding');
  }
  const compressed = Buffer.from(body, 'base64url');
  if(compressed[0] !== 0x1f || compressed[1] !== 0x8b) {
    throw new Error('encodedList is not GZIP (RFC 1952) data');
  }
  return zlib.gunzipSync(compressed);
}

const listCache = new Map();

async function loadStatusList(url) {
  if(!listCache.has(url)) {
    listCache.set(url, (async () => {
      const {document: list} = await documentLoader(url);
      const result = await vc.verifyCredential({
        credential: list, suite, documentLoader, now
      });
      if(!result.verified) {
        throw new Error(`status list ${url} does not verify: ` +
          errorMessages(result.error || result.results).join('; '));
      }
      if(!asArray(list.type).includes('BitstringStatusListCredential')) {
        throw new Error(`${url} is not a BitstringStatusListCredential`);
      }
      const subject = list.credentialSubject;
      if(!asArray(subject?.type).includes('BitstringStatusList')) {
        throw new Error(`${url} credentialSubject is not a BitstringStatusList`);
      }
      const bits = decodeEncodedList(subject.encodedList);
      if(bits.length * 8 < MIN_BITS) {
        throw new Error(`status list ${url} has ${bits.length * 8} bits, ` +
          `fewer than ${MIN_BITS}`);
      }
      return {list, bits};
    })());
  }
  return listCache.get(url);
}

// vc.verifyCredential calls this after the proof verified; same contract as
// @digitalbazaar/vc-bitstring-status-list: {verified: check succeeded, status: bit set}.
async function checkStatus({credential}) {
  try {
    const entries = asArray(credential.credentialStatus);
    let status = false;
    for(const entry of entries) {
      if(entry.type !== 'BitstringStatusListEntry') {
        throw new Error(`unsupported credentialStatus type ${entry.type}`);
      }
      const url = entry.statusListCredential;
      if(entry.id === url) {
        throw new Error('credentialStatus.id must not equal statusListCredential');
      }
      if(!/^(0|[1-9][0-9]*)$/.test(String(entry.statusListIndex)) ||
        typeof entry.statusListIndex !== 'string') {
        throw new Error(`statusListIndex must be a base-10 string: ${entry.statusListIndex}`);
      }
      if(entry.statusSize !== undefined && entry.statusSize !== 1) {
        throw new Error('only statusSize 1 is supported here');
      }
      const {list, bits} = await loadStatusList(url);
      if(idOf(list.issuer) !== idOf(credential.issuer)) {
        throw new Error(`status list issuer ${idOf(list.issuer)} is not the credential ` +
          `issuer ${idOf(credential.issuer)}`);
      }
      if(list.credentialSubject.statusPurpose !== entry.statusPurpose) {
        throw new Error(`status purpose mismatch: list ${list.credentialSubject.statusPurpose}` +
          `, entry ${entry.statusPurpose}`);
      }
      const index = Number(entry.statusListIndex);
      if(index >= bits.length * 8) {
        throw new Error(`statusListIndex ${index} is outside the list`);
      }
      // Index 0 is the most significant bit of the first byte.
      const bit = (bits[index >> 3] >> (7 - (index & 7))) & 1;
      if(bit && entry.statusPurpose === 'revocation') {
        status = true;
      }
    }
    return {verified: true, status};
  } catch(error) {
    return {verified: false, status: null, error};
  }
}

function defaultFiles(site) {
  const files = [];
  for(const dir of ['ob3/credentials', 'ob3/status']) {
    const full = path.join(site, dir);
    if(!fs.existsSync(full)) {
      continue;
    }
    for(const name of fs.readdirSync(full).sort()) {
      if(name.endsWith('.json')) {
        files.push(path.join(full, name));
      }
    }
  }
  return files;
}

async function verifyFile(file) {
  const report = {file, verified: false, revoked: null, error: null};
  const start = loaded.length;
  try {
    const credential = readJson(file);
    report.id = credential.id;
    report.type = credential.type;
    const result = await vc.verifyCredential({
      credential, suite, documentLoader, checkStatus, now
    });
    report.verified = result.verified === true;
    const messages = [];
    if(!result.verified) {
      messages.push(...errorMessages(result.error));
      for(const r of result.results || []) {
        messages.push(...errorMessages(r.error));
        messages.push(...errorMessages(r.purposeResult?.error));
      }
    }
    report.proofs = (result.results || []).map(r => ({
      verified: r.verified,
      verificationMethod: r.verificationMethod?.id ?? r.proof?.verificationMethod ?? null,
      purposeValid: r.purposeResult?.valid ?? null
    }));
    if(result.statusResult) {
      report.revoked = result.statusResult.status;
      if(!result.statusResult.verified) {
        messages.push(...errorMessages(result.statusResult.error));
      }
    }
    report.error = messages.length ? [...new Set(messages)].join(' | ') : null;
  } catch(error) {
    report.error = errorMessages(error).join(' | ') || String(error);
  }
  // Non-context documents the verifier dereferenced (DID, verification method, status list).
  report.dereferenced = [...new Set(loaded.slice(start))].filter(u => !contextUrls.has(u)).sort();
  return report;
}

const files = options.files.length ? options.files : defaultFiles(options.site);
const reports = [];
for(const file of files) {
  reports.push(await verifyFile(file));
}
process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
