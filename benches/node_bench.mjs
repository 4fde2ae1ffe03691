// SPDX-License-Identifier: MIT
// Node's iron-session (9 and 8, the packages of tests/interop) sealing and
// unsealing the benchmark payloads, timed the way pytest-benchmark times the
// Python side: rounds of many sequential calls, the median of the per-call
// means. Run by benches/report.py; by hand:
//
//   node benches/node_bench.mjs < input.json
//
// Input (stdin, JSON): {"password": "...", "ttl": seconds,
//   "payloads": {"100B": {...}, ...}, "seconds": per case (default 1)}.
// Output (stdout, JSON): {"node": version, "packages": {...},
//   "results": [{"lib", "op", "size", "median_s", "rounds", "calls"}]}.

import { readFileSync } from "node:fs";

const INTEROP = new URL("../tests/interop/node_modules/", import.meta.url);

function packageJson(name) {
  return JSON.parse(readFileSync(new URL(`${name}/package.json`, INTEROP), "utf8"));
}

// The ES module entry of a package, from its "exports" (v9: ".", v8:
// "import"), so no path inside the package is assumed.
async function load(name) {
  const { exports, main } = packageJson(name);
  const entry =
    typeof exports === "string"
      ? exports
      : exports?.["."]?.import ?? exports?.["."] ?? exports?.import ?? main;
  return import(new URL(`${name}/${entry}`, INTEROP).href);
}

async function timeCase(work, seconds) {
  // Calls per round for rounds of about 10 ms, after a warm-up.
  let calls = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await work();
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed > 0.01) break;
    calls *= 2;
  }
  const perCall = [];
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  while (perCall.length < 5 || process.hrtime.bigint() < deadline) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await work();
    perCall.push(Number(process.hrtime.bigint() - start) / 1e9 / calls);
  }
  perCall.sort((a, b) => a - b);
  return { median_s: perCall[perCall.length >> 1], rounds: perCall.length, calls };
}

const input = JSON.parse(readFileSync(0, "utf8"));
const seconds = input.seconds ?? 1;
const libs = { "iron-session-9": await load("iron-session-9"), "iron-session-8": await load("iron-session-8") };
const results = [];
for (const [lib, ironSession] of Object.entries(libs)) {
  const options = { password: input.password, ttl: input.ttl };
  for (const [size, payload] of Object.entries(input.payloads)) {
    const seal = await ironSession.sealData(payload, options);
    const back = await ironSession.unsealData(seal, options);
    if (JSON.stringify(back) !== JSON.stringify(payload)) {
      throw new Error(`${lib} ${size}: the round trip changed the payload`);
    }
    const sealed = await timeCase(() => ironSession.sealData(payload, options), seconds);
    results.push({ lib, op: "seal", size, token_chars: seal.length, ...sealed });
    const opened = await timeCase(() => ironSession.unsealData(seal, options), seconds);
    results.push({ lib, op: "unseal", size, ...opened });
  }
}
const packages = Object.fromEntries(Object.keys(libs).map((name) => [name, packageJson(name).version]));
process.stdout.write(JSON.stringify({ node: process.version, packages, results }) + "\n");
