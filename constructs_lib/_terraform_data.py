"""Terraform's built-in ``terraform_data`` resource (Terraform >= 1.4; provider
``terraform.io/builtin/terraform``, so nothing to install and no provider version to differ
between toolchains). Neither CDK ships a class for it."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from toolchain.cdk import TerraformResource


class TerraformData(TerraformResource):
    """``input`` is stored in state (readable as ``self.input`` at destroy time);
    ``triggers_replace``: any change replaces the object. Other keyword arguments are the usual
    meta-arguments (``depends_on``, ``provisioners``, ``lifecycle``)."""

    def __init__(self, scope: Construct, id_: str, *, input: Any = None, triggers_replace: Any = None, **meta: Any) -> None:
        super().__init__(scope, id_, terraform_resource_type="terraform_data", **meta)
        self._arguments = {"input": input, "triggers_replace": triggers_replace}

    def _synthesize_attributes(self) -> dict[str, Any]:
        return {name: value for name, value in self._arguments.items() if value is not None}

    @property
    def id(self) -> str:
        return self.get_string_attribute("id")
