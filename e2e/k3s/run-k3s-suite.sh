#!/usr/bin/env bash
# The k3s tier (QuickstartOnK3sTest, @Tag("k3s")) for a developer with Docker and the internet
# (the rancher/k3s and eclipse-temurin images are pulled). One command, from the repo root:
#
#   e2e/k3s/run-k3s-suite.sh
#
# 1. trains the fixture models (make model-fixtures) that the pods load from a node directory;
# 2. builds the operator and model-server images with Jib to tars (no Docker build needed):
#    fledge/operator:0.1.0 -> operator/target/jib-image.tar,
#    fledge/model-server:0.1.0 -> model-server/target/jib-image.tar
#    (Quarkus fast-jar under /deployments, started with java -jar /deployments/quarkus-run.jar);
# 3. runs the suite: k3s in a container, the tars imported with ctr, the chart installed by
#    helm-java, examples/quickstart.yaml rolled out from 1.0.0 to 2.0.0 with real pods.
set -euo pipefail
cd "$(dirname "$0")/../.."
MVN=${MVN:-./mvnw -B -ntp}
JIB=com.google.cloud.tools:jib-maven-plugin:3.4.6:buildTar
BASE_IMAGE=${FLEDGE_BASE_IMAGE:-eclipse-temurin:17-jre}
TAG=${FLEDGE_IMAGE_TAG:-0.1.0}

command -v docker >/dev/null && docker info >/dev/null 2>&1 || {
  echo "run-k3s-suite: no Docker engine answers (docker info); the k3s tier needs one" >&2
  exit 1
}
make model-fixtures
$MVN -pl operator,model-server -am install -DskipTests
for module in operator model-server; do
  staging=$module/target/jib-extra/deployments
  rm -rf "$module/target/jib-extra" && mkdir -p "$staging"
  cp -r "$module/target/quarkus-app/." "$staging/"
  $MVN -pl "$module" "$JIB" \
    -Djib.from.image="$BASE_IMAGE" \
    -Djib.to.image="fledge/$module:$TAG" \
    -Djib.extraDirectories.paths=target/jib-extra \
    -Djib.container.entrypoint=java,-jar,/deployments/quarkus-run.jar \
    -Djib.container.workingDirectory=/deployments \
    -Djib.outputPaths.tar=target/jib-image.tar
done
$MVN -pl e2e verify -Dgroups=k3s "$@"
