"""Saved Terraform plans per stack: `make plan`, `make apply`, `make destroy`, `make drift`.

Review a plan, then apply exactly that plan. ``plan`` writes, per stack of one deployment,
``cdktf.out/<name>/plans/<stack>.tfplan`` (the saved plan: it holds secrets, treat it like
state), ``<stack>.record.json`` (the sha256 of every Terraform input it was made from: the
synthesized ``*.tf.json`` files and ``.terraform.lock.hcl``; plus a summary of addresses and
actions, never values) and ``<stack>.summary.md``. ``apply`` applies those saved plans and
refuses any whose inputs no longer hash the same: the key is the content, not the commit, so a
plan made from a pull request's synth applies from the merge commit when that synthesizes to
the same files. docs/pipelines.md shows how the pipelines use it.

The two stacks are two phases: phase 1 ``aks-cluster``; phase 2 ``kubernetes-config`` reads
the cluster that phase 1 creates, so it is planned once phase 1 has nothing left to apply.
"""

from __future__ import annotations

# Exit codes (pipelines branch on them; docs/pipelines.md "Exit codes").
OK = 0
FAILED = 1  # Terraform failed, or the command was used wrongly
CHANGES = 2  # `drift` (or `plan --detailed-exitcode`): the plan is not empty
REFUSED = 3  # nothing was run: a missing, stale or already-applied plan, or protected resources on destroy
