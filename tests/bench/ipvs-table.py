#!/usr/bin/env python3
"""The benchmarks' IPVS table, as `ipvsadm -R` reads it, on standard output:

    python3 tests/bench/ipvs-table.py SERVICES DESTINATIONS [PREFIX]     # PREFIX default 10.96

SERVICES TCP services PREFIX.x.y:80 (round robin), each with DESTINATIONS masqueraded real servers
10.(128+j).x.y:8080 of weight 1; x.y counts 0.1 .. 0.250, 1.1 .. (no .0 or .255 addresses).
"""
import sys

services, destinations = int(sys.argv[1]), int(sys.argv[2])
prefix = sys.argv[3] if len(sys.argv) > 3 else "10.96"
out = sys.stdout
for i in range(services):
    host = f"{i // 250}.{i % 250 + 1}"
    vip = f"{prefix}.{host}:80"
    out.write(f"-A -t {vip} -s rr\n")
    for j in range(destinations):
        out.write(f"-a -t {vip} -r 10.{128 + j}.{host}:8080 -m -w 1\n")
