#!/bin/sh
# docker-compose.yml's `certs` service: a development CA and one certificate per gRPC-speaking
# service in /certs (the `certs` volume, mounted read-only by the services at /etc/simstream/tls):
#   ca.crt, ca.key                the CA (ECDSA P-256)
#   <identity>.crt, <identity>.key  CN = identity (ingestion, query, quantum, gateway), SANs = the
#                                 compose service name, localhost, 127.0.0.1; serverAuth + clientAuth
# Runs at every `docker compose up`: keeps what is valid for more than 30 more days, reissues the
# rest (the services re-read the files every GRPC_TLS_RELOAD_INTERVAL). Development only.
set -eu
dir=/certs
days=365
renew_seconds=$((30 * 24 * 3600))
command -v openssl >/dev/null 2>&1 || apk add --no-cache openssl >/dev/null
cd "$dir"

valid() { [ -s "$1" ] && openssl x509 -in "$1" -noout -checkend "$renew_seconds" >/dev/null 2>&1; }

if ! valid ca.crt || [ ! -s ca.key ]; then
  echo "certs: new CA"
  openssl ecparam -name prime256v1 -genkey -noout -out ca.key
  openssl req -x509 -new -key ca.key -sha256 -days $((days * 3)) -subj "/CN=simstream development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt
  rm -f ingestion.crt query.crt quantum.crt gateway.crt
fi

for id in ingestion query quantum gateway; do
  if valid "$id.crt" && openssl verify -CAfile ca.crt "$id.crt" >/dev/null 2>&1; then continue; fi
  echo "certs: new certificate for $id"
  openssl ecparam -name prime256v1 -genkey -noout -out "$id.key.new"
  openssl req -new -key "$id.key.new" -subj "/CN=$id" -out "$id.csr"
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=DNS:$id,DNS:localhost,IP:127.0.0.1" >"$id.ext"
  openssl x509 -req -in "$id.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$days" \
    -extfile "$id.ext" -out "$id.crt.new"
  mv "$id.key.new" "$id.key"
  mv "$id.crt.new" "$id.crt"
  rm -f "$id.csr" "$id.ext"
done
# The services run as uid 1000 (the images' node user) and read their keys; the CA key stays root's.
chown 1000:1000 ingestion.key query.key quantum.key gateway.key
chown 0:0 ca.key
chmod 0444 ./*.crt
chmod 0400 ./*.key
