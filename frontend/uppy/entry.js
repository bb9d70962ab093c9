// The parts of Uppy the submission upload page uses (static/js/submission-upload.js), exposed as
// one global so the page loads two static files and runs no inline script; with them @noble/hashes'
// SHA-256 (pure JS: no WebAssembly for the CSP to allow), which hashes a file slice by slice (the
// browser's WebCrypto only hashes a whole buffer at once).
import Uppy from "@uppy/core";
import Dashboard from "@uppy/dashboard";
import AwsS3 from "@uppy/aws-s3";
import GoldenRetriever from "@uppy/golden-retriever";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
// Not exported by @uppy/aws-s3; the same module (same file) as the one its plugin uses.
import S3Companion from "./node_modules/@uppy/aws-s3/lib/s3-client/CompanionS3.js";

let completionFields = null;

/** `fn({key, uploadId, signal})` → (a promise of) fields the completion request also carries,
 * e.g. `{sha256}`. Uppy's Companion client has no option for it, so its completion is replaced
 * below: the same request (`POST <endpoint>/s3/multipart/<uploadId>/complete?key=`, body
 * `{parts: [{PartNumber, ETag}]}`) with these fields added, and the server's message kept when
 * it refuses. */
function setCompletionFields(fn) {
  completionFields = fn;
}

S3Companion.prototype.completeMultipartUpload = async function ({ key, uploadId, parts, signal }) {
  const extra = completionFields ? await completionFields({ key, uploadId, signal }) : {};
  const url =
    `${this.companionEndpoint}/s3/multipart/${encodeURIComponent(uploadId)}/complete?` +
    new URLSearchParams({ key });
  const response = await fetch(url, {
    method: "POST",
    body: JSON.stringify({
      ...extra,
      parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
    }),
    headers: { "content-type": "application/json" },
    signal,
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(answer.message || `Companion request failed: ${response.statusText}`);
    error.serverMessage = answer.message || "";
    throw error;
  }
  return { location: answer.location, bucket: answer.bucket, key: answer.key };
};

window.AlsmisUppy = { Uppy, Dashboard, AwsS3, GoldenRetriever, sha256, bytesToHex, setCompletionFields };
