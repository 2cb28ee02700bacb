#!/usr/bin/env bash
# Shared by the loopback trials: a self-signed certificate for archive.example and deploy/nginx.conf
# rewritten for loopback ports (8080 for the port-80 role, 8443 for 443; gunicorn on 8001).
set -eu
T=${T:-/tmp/fanfold-trial}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$T"
[ -f "$T/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" \
  -days 2 -subj "/CN=archive.example" -addext "subjectAltName=DNS:archive.example" 2>/dev/null
[ -f "$T/secret_key" ] || { python3 -c "import secrets; print(secrets.token_urlsafe(50))" > "$T/secret_key"; chmod 600 "$T/secret_key"; }
sed -e "s#listen 80;#listen 127.0.0.1:8080;#; s#listen \[::\]:80;##" \
    -e "s#listen 443 ssl http2;#listen 127.0.0.1:8443 ssl http2;#; s#listen \[::\]:443 ssl http2;##" \
    -e "s#archive.example.org#archive.example#g" \
    -e "s#/etc/letsencrypt/live/archive.example/fullchain.pem#$T/cert.pem#" \
    -e "s#/etc/letsencrypt/live/archive.example/privkey.pem#$T/key.pem#" \
    -e "s#/var/lib/fanfold/static/#$T/data/static/#; s#127.0.0.1:8000#127.0.0.1:8001#" \
    -e "s#return 301 https://\$host\$request_uri#return 301 https://\$host:8443\$request_uri#" \
    "$REPO/deploy/nginx.conf" > "$T/site.conf"
cat > "$T/nginx-main.conf" <<CONF
worker_processes 1;
pid $T/nginx.pid;
error_log $T/error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log $T/access.log;
    client_body_temp_path $T/body;
    proxy_temp_path $T/proxy;
    fastcgi_temp_path $T/fcgi;
    uwsgi_temp_path $T/uwsgi;
    scgi_temp_path $T/scgi;
    include $T/site.conf;
}
CONF
nginx -t -q -c "$T/nginx-main.conf"
