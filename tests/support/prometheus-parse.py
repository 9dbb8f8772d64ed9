"""Reads Prometheus text exposition on stdin and prints its samples as JSON, parsed by the official Prometheus Python
client (Debian's python3-prometheus-client): what a real scraper makes of /metrics, not a parser of our own."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = [
    {"family": family.name, "type": family.type, "name": sample.name, "labels": sample.labels, "value": sample.value}
    for family in text_string_to_metric_families(sys.stdin.read())
    for sample in family.samples
]
json.dump(samples, sys.stdout)
