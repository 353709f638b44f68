#!/usr/bin/env node
// Verify menteo's OB 3.0 VC-JWTs with `jose`, offline, and check the OB 3.0 JWT rules.
//
//   node verify-jwt.mjs --site DIR --base URL [--now ISO] [FILE...]
//
// Without FILEs: every ob3/credentials/*.jwt of the site. Prints a JSON array, one
// {file, verified, error, problems, revoked, ...} per file. `verified` = RS256 signature valid
// with the public JWK that the header `kid` (a DID URL of the issuer) dereferences to in the
// issuer's did:web document (a `JsonWebKey` listed under `assertionMethod`), AND no rule
// problems, AND a verified status list. `revoked` is read from the credential's
// `statusListCredential`, itself a VC-JWT verified the same way (Bitstring Status List: GZIP,
// multibase base64url `u`, index 0 = the most significant bit of the first byte).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import * as jose from 'jose';
import {didWebDocumentUrl, parseArgs, readJson} from './lib/loader.mjs';

const options = parseArgs(process.argv.slice(2), {});
const base = options.base;
const siteRoot = path.resolve(options.site);
const currentDate = options.now ? new Date(options.now) : undefined;
const HEADER_PARAMS = new Set(['alg', 'kid', 'typ']);
const JWT_CLAIMS = ['iss', 'jti', 'sub', 'nbf', 'exp', 'iat', 'aud'];

const idOf = value => (typeof value === 'string' ? value : value?.id);

function siteFileFor(url) {
  if(typeof url !== 'string' || !url.startsWith(base)) {
    throw new Error(`${url} is not a URL under ${base}`);
  }
  const file = path.resolve(siteRoot, decodeURIComponent(url.slice(base.length).split('#')[0]));
  if(!file.startsWith(siteRoot + path.sep) || !fs.existsSync(file)) {
    throw new Error(`${url} does not resolve to a file in the site`);
  }
  return file;
}

// The issuer's key for a kid: did:web resolution (offline, the site's own did.json), the
// method listed under assertionMethod and controlled by the issuer, a public RSA JWK.
function resolveKid(kid, issuer, problems) {
  if(typeof kid !== 'string' || !kid.startsWith('did:') || !kid.includes('#')) {
    throw new Error(`kid ${kid} is not a DID URL`);
  }
  const did = kid.split('#')[0];
  if(did !== issuer) {
    throw new Error(`kid ${kid} is not a key of the issuer ${issuer}`);
  }
  const document = readJson(siteFileFor(didWebDocumentUrl(did)));
  if(document.id !== did) {
    throw new Error(`DID document id ${document.id} is not ${did}`);
  }
  const listed = (document.assertionMethod || []).map(idOf);
  if(!listed.includes(kid)) {
    throw new Error(`kid ${kid} is not an assertionMethod of ${did}`);
  }
  const method = (document.verificationMethod || []).find(m => m?.id === kid);
  if(!method || method.controller !== did) {
    throw new Error(`kid ${kid} is not a verificationMethod controlled by ${did}`);
  }
  if(method.type !== 'JsonWebKey' || !method.publicKeyJwk) {
    throw new Error(`kid ${kid} is a ${method.type}, not a JsonWebKey`);
  }
  const jwk = method.publicKeyJwk;
  if(jwk.kty !== 'RSA' || !jwk.n || !jwk.e) {
    throw new Error(`kid does not dereference to an RSA public JWK: ${JSON.stringify(jwk)}`);
  }
  for(const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
    if(secret in jwk) {
      problems.push(`published JWK contains private member "${secret}"`);
    }
  }
  return jose.importJWK({kty: jwk.kty, n: jwk.n, e: jwk.e}, 'RS256');
}

// Signature (key from the DID document) and the JWT claim-set validation (nbf/exp vs now).
async function verifyToken(token, problems) {
  const header = jose.decodeProtectedHeader(token);
  for(const name of Object.keys(header)) {
    if(!HEADER_PARAMS.has(name)) {
      problems.push(`header parameter "${name}" is not allowed (only alg, kid, typ)`);
    }
  }
  if(header.typ !== undefined && header.typ !== 'JWT') {
    problems.push(`typ is ${header.typ}, expected "JWT"`);
  }
  if(header.alg !== 'RS256') {
    problems.push(`alg is ${header.alg}, expected RS256`);
  }
  const key = await resolveKid(header.kid, jose.decodeJwt(token).iss, problems);
  const {payload: bytes} = await jose.compactVerify(token, key, {algorithms: ['RS256']});
  const {payload} = await jose.jwtVerify(token, key, {algorithms: ['RS256'], currentDate});
  return {header, payload, bytes};
}

// Whether the credential's status bit is set, from its VC-JWT status list.
async function revocationStatus(payload) {
  const status = payload.credentialStatus;
  if(status === undefined) {
    return {revoked: false};
  }
  if(status.type !== 'BitstringStatusListEntry' || status.statusPurpose !== 'revocation') {
    throw new Error(`unsupported credentialStatus ${JSON.stringify(status)}`);
  }
  const listUrl = status.statusListCredential;
  const problems = [];
  let listing;
  try {
    const token = fs.readFileSync(siteFileFor(listUrl), 'utf8').trim();
    ({payload: listing} = await verifyToken(token, problems));
  } catch(error) {
    throw new Error(`status list ${listUrl}: ${error.code || error.name}: ${error.message}`);
  }
  const types = Array.isArray(listing.type) ? listing.type : [listing.type];
  if(!types.includes('BitstringStatusListCredential')) {
    problems.push('status list is not a BitstringStatusListCredential');
  }
  if(listing.iss !== idOf(payload.issuer) || idOf(listing.issuer) !== idOf(payload.issuer)) {
    problems.push('status list has another issuer than the credential');
  }
  if(listing.jti !== listing.id || listing.nbf !== numericDate(listing.validFrom)) {
    problems.push('status list JWT claims do not repeat the list credential');
  }
  const subject = listing.credentialSubject;
  if(subject?.statusPurpose !== status.statusPurpose) {
    problems.push(`status list purpose ${subject?.statusPurpose} is not ${status.statusPurpose}`);
  }
  if(problems.length) {
    throw new Error(`status list ${listUrl}: ${problems.join('; ')}`);
  }
  const encoded = subject.encodedList;
  if(typeof encoded !== 'string' || !encoded.startsWith('u')) {
    throw new Error('encodedList is not multibase base64url');
  }
  const bits = zlib.gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  const index = Number.parseInt(status.statusListIndex, 10);
  if(bits.length * 8 < 131072 || !(index >= 0 && index < bits.length * 8)) {
    throw new Error('status list too short or index out of range');
  }
  return {revoked: (bits[index >> 3] & (0x80 >> (index & 7))) !== 0, statusList: listUrl};
}

const numericDate = iso => Math.floor(Date.parse(iso) / 1000);

function claimProblems(payload) {
  const problems = [];
  const expect = (name, actual, wanted) => {
    if(actual !== wanted) {
      problems.push(`${name} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
    }
  };
  const issuerId = idOf(payload.issuer);
  if(!issuerId) {
    problems.push('credential has no issuer id');
  }
  expect('iss', payload.iss, issuerId);
  expect('jti', payload.jti, payload.id);
  const subject = Array.isArray(payload.credentialSubject) ?
    payload.credentialSubject[0] : payload.credentialSubject;
  if(subject?.id !== undefined) {
    expect('sub', payload.sub, subject.id);
  } else if(payload.sub !== undefined) {
    problems.push('sub present but credentialSubject has no id');
  }
  if(typeof payload.validFrom !== 'string' || Number.isNaN(Date.parse(payload.validFrom))) {
    problems.push(`validFrom missing or not a date: ${payload.validFrom}`);
  } else {
    expect('nbf', payload.nbf, numericDate(payload.validFrom));
  }
  if(payload.validUntil !== undefined) {
    expect('exp', payload.exp, numericDate(payload.validUntil));
  } else if(payload.exp !== undefined) {
    problems.push('exp present without validUntil');
  }
  for(const name of ['nbf', 'exp', 'iat']) {
    if(payload[name] !== undefined && !Number.isInteger(payload[name])) {
      problems.push(`${name} must be an integer NumericDate`);
    }
  }
  const types = Array.isArray(payload.type) ? payload.type : [payload.type];
  if(!types.includes('VerifiableCredential') ||
    !(types.includes('OpenBadgeCredential') || types.includes('AchievementCredential'))) {
    problems.push(`payload type ${JSON.stringify(payload.type)} is not an OpenBadgeCredential`);
  }
  if(payload.proof !== undefined) {
    problems.push('payload carries an embedded proof: a VC-JWT secures the plain credential');
  }
  if(payload.vc !== undefined) {
    problems.push('payload carries a VC 1.1-style "vc" claim instead of being the credential');
  }
  return problems;
}

function sameAsHosted(file, payload) {
  // The hosted .json twin (Data Integrity form) minus its proof should be the JWT's
  // credential minus the JWT registered claims, but for where each form's status list is
  // (the same entry, in the list its own verifiers can check); reported, not part of `verified`.
  const twin = file.replace(/\.jwt$/, '.json');
  if(!fs.existsSync(twin)) {
    return null;
  }
  const hosted = readJson(twin);
  delete hosted.proof;
  const credential = {...payload};
  for(const claim of JWT_CLAIMS) {
    delete credential[claim];
  }
  if('proof' in credential) {
    return false;
  }
  const entry = ({id, statusListCredential, ...rest} = {}) => rest;
  return canonical({...hosted, credentialStatus: entry(hosted.credentialStatus)}) ===
    canonical({...credential, credentialStatus: entry(credential.credentialStatus)});
}

function canonical(value) {
  if(Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if(value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map(
      k => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function verifyFile(file) {
  const report = {file, verified: false, revoked: null, error: null, problems: []};
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    report.header = jose.decodeProtectedHeader(token);
    const {payload, bytes} = await verifyToken(token, report.problems);
    report.id = payload.id;
    report.problems.push(...claimProblems(payload));
    report.sameAsHosted = sameAsHosted(file, payload);
    report.payloadBytes = bytes.length;
    if(report.problems.length) {
      report.error = report.problems.join('; ');
      return report;
    }
    Object.assign(report, await revocationStatus(payload));
    report.verified = true;
  } catch(error) {
    report.error = `${error.code || error.name}: ${error.message}`;
  }
  return report;
}

function defaultFiles(site) {
  const dir = path.join(site, 'ob3/credentials');
  if(!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir).filter(n => n.endsWith('.jwt')).sort()
    .map(n => path.join(dir, n));
}

const files = options.files.length ? options.files : defaultFiles(options.site);
const reports = [];
for(const file of files) {
  reports.push(await verifyFile(file));
}
process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
