#!/usr/bin/env bash
# The k3s tier (QuickstartOnK3sTest, @Tag("k3s")) for a developer with Docker and the internet
# (the rancher/k3s image is pulled). One command, from the repo root:
#
#   e2e/k3s/run-k3s-suite.sh
#
# 1. trains the fixture models (make model-fixtures) that the pods load from a node directory;
# 2. builds the operator and model-server images exactly as the cluster tier does
#    (e2e/cluster/images.sh app: Jib from the Debian JRE base made with mmdebstrap, no Docker build):
#    fledge/operator:0.1.0 -> operator/target/jib-image.tar,
#    fledge/model-server:0.1.0 -> model-server/target/jib-image.tar;
# 3. runs the suite: k3s in a container, the tars imported with ctr, the chart installed by
#    helm-java, examples/quickstart.yaml rolled out from 1.0.0 to 2.0.0 with real pods
#    (the scenario code, RolloutScenario, is the one the real-API-server and cluster tiers use).
set -euo pipefail
cd "$(dirname "$0")/../.."
MVN=${MVN:-./mvnw -B -ntp}
export MVN

command -v docker >/dev/null && docker info >/dev/null 2>&1 || {
  echo "run-k3s-suite: no Docker engine answers (docker info); the k3s tier needs one" >&2
  exit 1
}
make model-fixtures
bash e2e/cluster/images.sh app
$MVN -pl e2e verify -Dgroups=k3s "$@"
