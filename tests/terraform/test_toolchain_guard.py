"""Collected instead of the Terraform-in-the-loop tests on a toolchain other than cdktf (see
conftest.py collect_ignore), to say why they did not run: the vendored schemas are those of the
providers the cdktf 0.21 bindings wrap, and the stand-in's packages come from requirements-dev.txt."""

from __future__ import annotations

from tests.conftest import requires_cdktf_toolchain


@requires_cdktf_toolchain
def test_terraform_in_the_loop_needs_the_cdktf_toolchain():
    """Runs (and passes) only on cdktf, where conftest.py does not collect it at all."""
