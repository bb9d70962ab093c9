vcl 4.1;

# The HTTP cache in front of the ALS MIS (gunicorn). Varnish 7 (Debian's `varnish` package).
#
# - Keeps only what the application marks shareable: a response with `Cache-Control: ...
#   s-maxage=N` (cms/http_cache.py: public pages for anonymous visitors), for N seconds at most.
# - Never caches the admin, the API, documents, the language switch, the health check, any
#   method but GET and HEAD, or a request with a session cookie (signed-in staff).
# - Takes purges from the application (cms/purge.py, Wagtail's frontend cache) only on the
#   listen address named "purge" and only from the `purgers` ACL:
#     PURGE <path>                   bans that path with any query string (all searches of it);
#     BAN with X-Ban-Path: <regex>   bans every path the expression matches ("^/" = everything).
#
# Start it with two listen addresses, the public one and the purge one, e.g.
#   varnishd -a http=:6081 -a purge=127.0.0.1:6091 -f /etc/varnish/default.vcl -s malloc,1g
# and set ALSMIS_FRONTEND_CACHE_URL=http://127.0.0.1:6091 for the application and its worker.
# A TLS proxy in front (nginx) connects to the public address only: a PURGE relayed by it
# arrives from 127.0.0.1, and the purge address is what keeps it out.
#
# alsmis/varnish.py writes the backend address below when it runs Varnish for `make serve`,
# the cache tests and the benchmark; edit it (and the ACL) for a deployment.

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 5s;
    # Uploads and imports pass through: as long as gunicorn's own timeout allows.
    .first_byte_timeout = 300s;
    .between_bytes_timeout = 60s;
}

# The application's hosts (web nodes and task workers): the only ones that may purge.
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE" || req.method == "BAN") {
        if (local.socket != "purge" || client.ip !~ purgers) {
            return (synth(405, "Purging is not allowed from here."));
        }
        if (req.method == "PURGE") {
            # Bans test only obj.*, so the ban lurker clears them in the background.
            ban("obj.http.x-path == " + regsub(req.url, "\?.*$", ""));
            return (synth(200, "Purged."));
        }
        if (!req.http.X-Ban-Path) {
            return (synth(400, "X-Ban-Path is missing."));
        }
        ban("obj.http.x-path ~ " + req.http.X-Ban-Path);
        return (synth(200, "Banned."));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff screens and private answers: straight to the application, cookies and all.
    if (req.url ~ "^/(admin|api|documents|i18n)/" || req.url ~ "^/healthz") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Public pages do not depend on any other cookie (csrftoken, the language cookie) nor on the
    # browser's languages: the URL decides the language (/fil/... is Filipino).
    unset req.http.Cookie;
    unset req.http.Accept-Language;
    return (hash);
}

sub vcl_hash {
    # One site: the URL alone names a page, whatever host name the visitor used (absolute links
    # in pages come from ALSMIS_PUBLIC_URL, not from the request).
    hash_data(req.url);
    # Behind a TLS proxy the same URL is a redirect over http and the page over https.
    if (req.http.X-Forwarded-Proto) {
        hash_data(req.http.X-Forwarded-Proto);
    }
    return (lookup);
}

sub vcl_backend_response {
    # What PURGE and BAN compare with: the path without its query string.
    set beresp.http.x-path = regsub(bereq.url, "\?.*$", "");
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.http.Cache-Control !~ "s-maxage=" || beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)private|no-store|no-cache") {
        # Not shareable: remember that for two minutes (hit-for-miss), so that requests for it
        # go to the application at once instead of waiting on each other.
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # The TTL is the response's s-maxage. After it, a stale copy may be served for a minute
    # while a fresh one is fetched; a purged copy is never served.
    set beresp.grace = 60s;
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.x-path;
    # Whether this answer came from the cache: "hit", "miss" (fetched and kept) or "pass".
    if (obj.uncacheable) {
        set resp.http.X-Cache = "pass";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    return (deliver);
}
