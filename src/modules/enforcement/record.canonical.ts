// The canonical JSON of a record body (object keys sorted, no spaces) whose SHA-256 both parties
// sign (record.digest.ts): the platform's one canonical form, Node-free for the field app.
export { canonicalJson } from '../../platform/canonical-json.ts';
