"""`make smoke`: prove after a deploy that Azure ML runs a job and serves an endpoint on the cluster."""
