#!/bin/bash
# InfluxDB 2.x v1 compatibility for simstream's writes (line protocol to /write?db=simstream):
# maps the v1 database onto the bucket made by the initial setup. Run once by the official image
# after setup (/docker-entrypoint-initdb.d), with the CLI configured and the bucket's id exported
# in DOCKER_INFLUXDB_INIT_BUCKET_ID (as in the image's own documentation). Used by
# docker-compose.yml and k8s/base/influxdb alike.
set -euo pipefail
database="${SIMSTREAM_INFLUX_V1_DATABASE:-simstream}"
influx v1 dbrp create \
  --org "${DOCKER_INFLUXDB_INIT_ORG}" \
  --bucket-id "${DOCKER_INFLUXDB_INIT_BUCKET_ID}" \
  --db "${database}" \
  --rp autogen \
  --default
echo "simstream: v1 database '${database}' maps to bucket ${DOCKER_INFLUXDB_INIT_BUCKET:-?}"
