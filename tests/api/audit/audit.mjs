// Runs graphql-http's GraphQL-over-HTTP audit against a live server and prints the results as
// JSON: [{id, name, status, reason}], status "ok" | "warn" | "error". Usage: node audit.mjs URL
import { auditServer } from "graphql-http";

const url = process.argv[2];
const results = await auditServer({ url, fetchFn: fetch });
const plain = results.map(({ id, name, status, reason }) => ({ id, name, status, reason }));
process.stdout.write(JSON.stringify(plain));
