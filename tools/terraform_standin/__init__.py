"""Stand-in Terraform providers: run the real ``terraform`` CLI on the synthesized stacks offline.

No Terraform registry and no Azure are reachable where this project is built, so the real
azurerm/kubernetes/helm/time providers cannot be installed or called. The stand-ins take their
place: each is a small Python plugin that speaks Terraform's plugin protocol 6 and serves the real
provider's schema (vendored dumps in ``schemas/``), so Terraform's own validation, planning,
apply and state handling run unchanged, while resource values are invented (see values.py).

Modules:
  server.py     the plugin: go-plugin handshake, tfplugin6 RPCs
  mirror.py     filesystem mirror + CLI config that make Terraform install the stand-ins;
                ``Workspace`` to run Terraform in a copy of a synthesized stack
  schema.py     the vendored dumps, their cty types and tfplugin6 Schema messages
  cty.py        cty types and the msgpack/JSON value encodings
  values.py     plan/apply/data-source rules and placeholder values
  replacement.py  which attribute changes force a new resource (from the providers' source)
  protocol.py   tfplugin6 messages compiled from proto/tfplugin6.proto on first use
  cache.py      shared derived files under .stamps/terraform-standin/
  tls.py        the server certificate for go-plugin's AutoMTLS
  regenerate_schemas.py  how to refresh ``schemas/`` after a provider bump
  fake_arm.py   a fake Azure Resource Manager (JSON store named by STANDIN_ARM_STORE, injectable
                failures, per-azurerm-version template deployment behaviour) for the attach's types
  remote.py     the stand-in azurerm provider's side of it (create/read/delete through the store)
  fake_az.py    a fake ``az rest`` against the same store, for the attach and detach steps
  __main__.py   ``python -m tools.terraform_standin <stack dirs>``: validate + plan + timings

Tests: tests/terraform/.
"""
