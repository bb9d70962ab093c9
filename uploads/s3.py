"""The S3 calls of a multipart upload, on the default storage's own client and bucket.

Only the S3 backend of django-storages can take uploads straight from the client; with local
files (`make run` without a bucket) `available()` is False and the ordinary upload form is the
only way in.
"""

from django.conf import settings
from django.core.files.storage import default_storage

from guard.storage_errors import storage_guard


def available():
    """Whether the default storage is S3 (multipart uploads and presigned URLs exist)."""
    return hasattr(default_storage, "bucket_name") and hasattr(default_storage, "connection")


def client():
    return default_storage.connection.meta.client


def bucket():
    return default_storage.bucket_name


def url_expiry():
    """Seconds a presigned part URL stays valid (`UPLOADS_URL_EXPIRE_SECONDS`)."""
    return int(settings.UPLOADS_URL_EXPIRE_SECONDS)


def create(key):
    # The object is private and typed as opaque bytes until the check has sniffed it; downloads
    # always send the sniffed type recorded on the SubmissionFile.
    with storage_guard("upload"):
        answer = client().create_multipart_upload(
            Bucket=bucket(), Key=key, ContentType="application/octet-stream", ACL="private"
        )
    return answer["UploadId"]


def sign_part(key, upload_id, part_number):
    return client().generate_presigned_url(
        "upload_part",
        Params={"Bucket": bucket(), "Key": key, "UploadId": upload_id, "PartNumber": part_number},
        ExpiresIn=url_expiry(),
        HttpMethod="PUT",
    )


def list_parts(key, upload_id):
    """The parts S3 holds: [{"PartNumber", "ETag", "Size"}], in order."""
    parts = []
    marker = 0
    with storage_guard("upload"):
        while True:
            page = client().list_parts(
                Bucket=bucket(), Key=key, UploadId=upload_id, PartNumberMarker=marker
            )
            parts += [
                {"PartNumber": p["PartNumber"], "ETag": p["ETag"], "Size": p["Size"]}
                for p in page.get("Parts", [])
            ]
            if not page.get("IsTruncated"):
                return parts
            marker = page["NextPartNumberMarker"]


def complete(key, upload_id, parts):
    with storage_guard("upload"):
        client().complete_multipart_upload(
            Bucket=bucket(),
            Key=key,
            UploadId=upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": n, "ETag": etag} for n, etag in sorted(parts)]
            },
        )


def abort(key, upload_id):
    with storage_guard("upload"):
        client().abort_multipart_upload(Bucket=bucket(), Key=key, UploadId=upload_id)


def head(key):
    """The object's size in bytes, or None when there is no object."""
    from botocore.exceptions import ClientError

    try:
        with storage_guard("upload"):
            return client().head_object(Bucket=bucket(), Key=key)["ContentLength"]
    except ClientError:
        return None


def read_range(key, start, length):
    """`length` bytes from `start` (fewer at the end of the object), with one ranged GET."""
    if length <= 0:
        return b""
    with storage_guard("upload"):
        answer = client().get_object(
            Bucket=bucket(), Key=key, Range=f"bytes={start}-{start + length - 1}"
        )
        return answer["Body"].read()


def iter_chunks(key, chunk_size):
    """The whole object, streamed in chunks of `chunk_size` (never held whole in memory)."""
    with storage_guard("upload"):
        body = client().get_object(Bucket=bucket(), Key=key)["Body"]
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()


def delete(key):
    with storage_guard("upload"):
        client().delete_object(Bucket=bucket(), Key=key)


def stale_multipart_uploads(prefix, initiated_before):
    """(key, upload id) of the multipart uploads under `prefix` started before the given time."""
    found = []
    kwargs = {"Bucket": bucket(), "Prefix": prefix}
    with storage_guard("upload"):
        while True:
            page = client().list_multipart_uploads(**kwargs)
            for item in page.get("Uploads", []):
                if item["Initiated"] < initiated_before:
                    found.append((item["Key"], item["UploadId"]))
            if not page.get("IsTruncated"):
                return found
            kwargs["KeyMarker"] = page["NextKeyMarker"]
            kwargs["UploadIdMarker"] = page["NextUploadIdMarker"]


def put_cors(origins):
    """Let browsers at `origins` send parts to the bucket and read the ETag of each (bucket CORS,
    which SeaweedFS and AWS S3 both keep per bucket)."""
    with storage_guard("upload"):
        client().put_bucket_cors(
            Bucket=bucket(),
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": list(origins),
                        "AllowedMethods": ["PUT"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag"],
                        "MaxAgeSeconds": 3600,
                    }
                ]
            },
        )
