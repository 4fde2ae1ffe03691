// SPDX-License-Identifier: MIT
// Interop peer for tests/test_interop.py: one long-running Node process that
// seals and unseals with the real iron-session 8, iron-session 9 and
// @hapi/iron packages, driven by JSON lines on stdin, answering on stdout.
//
// Request (one JSON object per line):
//   {"id": n, "op": "seal" | "unseal" | "stringify" | "versions",
//    "lib": "v8" | "v9" | "hapi",
//    "password": "<string>" | {"<id>": "<string>", ...},
//    "ttl": seconds (optional, seal only; default iron-session's 1209600),
//    "data_json": "<JSON text>" (seal, stringify),
//    "seal": "<seal>" (unseal),
//    "localtime_offset_ms": n (optional, hapi only: iron's localtimeOffsetMsec),
//    "iterations": n (optional, hapi only: PBKDF2 iterations, default 1)}
// Response (one line per request, possibly out of order; match on id):
//   {"id": n, "ok": true, "seal": "..."}              (seal)
//   {"id": n, "ok": true, "data_json": "..."}         (unseal, stringify)
//   {"id": n, "ok": true, "versions": {...}}          (versions)
//   {"id": n, "ok": false, "error": "<message>"}
//
// Nothing but response lines is written to stdout; diagnostics go to stderr.

import { createInterface } from "node:readline";
import { readFileSync } from "node:fs";

import * as v8 from "iron-session-8";
import * as v9 from "iron-session-9";
import Iron from "@hapi/iron";

const DEFAULT_TTL = 1209600; // iron-session's default, seconds

function pkgVersion(name) {
  // Not via require(): iron-session's "exports" hides its package.json.
  const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")).version;
}

// Highest numeric id of a password map (iron-session's rule).
function maxId(map) {
  const ids = Object.keys(map).map(Number);
  if (ids.length === 0) throw new Error("empty password map");
  return Math.max(...ids);
}

// @hapi/iron seal password: {id, secret}. A plain string seals with id "1"
// (as iron-session does); a map seals with its highest numeric id.
function hapiSealPassword(password) {
  if (typeof password === "string") return { id: "1", secret: password };
  const id = maxId(password);
  const secret = password[id];
  if (secret === undefined) throw new Error(`no secret for id ${id}`);
  return { id: String(id), secret };
}

function hapiOptions(req) {
  const ttl = req.ttl ?? DEFAULT_TTL;
  const options = { ...Iron.defaults, ttl: ttl * 1000 };
  if (req.localtime_offset_ms != null) {
    options.localtimeOffsetMsec = req.localtime_offset_ms;
  }
  if (req.iterations != null) {
    // One count for both keys, as h3 2.x sets it.
    options.encryption = { ...Iron.defaults.encryption, iterations: req.iterations };
    options.integrity = { ...Iron.defaults.integrity, iterations: req.iterations };
  }
  return options;
}

function session(lib) {
  if (lib === "v8") return v8;
  if (lib === "v9") return v9;
  throw new Error(`unknown lib: ${JSON.stringify(lib)}`);
}

// JSON.stringify(undefined) is undefined: answer "null" rather than
// dropping the field.
function toJson(value) {
  const text = JSON.stringify(value);
  return text === undefined ? "null" : text;
}

async function handle(req) {
  switch (req.op) {
    case "seal": {
      const data = JSON.parse(req.data_json);
      if (req.lib === "hapi") {
        return {
          seal: await Iron.seal(data, hapiSealPassword(req.password), hapiOptions(req)),
        };
      }
      const options = { password: req.password };
      if (req.ttl != null) options.ttl = req.ttl;
      return { seal: await session(req.lib).sealData(data, options) };
    }
    case "unseal": {
      if (typeof req.seal !== "string") throw new Error("seal must be a string");
      if (req.lib === "hapi") {
        // hapi seals carry no "~2" marker: cut at the first "~".
        const cut = req.seal.indexOf("~");
        const seal = cut === -1 ? req.seal : req.seal.slice(0, cut);
        return { data_json: toJson(await Iron.unseal(seal, req.password, hapiOptions(req))) };
      }
      const result = await session(req.lib).unsealData(req.seal, { password: req.password });
      return { data_json: toJson(result) };
    }
    case "stringify":
      return { data_json: toJson(JSON.parse(req.data_json)) };
    case "versions":
      return {
        versions: {
          node: process.versions.node,
          "iron-session-8": pkgVersion("iron-session-8"),
          "iron-session-9": pkgVersion("iron-session-9"),
          "@hapi/iron": pkgVersion("@hapi/iron"),
        },
      };
    default:
      throw new Error(`unknown op: ${JSON.stringify(req.op)}`);
  }
}

function errorMessage(err) {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  if (!line.trim()) return;
  let req;
  try {
    req = JSON.parse(line);
  } catch (err) {
    send({ id: null, ok: false, error: `bad request line: ${errorMessage(err)}` });
    return;
  }
  // Requests run concurrently; each answer carries its request's id.
  handle(req).then(
    (result) => send({ id: req.id, ok: true, ...result }),
    (err) => send({ id: req.id, ok: false, error: errorMessage(err) }),
  );
});
