/* The "Upload large files" page (uploads.views.UploadPageView): Uppy sends each file straight to
 * the object store as an S3 multipart upload, in parts, through the endpoints of uploads/views.py
 * (Uppy's Companion protocol). Golden Retriever keeps the state of unfinished uploads in the
 * browser, so after a reload (or a lost connection) choosing the same file again resumes from the
 * parts already stored. While the parts go up, this script hashes the chosen file (SHA-256, read
 * a slice at a time so a 200 MB file never sits in memory whole) and sends the digest with the
 * completion: the server compares it with the SHA-256 of the stored object, and refuses (and
 * deletes) an object that is not the file that was chosen. When the last part is in, the server
 * checks the file (size, type, SHA-256) and this script shows its verdict. Loaded as a file: the
 * admin's CSP runs no inline script.
 */
(function () {
  "use strict";

  var HASH_SLICE = 4 * 1024 * 1024;

  function sha256Of(lib, blob) {
    // One slice read and hashed at a time; a promise chain, so the page stays responsive.
    var hash = lib.sha256.create();
    var offset = 0;
    function next() {
      if (offset >= blob.size) {
        return Promise.resolve(lib.bytesToHex(hash.digest()));
      }
      var end = Math.min(offset + HASH_SLICE, blob.size);
      return blob
        .slice(offset, end)
        .arrayBuffer()
        .then(function (buffer) {
          hash.update(new Uint8Array(buffer));
          offset = end;
          return next();
        });
    }
    return next();
  }

  function start() {
    var page = document.querySelector("[data-upload-page]");
    var configElement = document.getElementById("upload-config");
    if (!page || !configElement || !window.AlsmisUppy) {
      return;
    }
    var config = JSON.parse(configElement.textContent);
    var lib = window.AlsmisUppy;
    var roleSelect = page.querySelector("[data-upload-role]");
    var results = page.querySelector("[data-upload-results]");
    var text = config.text;

    var uppy = new lib.Uppy({
      // One saved state per submission: Golden Retriever restores it on this page only.
      id: "submission-upload-" + config.submission,
      autoProceed: false,
      restrictions: {
        maxFileSize: config.maxBytes,
        allowedFileTypes: config.types.concat(config.suffixes),
      },
      meta: { role: roleSelect.value },
      onBeforeFileAdded: function (file) {
        var rule = config.roleTypes[roleSelect.value];
        if (rule && file.type && rule.types.indexOf(file.type) === -1) {
          uppy.info(rule.message.replace("%(found)s", file.type), "error", 8000);
          return false;
        }
        return true;
      },
    });
    uppy.use(lib.Dashboard, {
      inline: true,
      target: "[data-upload-dashboard]",
      height: 340,
      width: "100%",
      proudlyDisplayPoweredByUppy: false,
      showProgressDetails: true,
    });
    uppy.use(lib.AwsS3, {
      companionEndpoint: config.endpoint,
      shouldUseMultipart: true,
      getChunkSize: function () {
        return config.partSize;
      },
      // One file at a time: on a weak connection parallel files only slow each other down.
      limit: 1,
    });
    uppy.use(lib.GoldenRetriever);

    // The digest of each chosen File (a re-chosen file after a reload is a new File: hashed
    // again). Files are hashed one after another, so one slice at a time is in memory.
    var digests = new WeakMap();
    var hashing = Promise.resolve();
    function digestOf(blob) {
      var known = digests.get(blob);
      if (!known) {
        known = hashing.then(function () {
          return sha256Of(lib, blob);
        });
        hashing = known.catch(function () {});
        // A file that could not be read (changed or moved since it was chosen) is tried again.
        known.catch(function () {
          digests.delete(blob);
        });
        digests.set(blob, known);
      }
      return known;
    }
    uppy.on("upload", function (uploadID, files) {
      // Hash while the parts go up, so the digest is ready when the last part is in.
      (files || []).forEach(function (file) {
        if (file.data instanceof Blob && !file.isGhost) {
          digestOf(file.data);
        }
      });
    });
    lib.setCompletionFields(function (request) {
      var file = uppy.getFiles().filter(function (candidate) {
        return candidate.s3Multipart && candidate.s3Multipart.uploadId === request.uploadId;
      })[0];
      if (!file || !(file.data instanceof Blob)) {
        return Promise.reject(new Error(text.uploadFailed));
      }
      return digestOf(file.data).then(function (hex) {
        return { sha256: hex };
      });
    });

    uppy.on("file-added", function (file) {
      // The server checks the declared size and role before it starts the upload.
      uppy.setFileMeta(file.id, { size: file.size, role: roleSelect.value });
    });
    roleSelect.addEventListener("change", function () {
      uppy.setMeta({ role: roleSelect.value });
    });

    function show(key, name, line) {
      var item = results.querySelector('[data-upload-key="' + key + '"]');
      if (!item) {
        item = document.createElement("li");
        item.setAttribute("data-upload-key", key);
        results.insertBefore(item, results.firstChild);
      }
      item.textContent = name + ": " + line;
      return item;
    }

    function follow(key, name, attempt) {
      fetch(config.status + "?key=" + encodeURIComponent(key), { credentials: "same-origin" })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          if (answer.state === "verifying" || answer.state === "uploading") {
            show(key, name, answer.label);
            window.setTimeout(function () {
              follow(key, name, attempt + 1);
            }, Math.min(1000 + attempt * 250, 5000));
            return;
          }
          var line = answer.label + (answer.message ? " — " + answer.message : "");
          var item = show(key, name, line);
          item.setAttribute("data-upload-state", answer.state);
          if (answer.sha256) {
            var code = document.createElement("code");
            code.setAttribute("data-upload-sha256", "");
            code.textContent = answer.sha256;
            item.appendChild(document.createTextNode(" (SHA-256 "));
            item.appendChild(code);
            item.appendChild(document.createTextNode(")"));
          }
        })
        .catch(function () {
          show(key, name, text.statusUnknown);
        });
    }

    uppy.on("upload-success", function (file, response) {
      var key = response && response.body && response.body.key;
      if (key) {
        follow(key, file.name, 0);
      }
    });
    uppy.on("upload-error", function (file, error) {
      // The server's refusal of the completion says why; a dropped connection says nothing useful.
      var refusal = error && error.serverMessage;
      uppy.info(refusal || text.uploadFailed, "error", 8000);
      if (file && file.s3Multipart && file.s3Multipart.key) {
        follow(file.s3Multipart.key, file.name, 0);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
