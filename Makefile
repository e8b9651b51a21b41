# Fledge — the commands the README names. Everything a fresh machine needs is installed here.
SHELL := /bin/bash
MVN ?= ./mvnw -B -ntp
export DJL_OFFLINE := true
export OPT_OUT_TRACKING := true

.PHONY: help self-contained build test demo generate cli cli-golden model-fixtures model-archive kube-binaries prometheus prom-label-proxy moto bench-server bench-gates bench-operator bench-capacity bench-shards cluster cluster-down cluster-test cluster-tier cluster-binaries images traefik clean

help:
	@echo "make test     build everything and run every test (unit, mock API server, real API server, Prometheus, e2e)"
	@echo "make demo     the end-to-end demo on a real single-node cluster"
	@echo "make generate regenerate the committed CRD YAML and docs/crd-reference.md"
	@echo "make cli      build kubectl fledge and link it into CLI_BIN_DIR (default ~/.local/bin)"
	@echo "make cluster  a real single-node Kubernetes in a network namespace (Ctrl-C or make cluster-down stops it)"
	@echo "make images   the pause, JRE base, operator and model-server images as tars (no Docker daemon)"

## build: compile and package every module without tests
build:
	$(MVN) -DskipTests install

## self-contained: fail if any file of the repository refers to a folder beside it (users clone the repository alone)
SIBLING_REF := \.\.[/]shared|shared[/](vendor|docs|hooks)
self-contained:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then hits=$$(git grep -nIE '$(SIBLING_REF)'); rc=$$?; \
	  else hits=$$(grep -rnIE --exclude-dir=target --exclude-dir=.git '$(SIBLING_REF)' .); rc=$$?; fi; \
	if [ $$rc -eq 1 ]; then echo "self-contained: no file refers to a folder outside the repository"; \
	elif [ $$rc -eq 0 ]; then echo "self-contained: these lines refer to a folder outside the repository:"; echo "$$hits"; exit 1; \
	else echo "self-contained: the check itself failed (grep exit $$rc)"; exit 1; fi

## test: what CI runs (.ci/run). Installs/builds the real parts first, runs every module's tests, then the
## cluster tier (a real cluster, the images built from this build). Prints the time of each phase.
## TEST_THREADS modules build at once (Maven -T). Default 1, one after the other: with 2 the model server's tests run
## beside the operator's (whose mock API server tests leave ~40 % of the two cores idle, vmstat), which saved ~160 s,
## but in one fresh-clone run of three two replicas-router mock tests then timed out (load average ~9 on two cores).
TEST_THREADS ?= 1
test: self-contained
	@t=$$SECONDS; $(MAKE) --no-print-directory model-fixtures kube-binaries cluster-binaries traefik prometheus prom-label-proxy moto \
	  && echo "make test: phase prerequisites: $$((SECONDS - t)) s"
	@t=$$SECONDS; $(MVN) -T $(TEST_THREADS) install && echo "make test: phase modules (mvn install): $$((SECONDS - t)) s"
	@t=$$SECONDS; $(MAKE) --no-print-directory cluster-tier && echo "make test: phase cluster tier: $$((SECONDS - t)) s"

## generate: refresh the generated files that are committed (CRD YAML, CRD reference)
generate:
	$(MVN) -pl crds -am install -Dfledge.generate=true -Dtest='GeneratedFilesAreFreshTest' -Dsurefire.failIfNoSpecifiedTests=false

## cli: build kubectl fledge (the cli module, a plain JVM without Quarkus) and put its launcher on the PATH: a symlink
## CLI_BIN_DIR/kubectl-fledge -> cli/src/main/cli/kubectl-fledge. The launcher runs cli/target/kubectl-fledge.jar,
## whose manifest names its dependencies in cli/target/lib.
CLI_BIN_DIR ?= $(HOME)/.local/bin
cli:
	$(MVN) -q -pl cli -am -DskipTests package
	@mkdir -p "$(CLI_BIN_DIR)"
	@ln -sfn "$(CURDIR)/cli/src/main/cli/kubectl-fledge" "$(CLI_BIN_DIR)/kubectl-fledge"
	@echo "cli: $(CLI_BIN_DIR)/kubectl-fledge -> cli/src/main/cli/kubectl-fledge"
	@case ":$$PATH:" in *":$(CLI_BIN_DIR):"*) ;; \
	  *) echo "cli: $(CLI_BIN_DIR) is not on your PATH; add it: export PATH=\"$(CLI_BIN_DIR):\$$PATH\"";; esac

## cli-golden: rewrite the CLI's golden files (cli/src/test/resources/cli-golden/) from the current output; review the diff
cli-golden:
	$(MVN) -pl cli -am test -Dfledge.generate=true -Dtest='KubectlFledge*Test' -Dsurefire.failIfNoSpecifiedTests=false

## model-fixtures: train the deterministic fixture models (model-server issue)
model-fixtures:
	@if [ -f model-server/target/fixtures/models/.complete ]; then \
	  echo "model-fixtures: up to date in model-server/target/fixtures/models"; \
	else \
	  $(MVN) -q -pl model-server -am -DskipTests test-compile && \
	  cd model-server && DJL_CACHE_DIR=$$PWD/target/djl-cache java -Dai.djl.offline=true \
	    -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
	    -cp "target/test-classes:target/classes:$$(cat target/test-classpath.txt)" \
	    dev.fledge.server.fixtures.FixtureTrainer target/fixtures/models; \
	fi

## model-archive: the fixture models as zip archives the model server loads, with their sha256:
## model-server/target/model-archives/{v1,v2,v3-unsafe,mlp}.zip and <name>.zip.sha256 (the quick start's v1, v2
## are committed in examples/models/: training gives other bytes on other CPUs)
model-archive: model-fixtures
	$(MVN) -q -pl model-server -am -DskipTests test-compile
	cd model-server && java -cp target/test-classes dev.fledge.server.fixtures.ModelArchives \
	  target/fixtures/models target/model-archives

## kube-binaries: kube-apiserver + etcd for kube-api-test, built once and cached (real Kubernetes issue)
kube-binaries:
	@bash e2e/kube/kube-binaries.sh

## prometheus: Debian's prometheus for the tests that scrape real model servers
prometheus:
	@command -v prometheus >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
	@prometheus --version 2>&1 | head -1

MOTO_VERSION = 5.2.5
## moto: moto's S3-compatible server (PyPI, the pinned MOTO_VERSION) for the model server's s3:// tests
moto:
	@v=$$(pip show moto 2>/dev/null | sed -n 's/^Version: //p'); \
	  if [ "$$v" != "$(MOTO_VERSION)" ] || ! command -v moto_server >/dev/null; then \
	    echo "moto: installing moto[server]==$(MOTO_VERSION) (found: $${v:-none})"; pip install -q 'moto[server]==$(MOTO_VERSION)'; fi
	@moto_server --help >/dev/null && echo "moto: moto_server $$(pip show moto 2>/dev/null | sed -n 's/^Version: //p')"

## prom-label-proxy: prometheus-community's prom-label-proxy v0.11.1, built once from its Go module and cached (issue 15)
prom-label-proxy:
	@bash e2e/prometheus/prom-label-proxy.sh

## demo: Fledge on a real single-node cluster (the one `make cluster` starts, torn down after): the chart's operator
## pod, model pods of the images built here, a judge pod, a real Prometheus, users on the release's Services. It
## prints a live table and a summary; report in e2e/target/demo/report.html. A cold first run builds the Kubernetes
## binaries and the images first (each script prints what it builds); see README.md for both runs' times.
DEMO_JAVA = -Dfledge.repo.dir=$(CURDIR) -cp e2e/target/test-classes:$$(cat e2e/target/demo.classpath)
demo: self-contained model-fixtures kube-binaries cluster-binaries
	@t=$$SECONDS; echo "demo: building the modules (mvn install, no tests)..."; $(MVN) -q -DskipTests install \
	  && echo "demo: modules built in $$((SECONDS - t)) s"
	@$(MVN) -q -pl e2e dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$(CURDIR)/e2e/target/demo.classpath
	@t=$$SECONDS; echo "demo: building the images..."; FLEDGE_SKIP_INSTALL=1 MVN="$(MVN)" bash e2e/cluster/images.sh all \
	  && echo "demo: images in $$((SECONDS - t)) s"
	@t=$$SECONDS; bash e2e/cluster/cluster.sh run $(CURDIR)/e2e/cluster/netns-jvm/bin/java $(DEMO_JAVA) \
	  dev.fledge.e2e.cluster.ClusterDemo && echo "demo: cluster up, demo and teardown in $$((SECONDS - t)) s"

bench-server: model-fixtures
	$(MVN) -q -pl model-server -am -DskipTests install
	cd model-server && DJL_CACHE_DIR=$$PWD/target/djl-cache java -Dai.djl.offline=true \
	  -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
	  -cp "target/test-classes:target/classes:$$(cat target/test-classpath.txt)" \
	  dev.fledge.server.bench.ServerBenchmark target/quarkus-app/quarkus-run.jar target/fixtures/models/v1

## bench-gates: the safety gate's decision quality against a fixed binomial test and a plain threshold (docs/safety-gate-benchmark.*)
bench-gates:
	$(MVN) -q -pl operator -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$(CURDIR)/operator/target/bench-gates.classpath
	java -cp operator/target/classes:operator/target/test-classes:$$(cat operator/target/bench-gates.classpath) dev.fledge.operator.gates.bayes.bench.GateBenchmark docs 20000

## bench-operator: the operator at scale (N releases on a real kube-apiserver): latency, CPU, RSS, time to promote
BENCH_N ?= 100 1000
bench-operator: kube-binaries prometheus
	$(MVN) -q -DskipTests install
	$(MVN) -q -pl e2e dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$(CURDIR)/e2e/target/bench.classpath
	java -Dfledge.repo.dir=$(CURDIR) -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
	  -Dorg.jboss.logging.provider=jboss -cp e2e/target/test-classes:$$(cat e2e/target/bench.classpath) \
	  dev.fledge.e2e.bench.OperatorBenchmark $(BENCH_N)

## bench-shards: two operator shards (each with its own Lease, one with a standby) split 1000 releases on a real
## kube-apiserver; prints the time until all are promoted and fails if a release was handled by both or by neither
SHARDS_N ?= 1000
bench-shards: kube-binaries
	$(MVN) -q -DskipTests install
	$(MVN) -pl e2e test -Dtest=ShardsOnRealApiServerTest#twoShardsSplitTheReleasesEachReleaseHandledByOneShardOnly \
	  -Dfledge.shards.releases=$(SHARDS_N) -Dsurefire.failIfNoSpecifiedTests=false

## bench-capacity: peak pods and GPUs of a 4-replica GPU release through a rollout, its promotion and a rollback,
## by default, with server.canary.matchTrafficWeight and with server.dynamicStableScale (the real operator on the
## Fabric8 mock API server, Deployments made ready at once; see CapacityBenchmark)
bench-capacity:
	$(MVN) -q -pl operator -am install -DskipTests
	$(MVN) -pl operator test -Dtest=CapacityBenchmark -Dsurefire.failIfNoSpecifiedTests=false
	@cat operator/target/bench-capacity.txt

## cluster: a real single-node Kubernetes v1.34 (etcd, apiserver, controller-manager, scheduler, kubelet,
## kube-proxy, containerd + runc + CNI bridge) inside a network namespace; runs in the foreground, Ctrl-C
## tears it down. KUBECONFIG=/var/tmp/fledge-cluster/kubeconfig. See e2e/cluster/README.md.
cluster: cluster-binaries
	@bash e2e/cluster/cluster.sh up

## cluster-down: stop a running `make cluster` and remove whatever a killed one left behind
cluster-down:
	@bash e2e/cluster/cluster.sh down

## cluster-test: the cluster tier alone (build without tests, then cluster-tier); `make test` runs it too
cluster-test: cluster-binaries traefik model-fixtures moto
	$(MVN) -q -DskipTests install
	@$(MAKE) --no-print-directory cluster-tier

## cluster-tier: after an install: the images from the built modules, a cluster started for the @Tag("cluster")
## tests (excluded from the modules' own run) and torn down after; the test JVM runs inside the node's network
## namespace (e2e/cluster/netns-jvm/bin/java), one JVM (surefire:test runs as default-cli, which the e2e module's
## several-JVM execution does not configure). Its classes run side by side (JUnit's parallel classes, their methods in
## order), each in its own namespace on the one operator, which the quick start's operator-pod kill restarts under
## both: the node's cores were ~50 % idle with one class at a time. CLUSTER_PARALLEL=false runs one after the other.
## A missing prerequisite fails these tests, it never skips them.
CLUSTER_PARALLEL ?= true
cluster-tier:
	@t=$$SECONDS; FLEDGE_SKIP_INSTALL=1 MVN="$(MVN)" bash e2e/cluster/images.sh all && echo "cluster-tier: images in $$((SECONDS - t)) s"
	FLEDGE_CLUSTER_GATEWAY=1 bash e2e/cluster/cluster.sh run $(MVN) -pl e2e surefire:test -Dgroups=cluster -Dfledge.e2e.excludedGroups=none \
	  -Djvm=$(CURDIR)/e2e/cluster/netns-jvm/bin/java -Djunit.jupiter.execution.parallel.enabled=$(CLUSTER_PARALLEL) \
	  -Djunit.jupiter.execution.parallel.mode.default=same_thread \
	  -Djunit.jupiter.execution.parallel.mode.classes.default=concurrent \
	  -Djunit.jupiter.execution.parallel.config.strategy=fixed -Djunit.jupiter.execution.parallel.config.fixed.parallelism=2

## cluster-binaries: kubelet, kube-proxy, kube-controller-manager, kube-scheduler (+ kube-binaries), CoreDNS, and
## Prometheus with Kubernetes service discovery (Debian's has none) for the cluster tier's gated scenarios, cached
cluster-binaries:
	@bash e2e/cluster/node-binaries.sh
	@bash e2e/cluster/coredns-binary.sh
	@bash e2e/cluster/prometheus-binary.sh

## images: fledge/operator and fledge/model-server as tars (<module>/target/jib-image.tar), built with Jib
## from a Debian base made by mmdebstrap, no Docker daemon; and the operator pod's prom-label-proxy, built from its
## Go module. With REGISTRY=host/path, also pushes the three there (skopeo). The cluster tier's pause and busybox images are built by cluster.sh.
images:
	@bash e2e/cluster/images.sh app
	@bash e2e/cluster/images.sh labelproxy
	@bash e2e/cluster/images.sh sizes
	@if [ -n "$(REGISTRY)" ]; then bash e2e/cluster/images.sh push "$(REGISTRY)"; fi

## traefik: Traefik v3.6.12 from its Go module (the cluster tier's Gateway API data plane, which make test needs:
## GatewayApiOnClusterTest), cached; ~25 min cold on two quiet cores, once
traefik:
	@bash e2e/cluster/traefik-binary.sh

clean:
	$(MVN) clean
