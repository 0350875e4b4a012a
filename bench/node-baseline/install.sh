#!/usr/bin/env bash
# Install the Node.js baseline's pinned dependencies from the npm registry
# into ./node_modules, exactly as package-lock.json says (`npm ci`).
# Idempotent: skipped when node_modules already matches the lock file.
# Needs Node.js >= 20 and npm.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
    { echo "install.sh: Node.js >= 20 required (found $(node --version))" >&2; exit 1; }

# npm ci writes node_modules/.package-lock.json; an unchanged lock file
# means nothing to do.
if ! cmp -s <(node -e 'const l=require("./package-lock.json"); delete l.packages[""]; console.log(JSON.stringify(l.packages))') \
        <(node -e 'try { console.log(JSON.stringify(require("./node_modules/.package-lock.json").packages)) } catch { console.log("none") }'); then
    echo "install.sh: npm ci in $HERE" >&2
    npm ci --no-audit --no-fund --loglevel=error
fi

# bcrypt ships prebuilt binaries in its package (prebuilds/); loading it
# proves the right one is there.
node -e 'const v = (p) => require(p + "/package.json").version;
  require("bcrypt").hashSync("x", 4);
  console.log("install.sh: ok: node", process.versions.node, "express", v("express"), "express-session", v("express-session"), "ws", v("ws"), "bcrypt", v("bcrypt"))'
