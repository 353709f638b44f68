#!/usr/bin/env node
// Test helper: (re-)sign a document with an eddsa-rdfc-2022 DataIntegrityProof using Digital
// Bazaar's signer, to build tampered credentials for tests/test_interop.py.
//
//   echo '{"document": {...}, "seedHex": "<32-byte hex>" | null, "verificationMethod": "...",
//          "created": "..."}' | node resign-di.mjs [--contexts DIR]
//
// Any existing proof is dropped. seedHex null = a fresh random Ed25519 key (but the proof still
// names the given verificationMethod). Prints the signed document.
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {readJson} from './lib/loader.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const contextsDir = args[0] === '--contexts' ? args[1] :
  path.resolve(HERE, '../../generator/menteo/credentials/contexts');

const index = readJson(path.join(contextsDir, 'index.json'));
const contexts = new Map();
for(const entry of index.entries.filter(e => e.primary)) {
  for(const url of [entry.url, ...(entry.alias_urls || [])]) {
    contexts.set(url, path.join(contextsDir, entry.file));
  }
}
const documentLoader = async url => {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: readJson(contexts.get(url))};
  }
  throw new Error(`offline loader refuses ${url}`);
};

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const seed = request.seedHex ? Uint8Array.from(Buffer.from(request.seedHex, 'hex')) : undefined;
const keyPair = await Ed25519Multikey.generate({seed});
const signer = keyPair.signer();
signer.id = request.verificationMethod;
const suite = new DataIntegrityProof({
  signer, cryptosuite: eddsaRdfc2022, date: request.created || undefined
});
const document = {...request.document};
delete document.proof;
const signed = await vc.issue({credential: document, suite, documentLoader});
// menteo publishes `proof` as a one-element array (canonical-JSON schema form).
if(signed.proof && !Array.isArray(signed.proof)) {
  signed.proof = [signed.proof];
}
process.stdout.write(JSON.stringify({
  document: signed, publicKeyMultibase: keyPair.publicKeyMultibase
}) + '\n');
