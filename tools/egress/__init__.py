"""`make egress`: the hub firewall rules one deployment needs (catalog/egress.py), in four formats."""
