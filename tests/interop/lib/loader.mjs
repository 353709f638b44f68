// A closed, offline JSON-LD document loader for the interop checks: it serves the JSON-LD
// contexts bundled with menteo, the built site's own files for URLs under BASE, and the
// site's did:web DID document (and the verification methods inside it). Everything else
// throws, so a verifier can never reach the network or a file we did not publish.
import fs from 'node:fs';
import path from 'node:path';

export function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// did:web method-specific id for an https URL: host (port colon as %3A) + ':'-joined path.
export function didWebFor(base) {
  const url = new URL(base);
  if(url.protocol !== 'https:') {
    throw new Error(`did:web needs an https base URL, not ${base}`);
  }
  const host = url.port ? `${url.hostname}%3A${url.port}` : url.hostname;
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  return ['did', 'web', host, ...segments].join(':');
}

// did:web resolution (w3c-ccg did-method-web): ':' -> '/', https://, /.well-known when no path,
// then /did.json.
export function didWebDocumentUrl(did) {
  const parts = did.split(':');
  if(parts.length < 3 || parts[0] !== 'did' || parts[1] !== 'web') {
    throw new Error(`not a did:web DID: ${did}`);
  }
  const host = decodeURIComponent(parts[2]);
  const rest = parts.slice(3).map(decodeURIComponent);
  const pathPart = rest.length ? `/${rest.join('/')}` : '/.well-known';
  return `https://${host}${pathPart}/did.json`;
}

export function createLoader({site, base, contextsDir, log = null}) {
  if(!base.endsWith('/')) {
    throw new Error(`BASE must end with "/": ${base}`);
  }
  const siteRoot = path.resolve(site);
  const index = readJson(path.join(contextsDir, 'index.json'));
  const contexts = new Map();
  for(const entry of index.entries) {
    if(!entry.primary) {
      continue;
    }
    const file = path.join(contextsDir, entry.file);
    for(const url of [entry.url, ...(entry.alias_urls || [])]) {
      contexts.set(url, file);
    }
  }

  const siteFile = url => {
    if(!url.startsWith(base)) {
      return null;
    }
    const relative = decodeURIComponent(url.slice(base.length));
    const file = path.resolve(siteRoot, relative);
    if(!file.startsWith(siteRoot + path.sep)) {
      throw new Error(`refusing to serve ${url}: outside the site`);
    }
    if(!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new Error(`404 ${url} (no ${path.relative(process.cwd(), file)})`);
    }
    return file;
  };

  const loadDid = did => {
    const docUrl = didWebDocumentUrl(did);
    const file = siteFile(docUrl);
    if(!file) {
      throw new Error(`refusing to resolve ${did}: ${docUrl} is not under ${base}`);
    }
    const document = readJson(file);
    if(document.id !== did) {
      throw new Error(`DID document at ${docUrl} has id ${document.id}, expected ${did}`);
    }
    return document;
  };

  const loaded = [];
  const documentLoader = async url => {
    loaded.push(url);
    if(log) {
      log(url);
    }
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: readJson(contexts.get(url))};
    }
    if(url.startsWith('did:')) {
      const [did, fragment] = url.split('#');
      const document = loadDid(did);
      if(fragment === undefined) {
        return {contextUrl: null, documentUrl: url, document};
      }
      const vm = (document.verificationMethod || []).find(
        m => typeof m === 'object' && m.id === url);
      if(!vm) {
        throw new Error(`${url} is not a verificationMethod of ${did}`);
      }
      return {
        contextUrl: null,
        documentUrl: url,
        document: {'@context': document['@context'], ...vm}
      };
    }
    const [plain, fragment] = url.split('#');
    const file = siteFile(plain);
    if(file) {
      const document = readJson(file);
      if(fragment === undefined) {
        return {contextUrl: null, documentUrl: url, document};
      }
      const node = (document.verificationMethod || []).find(
        m => typeof m === 'object' && m.id === url);
      if(!node) {
        throw new Error(`no node ${url} in ${plain}`);
      }
      return {
        contextUrl: null,
        documentUrl: url,
        document: {'@context': document['@context'], ...node}
      };
    }
    throw new Error(`offline loader refuses ${url}`);
  };
  return {documentLoader, loaded};
}

// Command line: --site DIR --base URL [--contexts DIR] [--now ISO] FILE...
export function parseArgs(argv, defaults) {
  const options = {...defaults, files: []};
  for(let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if(arg.startsWith('--')) {
      const name = arg.slice(2);
      const value = argv[++i];
      if(value === undefined) {
        throw new Error(`${arg} needs a value`);
      }
      options[name] = value;
    } else {
      options.files.push(arg);
    }
  }
  for(const required of ['site', 'base']) {
    if(!options[required]) {
      throw new Error(`--${required} is required`);
    }
  }
  return options;
}

export function errorMessages(value, seen = new Set()) {
  // Flatten the nested error objects jsonld-signatures returns into readable strings.
  if(!value || seen.has(value)) {
    return [];
  }
  seen.add(value);
  if(Array.isArray(value)) {
    return value.flatMap(v => errorMessages(v, seen));
  }
  const out = [];
  if(value instanceof Error || value.message) {
    out.push(`${value.name || 'Error'}: ${value.message}`);
  }
  if(value.errors) {
    out.push(...errorMessages(value.errors, seen));
  }
  if(value.cause) {
    out.push(...errorMessages(value.cause, seen));
  }
  if(value.details?.cause) { // jsonld.js wraps document loader errors here
    out.push(...errorMessages(value.details.cause, seen));
  }
  return out;
}
