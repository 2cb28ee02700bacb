#!/usr/bin/env bash
# Loopback trial: two app servers and a worker on one PostgreSQL database, Redis as the shared cache.
# Needs: nginx, openssl, redis-server, redis-cli, psql with a local PostgreSQL, and the redis Python package.
set -u
cd "$(dirname "$0")/../.."
T=${T:-/tmp/fanfold-trial}; export T; bash deploy/loopback-trial/prepare.sh

rm -rf $T/data-a $T/data-b; mkdir -p $T/data-a $T/data-b
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS fanfold_trial" -c "CREATE DATABASE fanfold_trial"
redis-server --port 6391 --bind 127.0.0.1 --save "" --daemonize yes --pidfile $T/redis.pid --logfile $T/redis.log
sed -e 's|#server 10.0.0.12:8000|server 127.0.0.1:8002|' -e 's|proxy_redirect off;|proxy_redirect off;\n        add_header X-Upstream $upstream_addr always;|' $T/site.conf > $T/site-multi.conf
sed -e "s|$T/site.conf|$T/site-multi.conf|" $T/nginx-main.conf > $T/nginx-multi.conf
export FANFOLD_PRODUCTION=1 FANFOLD_ALLOWED_HOSTS=archive.example FANFOLD_TRUSTED_PROXIES=1
export FANFOLD_SECRET_KEY_FILE=$T/secret_key DATABASE_URL=postgres://postgres@127.0.0.1:5432/fanfold_trial REDIS_URL=redis://127.0.0.1:6391/0
FANFOLD_DATA_DIR=$T/data-a .venv/bin/fanfold setup --no-starter-tags | tail -1
FANFOLD_DATA_DIR=$T/data-b .venv/bin/fanfold collectstatic --noinput -v0
FANFOLD_DATA_DIR=$T/data-a .venv/bin/fanfold serve --no-worker --host 127.0.0.1 --port 8001 > $T/a.log 2>&1 & A=$!
FANFOLD_DATA_DIR=$T/data-b .venv/bin/fanfold serve --no-worker --host 127.0.0.1 --port 8002 > $T/b.log 2>&1 & B=$!
FANFOLD_DATA_DIR=$T/data-a .venv/bin/fanfold worker > $T/worker.log 2>&1 & W=$!
sed -i "s|$T/data/static/|$T/data-a/static/|" $T/site-multi.conf
nginx -c $T/nginx-multi.conf
for p in 8001 8002; do for i in $(seq 1 80); do curl -s -o /dev/null -H 'Host: archive.example' http://127.0.0.1:$p/ && break; sleep 0.5; done; done
.venv/bin/python - <<'PY'
import http.cookiejar, re, ssl, urllib.parse, urllib.request
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx), urllib.request.HTTPCookieProcessor(jar))
base = "https://127.0.0.1:8443"
def call(method, path, data=None):
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Host": "archive.example", "Referer": "https://archive.example/account/login/"})
    try:
        r = opener.open(req); return r.status, r.headers.get("X-Upstream"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("X-Upstream"), e.read().decode()
upstreams, statuses, posts_to = set(), [], []
for attempt in range(1, 26):
    status, up, page = call("GET", "/account/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong"}).encode()
    if attempt % 2:
        call("GET", "/")  # shifts the round robin, so the log-in POSTs alternate between the servers
    status, up, _ = call("POST", "/account/login/", data)
    upstreams.add(up); statuses.append(status); posts_to.append(up.rsplit(":", 1)[1])
print("app servers that answered the log-in POSTs:", sorted(upstreams))
print("port per attempt:", " ".join(posts_to))
print("failed log-in statuses 1..25:", statuses)
print("first 429 at attempt:", statuses.index(429) + 1 if 429 in statuses else None)
PY
echo "== redis keys"; redis-cli -p 6391 --scan | head -5
nginx -c $T/nginx-multi.conf -s quit
kill -TERM $A $B $W; wait $A $B $W
redis-cli -p 6391 shutdown nosave >/dev/null 2>&1
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS fanfold_trial WITH (FORCE)"
