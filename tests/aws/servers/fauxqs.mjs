// SPDX-License-Identifier: Apache-2.0
// Runs fauxqs (S3 + SQS emulator) bound to 127.0.0.1 on a port the kernel picks, and writes that
// port to a file once it listens. fauxqs's own CLI and startFauxqs() always bind 0.0.0.0, so this
// builds the same application with buildApp() (its exported entry point) and listens on loopback.
//
//   node fauxqs.mjs FAUXQS_PACKAGE_DIR PORT_FILE
//
// Buckets and queues are created by the tests through the APIs (S3 CreateBucket, SQS CreateQueue);
// all state is in memory. Stops on SIGTERM / SIGINT.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [packageDir, portFile] = process.argv.slice(2);
if (!packageDir || !portFile) {
  console.error("usage: node fauxqs.mjs FAUXQS_PACKAGE_DIR PORT_FILE");
  process.exit(2);
}

const { buildApp } = await import(pathToFileURL(join(packageDir, "dist", "app.js")).href);
const app = buildApp({ logger: { level: process.env.MLPIPE_TEST_FAUXQS_LOG_LEVEL ?? "info" } });
await app.listen({ host: "127.0.0.1", port: 0 });
const { port } = app.server.address();

// Written atomically: servers.sh reads the file as soon as it exists.
writeFileSync(`${portFile}.tmp`, `${port}\n`);
renameSync(`${portFile}.tmp`, portFile);

let closing = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
