// SPDX-License-Identifier: MIT
// Writes tests/vectors/iterations.json: fully determined Fe26.2 seals made
// with PBKDF2 iteration counts other than iron's default 1, by the real
// npm packages. Each seal is made by @hapi/iron and must come out
// identical from iron-webcrypto 1.2.1 (the code h3 2.x's iron-crypto.ts is
// based on) and iron-webcrypto 2.0.0 (iron-session 9's); the script fails
// otherwise.
//
// Determinism: the salts and IV are passed as iron's own options
// (`encryption.salt`, `encryption.iv`, `integrity.salt`, which both
// libraries honour in generateKey), derived from each case's name with
// SHA-256, and Date.now is pinned, so every run writes the same file.
//
//   cd tests/interop && npm ci && node gen_iteration_vectors.mjs
//
// (writes ../vectors/iterations.json; `--check` compares instead, and
// exits 1 if the committed file differs).

import { createHash, pbkdf2Sync } from "node:crypto";
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

import Iron from "@hapi/iron";

const OUT = new URL("../vectors/iterations.json", import.meta.url);
const NOW_MS = 1767225600000; // 2026-01-01T00:00:00Z
const MAX_ITERATIONS = 1 << 20; // src/crypto.rs MAX_ITERATIONS

const PASSWORD = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0";
const OLD = "old-secret-old-secret-old-secret-old";
const NEW = "new-secret-new-secret-new-secret-new";
const LONG = "a password longer than one SHA-1 block, so HMAC hashes it first: 0123456789";
const UNICODE = "pässwörd-ünïcödé-🔑-with-enough-characters";
const RAW_KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

function pkgVersion(dir) {
  return JSON.parse(readFileSync(new URL("package.json", dir), "utf8")).version;
}

// A dependency as the package that depends on it sees it: npm may hoist
// either version, so a bare import would pick whichever it put at the top.
async function importFrom(dependent, name) {
  const anchor = new URL(`./node_modules/${dependent}/`, import.meta.url);
  const entry = pathToFileURL(createRequire(anchor).resolve(name));
  let dir = new URL("./", entry);
  while (!dir.pathname.endsWith(`/node_modules/${name}/`)) dir = new URL("../", dir);
  const module = await import(entry.href);
  return { lib: module.seal ? module : module.default, version: pkgVersion(dir) };
}

const webcrypto1 = await importFrom("iron-session-8", "iron-webcrypto");
const webcrypto2 = await importFrom("iron-session-9", "iron-webcrypto");

function digestHex(text) {
  return createHash("sha256").update(text).digest("hex");
}

const H3_SESSION = {
  id: "7c0e3f5a-2b1d-4e8f-9a6b-3c5d7e9f1a2b",
  createdAt: NOW_MS,
  data: { user: { id: 1, name: "Ada" }, cart: [3, 5] },
};

// [name, password (string, {id: secret}, or {bytes_hex}), password id,
//  iterations, data, ttl in seconds]
const CASES = [
  ["count_1_baseline", PASSWORD, "1", 1, { user: { id: 1 } }, 0],
  ["count_2", PASSWORD, "1", 2, { user: { id: 1 } }, 0],
  ["count_1000", PASSWORD, "1", 1000, { user: { id: 1 } }, 3600],
  ["h3_2x_default_8192", PASSWORD, "", 8192, H3_SESSION, 0],
  ["h3_2x_8192_max_age", PASSWORD, "", 8192, H3_SESSION, 86400],
  ["count_8192_id_1", PASSWORD, "1", 8192, { user: { id: 1 } }, 1209600],
  ["count_8192_rotation_map", { 1: OLD, 2: NEW }, "2", 8192, { a: "é😀" }, 0],
  ["count_8192_long_password", LONG, "1", 8192, { n: 1.5 }, 0],
  ["count_8192_unicode_password", UNICODE, "1", 8192, [1, "two", null], 0],
  ["count_8192_raw_key", { bytes_hex: RAW_KEY_HEX }, "1", 8192, { raw: true }, 0],
  ["count_10000", PASSWORD, "1", 10000, { user: { id: 2 } }, 0],
  ["count_max", PASSWORD, "1", MAX_ITERATIONS, { user: { id: 3 } }, 0],
];

function secretFor(password, id) {
  if (typeof password === "string") return password;
  if (password.bytes_hex) return Buffer.from(password.bytes_hex, "hex");
  return password[id];
}

function optionsFor(name, iterations, ttl, raw) {
  const salt = (part) => (raw ? undefined : digestHex(`iterations/${name}/${part}`));
  const iv = Buffer.from(digestHex(`iterations/${name}/iv`).slice(0, 32), "hex");
  return {
    ...Iron.defaults,
    ttl: ttl * 1000,
    encryption: { ...Iron.defaults.encryption, iterations, salt: salt("enc"), iv },
    integrity: { ...Iron.defaults.integrity, iterations, salt: salt("mac") },
  };
}

// iron-webcrypto takes a Uint8Array IV and key (a Buffer is one); its 1.x
// takes the WebCrypto object first.
async function sealWith(lib, data, secret, id, options) {
  const password = id ? { id, secret } : secret;
  if (lib.seal.length === 4) return lib.seal(globalThis.crypto, data, password, options);
  return lib.seal(data, password, options);
}

const realNow = Date.now;
Date.now = () => NOW_MS;
const cases = [];
try {
  for (const [name, password, id, iterations, data, ttl] of CASES) {
    const secret = secretFor(password, id);
    const raw = Buffer.isBuffer(secret);
    const options = optionsFor(name, iterations, ttl, raw);
    const sealed = await sealWith(Iron, data, secret, id, options);
    for (const { lib, version } of [webcrypto1, webcrypto2]) {
      const label = `iron-webcrypto@${version}`;
      const again = await sealWith(lib, data, secret, id, options);
      if (again !== sealed) {
        throw new Error(`${name}: ${label} sealed\n${again}\n@hapi/iron sealed\n${sealed}`);
      }
    }
    const opened = await Iron.unseal(sealed, id ? { [id]: secret } : { default: secret }, {
      ...Iron.defaults,
      encryption: { ...Iron.defaults.encryption, iterations },
      integrity: { ...Iron.defaults.integrity, iterations },
    });
    if (JSON.stringify(opened) !== JSON.stringify(data)) {
      throw new Error(`${name}: does not unseal to its data`);
    }
    const key = (salt) =>
      raw ? secret.toString("hex") : pbkdf2Sync(secret, salt, iterations, 32, "sha1").toString("hex");
    const fields = sealed.split("*");
    cases.push({
      name,
      inputs: {
        password,
        password_id: id,
        iterations,
        data,
        plaintext_json: JSON.stringify(data),
        encryption_salt: fields[2],
        hmac_salt: fields[6],
        iv_hex: options.encryption.iv.toString("hex"),
        now_ms: NOW_MS,
        ttl_s: ttl,
      },
      expected: {
        expiration: fields[5],
        encryption_key_hex: key(fields[2]),
        hmac_key_hex: key(fields[6]),
        iron_seal: sealed,
        iron_session_seal: `${sealed}~2`,
      },
    });
  }
} finally {
  Date.now = realNow;
}

const document = {
  generated_by: "tests/interop/gen_iteration_vectors.mjs",
  versions: {
    node_major: process.versions.node.split(".")[0],
    "@hapi/iron": pkgVersion(new URL("./node_modules/@hapi/iron/", import.meta.url)),
    "iron-session-8 -> iron-webcrypto": webcrypto1.version,
    "iron-session-9 -> iron-webcrypto": webcrypto2.version,
  },
  description:
    "Fully determined seals with PBKDF2 iteration counts other than 1: " +
    "iron_seal = Fe26.2*id*encSalt*b64url(iv)*b64url(AES-256-CBC(PBKDF2-SHA1(pw, encSalt, " +
    "iterations, 32), iv, plaintext_json))*expiration*hmacSalt*b64url(HMAC-SHA256(" +
    "PBKDF2-SHA1(pw, hmacSalt, iterations, 32), mac_base_string)), made by @hapi/iron " +
    "and identical from iron-webcrypto 1.2.1 and 2.0.0 with the same options " +
    "(encryption and integrity iterations both set). h3 2.x seals its sessions " +
    "({id, createdAt, data}) with a plain string password (no id) and 8192 " +
    "iterations: the h3_2x cases. A raw key ignores the count. " +
    "iron_session_seal = iron_seal + \"~2\".",
  count: cases.length,
  cases,
};

const text = JSON.stringify(document, null, 1) + "\n";
if (process.argv.includes("--check")) {
  const committed = readFileSync(OUT, "utf8");
  if (committed !== text) {
    console.error("tests/vectors/iterations.json differs from what the packages produce");
    process.exit(1);
  }
  console.error(`tests/vectors/iterations.json: ${cases.length} cases, identical`);
} else {
  writeFileSync(OUT, text);
  console.error(`wrote ${cases.length} cases to tests/vectors/iterations.json`);
}
