#!/usr/bin/env node
// Verify menteo's OB 3.0 VC-JWTs with `jose`, offline, and check the OB 3.0 JWT rules.
//
//   node verify-jwt.mjs --site DIR --base URL [--now ISO] [FILE...]
//
// Without FILEs: every ob3/credentials/*.jwt of the site. Prints a JSON array, one
// {file, verified, error, problems, ...} per file. `verified` = RS256 signature valid with the
// single public JWK that the header `kid` dereferences to inside the site, AND no rule problems.
import fs from 'node:fs';
import path from 'node:path';
import * as jose from 'jose';
import {parseArgs, readJson} from './lib/loader.mjs';

const options = parseArgs(process.argv.slice(2), {});
const base = options.base;
const siteRoot = path.resolve(options.site);
const currentDate = options.now ? new Date(options.now) : undefined;
const HEADER_PARAMS = new Set(['alg', 'kid', 'typ']);
const JWT_CLAIMS = ['iss', 'jti', 'sub', 'nbf', 'exp', 'iat', 'aud'];

const idOf = value => (typeof value === 'string' ? value : value?.id);

function siteFileFor(url) {
  if(typeof url !== 'string' || !url.startsWith(base)) {
    throw new Error(`kid ${url} is not a URL under ${base}`);
  }
  const file = path.resolve(siteRoot, decodeURIComponent(url.slice(base.length).split('#')[0]));
  if(!file.startsWith(siteRoot + path.sep) || !fs.existsSync(file)) {
    throw new Error(`kid ${url} does not resolve to a file in the site`);
  }
  return file;
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
  if(payload.vc !== undefined) {
    problems.push('payload carries a VC 1.1-style "vc" claim instead of being the credential');
  }
  return problems;
}

function sameAsHosted(file, payload) {
  // The hosted .json twin (Data Integrity form) minus its proof should be the JWT's
  // credential minus the JWT registered claims (reported, not part of `verified`).
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
  delete credential.proof;
  return canonical(hosted) === canonical(credential);
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
  const report = {file, verified: false, error: null, problems: []};
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    const header = jose.decodeProtectedHeader(token);
    report.header = header;
    for(const name of Object.keys(header)) {
      if(!HEADER_PARAMS.has(name)) {
        report.problems.push(`header parameter "${name}" is not allowed (only alg, kid, typ)`);
      }
    }
    if(header.typ !== undefined && header.typ !== 'JWT') {
      report.problems.push(`typ is ${header.typ}, expected "JWT"`);
    }
    if(header.alg !== 'RS256') {
      report.problems.push(`alg is ${header.alg}, expected RS256`);
    }
    const jwk = readJson(siteFileFor(header.kid));
    if(Array.isArray(jwk.keys)) {
      throw new Error('kid dereferences to a JWKS, not a single JWK');
    }
    if(jwk.kty !== 'RSA' || !jwk.n || !jwk.e) {
      throw new Error(`kid does not dereference to an RSA public JWK: ${JSON.stringify(jwk)}`);
    }
    for(const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
      if(secret in jwk) {
        report.problems.push(`published JWK contains private member "${secret}"`);
      }
    }
    const key = await jose.importJWK({kty: jwk.kty, n: jwk.n, e: jwk.e}, 'RS256');
    // Signature first (compact JWS), then the JWT claim-set validation (nbf/exp vs now).
    const {payload: bytes} = await jose.compactVerify(token, key, {algorithms: ['RS256']});
    const {payload} = await jose.jwtVerify(token, key, {
      algorithms: ['RS256'], currentDate
    });
    report.id = payload.id;
    report.problems.push(...claimProblems(payload));
    report.sameAsHosted = sameAsHosted(file, payload);
    report.payloadBytes = bytes.length;
    report.verified = report.problems.length === 0;
    if(report.problems.length) {
      report.error = report.problems.join('; ');
    }
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
