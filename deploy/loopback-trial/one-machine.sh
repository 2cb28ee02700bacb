#!/usr/bin/env bash
# Loopback trial of deploy/: production mode behind nginx with TLS (self-signed), one machine.
# Needs: nginx, openssl, curl (apt-get install nginx). Not part of the test suite.
set -u
cd "$(dirname "$0")/../.."
T=${T:-/tmp/fanfold-trial}; export T; bash deploy/loopback-trial/prepare.sh

rm -rf $T/data; mkdir -p $T/data
export FANFOLD_PRODUCTION=1 FANFOLD_DATA_DIR=$T/data FANFOLD_ALLOWED_HOSTS=archive.example FANFOLD_TRUSTED_PROXIES=1

export FANFOLD_SECRET_KEY_FILE=$T/secret_key
echo "== check --deploy"; .venv/bin/fanfold check --deploy
echo "== setup"; .venv/bin/fanfold setup --no-starter-tags | tail -1
.venv/bin/fanfold serve --host 127.0.0.1 --port 8001 > $T/serve.log 2>&1 &
SERVE=$!
nginx -c $T/nginx-main.conf
for i in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:8001/ -H 'Host: archive.example' && break; sleep 0.5; done
R="--resolve archive.example:8443:127.0.0.1 --resolve archive.example:8080:127.0.0.1"
echo "== http://archive.example:8080/works/ (nginx port 80 role)"; curl -s -o /dev/null -w "%{http_code} -> %{redirect_url}\n" $R http://archive.example:8080/works/
echo "== gunicorn direct without X-Forwarded-Proto"; curl -s -o /dev/null -w "%{http_code} -> %{redirect_url}\n" -H 'Host: archive.example' http://127.0.0.1:8001/works/
echo "== https://archive.example:8443/ headers"; curl -s -k -D - -o /dev/null $R https://archive.example:8443/ | grep -iE "^HTTP|strict-transport|content-security|x-frame|x-content-type|referrer-policy|cross-origin-opener"
echo "== login page cookies"; curl -s -k -D - -o /dev/null $R https://archive.example:8443/account/login/ | grep -i "set-cookie"
echo "== static through nginx"; curl -s -k -o /dev/null -w "%{http_code} %{content_type} %{size_download} bytes\n" $R https://archive.example:8443/static/fanfold/site.css
nginx -c $T/nginx-main.conf -s quit
kill -TERM $SERVE; wait $SERVE; echo "serve exit status $?"
