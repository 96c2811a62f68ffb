# Varnish in front of Threatwatch: public pages cached until a write purges
# their tags (xkey, from Debian's varnish-modules), staff never cached.
#
# The app sends each public page with
#   Cache-Control: public, max-age=0, s-maxage=N, stale-while-revalidate=S, stale-if-error=E
#   xkey: incident:12 incidents ...   (the tags of what the page shows)
# and, after every committed write, PURGE requests with the tags it touched in
# `xkey-purge` (FRONTEND_CACHE_URLS). Browsers get max-age=0 and revalidate
# with ETag; the tag header never reaches them.
#
# varnishd needs larger header limits than the defaults for the tag header:
#   -p http_resp_hdr_len=64k -p http_resp_size=128k -p workspace_backend=256k
#   -p http_req_hdr_len=64k -p http_req_size=128k -p workspace_client=256k
# (bench/varnish.py starts it so; `make serve VARNISH=1` runs it locally.)

vcl 4.1;

import std;
import xkey;

# One app server here; with several, list them and use a directors.round_robin.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = {
        .url = "/healthz";
        .interval = 5s;
        .timeout = 2s;
        .window = 3;
        .threshold = 2;
    }
}

# Who may purge: the app servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, staff and anyone holding a session or a form token: never
    # from the cache, never stored.
    if (req.url ~ "^/admin" || req.http.Authorization) {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken)=") {
        return (pass);
    }
    # Other cookies (analytics...) do not change a public page.
    unset req.http.Cookie;
    # While the app answers, serve stale for at most the revalidation window;
    # when it is down, for as long as the page allowed (stale-if-error).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    return (hash);
}

sub vcl_backend_response {
    # Only what the app marks for shared caches, and never with a cookie.
    if (beresp.status != 200
        || beresp.http.Set-Cookie
        || beresp.http.Cache-Control !~ "s-maxage="
        || beresp.http.Cache-Control ~ "(private|no-store|no-cache)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # beresp.ttl comes from s-maxage. Keep the object past it for
    # stale-if-error; vcl_recv limits the grace while the app is healthy.
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"),
            beresp.grace);
    }
    return (deliver);
}

sub vcl_deliver {
    # Readers never see the tags.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    if (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "HIT";
    } else {
        set resp.http.X-Varnish-Cache = "MISS";
    }
}
