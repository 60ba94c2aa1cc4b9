#!/bin/bash
# The query service's own InfluxDB credential (not the admin token): a v1 authorization that may
# only read and write the simstream bucket. SIMSTREAM_INFLUX_QUERY_TOKEN is 'username:password'
# (Secret simstream-influxdb, key query-token); the v1 API takes it as `Authorization: Token
# username:password`, which is how the query service sends INFLUX_TOKEN. Runs once, after the
# initial setup (/docker-entrypoint-initdb.d); rotate with `influx v1 auth set-password`.
set -euo pipefail
credential="${SIMSTREAM_INFLUX_QUERY_TOKEN:?the Secret simstream-influxdb needs the key query-token}"
username="${credential%%:*}"
password="${credential#*:}"
if [ "${username}" = "${credential}" ] || [ -z "${password}" ]; then
  echo "simstream: query-token must be 'username:password'" >&2
  exit 1
fi
influx v1 auth create \
  --org "${DOCKER_INFLUXDB_INIT_ORG}" \
  --username "${username}" \
  --password "${password}" \
  --read-bucket "${DOCKER_INFLUXDB_INIT_BUCKET_ID}" \
  --write-bucket "${DOCKER_INFLUXDB_INIT_BUCKET_ID}" \
  --description "simstream query: read/write of bucket ${DOCKER_INFLUXDB_INIT_BUCKET:-simstream}"
echo "simstream: InfluxDB v1 authorization '${username}' may read and write the bucket"
