#!/usr/bin/env python3
"""The benchmarks' cluster snapshot: what `kubectl get svc,endpointslices -A -o json` prints for SERVICES ClusterIP
Services (10.96.x.y, TCP 80 -> 8080) of DESTINATIONS ready endpoints each (10.128+e.x.y on node-e), as a List.

    kube-snapshot.py SERVICES DESTINATIONS PATH

tests/bench/in-lab.sh's sync rows, noop-rounds.sh, node-read-parts.sh and package-ab.sh read it;
JsonSnapshotFastPathTests reads the same shape, small."""
import json
import sys

services, destinations, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
items = []
for i in range(services):
    ip = f"10.96.{i // 250}.{i % 250 + 1}"
    items.append({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": f"svc-{i}", "namespace": "bench", "uid": f"00000000-0000-0000-0000-{i:012d}"},
        "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip], "ipFamilies": ["IPv4"],
                 "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]}})
for i in range(services):
    items.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
        "metadata": {"name": f"svc-{i}-abcde", "namespace": "bench", "labels": {"kubernetes.io/service-name": f"svc-{i}"}},
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        "endpoints": [{"addresses": [f"10.{128 + e}.{i // 250}.{i % 250 + 1}"], "conditions": {"ready": True}, "nodeName": f"node-{e}"}
                      for e in range(destinations)]})
with open(path, "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}}, f, indent=4)
