"""Reference data the deployment depends on (egress endpoints, VM sizes), each entry with its source."""
